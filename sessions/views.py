import copy
import hashlib

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView

from .caching import (
    Programme,
    add_validators,
    cached_entry,
    conditional_response,
    has_pending_messages,
    query_key,
)
from .forms import ProgrammeFilterForm, SpeakerSearchForm
from .middleware import mark_anonymous_page
from .models import Forum, Material, Person, Session


def without_prefetched(instance):
    """A copy of a model instance without the lists a queryset method prefetched onto it."""
    plain = copy.copy(instance)
    for name, value in instance.__dict__.items():
        if isinstance(value, list):
            del plain.__dict__[name]
    plain.__dict__.pop("_prefetched_objects_cache", None)
    return plain


class CachedProgrammePageMixin:
    """Serve the programme part of a page from the cache; answer conditional requests.

    The template defines that part as partials (`{% partialdef %}`, names in
    `cached_partials`); they are rendered without the request, once per programme version,
    language and query, and the page around them is rendered for each request. See
    sessions/caching.py.

    An anonymous visitor's whole page is the same for everyone: it is marked for the fast
    path (sessions/middleware.py), which answers the next anonymous visitors from the cache
    without running the view.
    """

    cached_partials = ("main",)
    anonymous_page_cache = True

    def cache_name(self):
        """What distinguishes this page's entry: the view, its URL arguments and query."""
        arguments = ",".join(f"{key}={value}" for key, value in sorted(self.kwargs.items()))
        if len(arguments) > 150:  # a hand-made URL: keep keys short (memcached takes 250)
            arguments = hashlib.sha256(arguments.encode()).hexdigest()
        return f"{type(self).__name__}:{arguments}:{query_key(self.request)}"

    def build_entry(self):
        """Run the page's queries and render its cached partials (may raise Http404)."""
        context = self.build_context()
        return {
            "fragments": {
                name: render_to_string(f"{self.template_name}#{name}", context)
                for name in self.cached_partials
            },
            **self.entry_extra(context),
        }

    def entry_extra(self, context):
        """Small values cached beside the HTML that the page around it needs."""
        return {}

    def get_template_names(self):
        # Explicit: on a cache hit the view has no object or list to guess a name from.
        return [self.template_name]

    def validators(self, entry):
        """Extra arguments for the ETag and Last-Modified of this page."""
        return {}

    def changes_at(self, entry):
        """The next moment the page changes by itself, with no change to the programme."""
        return None

    def get(self, request, *args, **kwargs):
        programme = Programme.now()
        self.programme = programme
        entry = cached_entry(programme, self.cache_name(), self.build_entry)
        not_modified, validators = conditional_response(
            request, programme, **self.validators(entry)
        )
        if not_modified is not None:
            return not_modified
        context = {
            "view": self,
            "current_forum": programme.forum,
            "fragments": {name: mark_safe(html) for name, html in entry["fragments"].items()},
            **{key: value for key, value in entry.items() if key != "fragments"},
        }
        response = add_validators(self.render_to_response(context), request, validators)
        if not request.user.is_authenticated and not has_pending_messages(request):
            mark_anonymous_page(response, until=self.changes_at(entry))
        return response


class ProgrammeView(CachedProgrammePageMixin, ListView):
    """The current forum's programme, grouped by day, with filters."""

    template_name = "sessions/programme.html"
    context_object_name = "sessions"

    def get_queryset(self):
        self.forum = Forum.objects.latest_edition()
        if self.forum is None:
            return Session.objects.none()
        forum_sessions = Session.objects.published().in_forum(self.forum)
        self.filter_form = ProgrammeFilterForm(
            self.request.GET or None,
            days=[d.date() for d in forum_sessions.datetimes("starts_at", "day")],
            formats=forum_sessions.order_by("format").values_list("format", flat=True).distinct(),
        )
        return self.filter_form.filter(forum_sessions).with_moderators()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forum"] = self.forum
        context["filter_form"] = getattr(self, "filter_form", None)
        context["is_filtered"] = bool(self.request.GET)
        return context

    def build_context(self):
        self.object_list = self.get_queryset()
        return self.get_context_data()


class SessionDetailView(CachedProgrammePageMixin, DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"
    cached_partials = ("breadcrumb", "article", "aside")

    def get_queryset(self):
        return Session.objects.published().with_people()

    def build_context(self):
        self.object = self.get_object()
        return self.get_context_data(object=self.object)

    def entry_extra(self, context):
        # The session without its people, for the title and the proposal button: the
        # button's state moves with the clock (the deadline), so it is rendered per request.
        return {"session": without_prefetched(self.object)}

    def validators(self, entry):
        session = entry["session"]
        deadline = session.proposals_deadline
        passed = deadline if deadline and deadline <= timezone.now() else None
        # The page changed when the deadline passed, though the programme did not.
        return {
            "extra": f"closed={bool(session.proposals_closed_reason())}",
            "last_modified": passed,
        }

    def changes_at(self, entry):
        # The proposal button turns into "the deadline has passed" at the deadline.
        session = entry["session"]
        deadline = session.proposals_deadline
        if session.accepts_proposals and deadline and deadline > timezone.now():
            return deadline
        return None


class SpeakerListView(CachedProgrammePageMixin, ListView):
    """Everyone who speaks, by name, a hundred to a page.

    A large forum has thousands of speakers: one page of them all is slow to build, heavy on a
    phone and long to scroll. Pages keep the search (`?q=…&page=2`); a page past the last one
    is a 404, as in any ListView.
    """

    template_name = "sessions/speaker_list.html"
    context_object_name = "people"
    paginate_by = 100
    anonymous_page_params = ("page",)

    def get_queryset(self):
        self.search_form = SpeakerSearchForm(self.request.GET or None)
        people = Person.objects.in_programme()
        if self.search_form.is_valid() and self.search_form.cleaned_data["q"].strip():
            people = people.search(self.search_form.cleaned_data["q"])
        # Namesakes are common: the primary key keeps each on one page, and pages stable.
        return people.order_by(*Person._meta.ordering, "pk").with_public_participations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        page = context["page_obj"]
        if page is not None:
            context["previous_url"] = page.has_previous() and self.page_url(
                page.previous_page_number()
            )
            context["next_url"] = page.has_next() and self.page_url(page.next_page_number())
        return context

    def page_url(self, number):
        """This list's URL at page `number`, the search kept; page 1 without `page`."""
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        if number > 1:
            query[self.page_kwarg] = number
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path

    def build_context(self):
        self.object_list = self.get_queryset()
        return self.get_context_data()


class SpeakerDetailView(CachedProgrammePageMixin, DetailView):
    template_name = "sessions/speaker_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.in_programme().with_public_participations()

    def build_context(self):
        self.object = self.get_object()
        return self.get_context_data(object=self.object)

    def entry_extra(self, context):
        return {"person": without_prefetched(self.object)}


def material_download(request, slug, pk):
    """Send a published session's material as a download, or follow its link."""
    material = get_object_or_404(
        Material.objects.select_related("session"),
        pk=pk,
        session__slug=slug,
        session__is_published=True,
    )
    if material.url:
        return redirect(material.url)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this material is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=material.download_name)
