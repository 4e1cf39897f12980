from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, View

from . import schedule
from .calendar import CalendarFeedMixin
from .forms import ProgrammeFilterForm, SpeakerSearchForm
from .models import Forum, Material, Person, Session
from .page_cache.views import CachedPageMixin, field_values_only
from .structured_data import ROBOTS_TXT


class ProgrammeView(CachedPageMixin, ListView):
    """The current forum's programme, grouped by day, with filters."""

    template_name = "sessions/programme.html"
    context_object_name = "sessions"
    query_parameters = tuple(ProgrammeFilterForm.base_fields)
    search_parameters = ("q",)

    def get_queryset(self):
        self.forum = Forum.objects.latest_edition()
        if self.forum is None:
            return Session.objects.none()
        forum_sessions = Session.objects.published().in_forum(self.forum)
        self.filter_form = ProgrammeFilterForm(
            self.query or None,
            days=[d.date() for d in forum_sessions.datetimes("starts_at", "day")],
            formats=forum_sessions.order_by("format").values_list("format", flat=True).distinct(),
        )
        return self.filter_form.filter(forum_sessions).with_moderators()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forum"] = self.forum
        context["filter_form"] = getattr(self, "filter_form", None)
        context["is_filtered"] = bool(self.query)
        return context

    def cleaned_query(self):
        filter_form = getattr(self, "filter_form", None)
        if filter_form is None or not self.query:  # no forum yet, or no filter
            return {}
        # A refused filter value is shown with its error: that page is kept nowhere.
        return None if filter_form.errors else filter_form.cleaned_data


class SessionDetailView(CachedPageMixin, DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"
    cached_partials = ("breadcrumb", "article", "aside")

    def get_queryset(self):
        return Session.objects.published().with_people()

    def entry_values(self, context):
        # The session without its people, for the title and the proposal button: the
        # button's state moves with the clock (the deadline), so it is rendered per request.
        return {"session": field_values_only(self.object)}

    def etag_inputs(self, entry):
        return f"closed={bool(entry['session'].proposals_closed_reason())}"

    def changed_by_itself(self, entry):
        # The page changed when the deadline passed, though the programme did not.
        deadline = entry["session"].proposals_deadline
        return deadline if deadline and deadline <= timezone.now() else None

    def changes_at(self, entry):
        # The proposal button turns into "the deadline has passed" at the deadline.
        session = entry["session"]
        deadline = session.proposals_deadline
        if session.accepts_proposals and deadline and deadline > timezone.now():
            return deadline
        return None


class SpeakerListView(CachedPageMixin, ListView):
    """Everyone who speaks, by name, a hundred to a page.

    A large forum has thousands of speakers: one page of them all is slow to build, heavy on a
    phone and long to scroll. Pages keep the search (`?q=…&page=2`); a page past the last one
    is a 404, as in any ListView.
    """

    template_name = "sessions/speaker_list.html"
    context_object_name = "people"
    paginate_by = 100
    query_parameters = ("q", "page")
    anonymous_page_parameters = ("page",)
    search_parameters = ("q",)

    def get_queryset(self):
        self.search_form = SpeakerSearchForm(self.query or None)
        people = Person.objects.in_programme()
        if self.search_form.is_valid() and self.search_form.cleaned_data["q"].strip():
            people = people.search(self.search_form.cleaned_data["q"])
        # Namesakes are common: the primary key keeps each on one page, and pages stable.
        return people.order_by(*Person._meta.ordering, "pk").with_public_participations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        page = context["page_obj"]
        self.page_number = page.number if page is not None else None
        if page is not None:
            context["previous_url"] = page.has_previous() and self.page_url(
                page.previous_page_number()
            )
            context["next_url"] = page.has_next() and self.page_url(page.next_page_number())
        return context

    def page_url(self, number):
        """This list's URL at page `number`, the search kept; page 1 without `page`."""
        query = self.query.copy()
        query.pop(self.page_kwarg, None)
        if number > 1:
            query[self.page_kwarg] = number
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path

    def cleaned_query(self):
        # A refused search is shown with its error; a page number written another way
        # ("02", "last") is shown too: neither is kept.
        if self.search_form.errors:
            return None
        cleaned = {self.page_kwarg: self.page_number}
        if self.search_form.is_bound:
            cleaned["q"] = self.search_form.cleaned_data["q"]
        return cleaned


class SpeakerDetailView(CachedPageMixin, DetailView):
    template_name = "sessions/speaker_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.in_programme().with_public_participations()

    def entry_values(self, context):
        return {"person": field_values_only(self.object)}


class ScheduleView(CachedPageMixin, View):
    """The current forum's programme as a frab/c3voc schedule (sessions/schedule.py), cached
    and revalidated like the pages: the document is the entry, built once per version."""

    template_name = None
    formats = {
        "xml": (schedule.schedule_xml, "application/xml; charset=utf-8"),
        "json": (schedule.schedule_json, "application/json"),
    }

    def build_entry(self):
        forum = self.programme.forum
        if forum is None:
            raise Http404("No forum yet.")
        sessions = Session.objects.published().in_forum(forum).with_people()
        data = schedule.schedule_data(forum, sessions, self.programme.number)
        return {"fragments": {}, "body": self.formats[self.kwargs["format"]][0](data)}

    def render_to_response(self, context):
        content_type = self.formats[self.kwargs["format"]][1]
        return HttpResponse(context["body"], content_type=content_type)


class SessionCalendarView(CalendarFeedMixin, DetailView):
    """One published session as iCalendar ("Add to calendar" on its page)."""

    def get_queryset(self):
        return Session.objects.published().with_people()

    def calendar_sessions(self):
        self.object = self.get_object()
        return [self.object]

    def get_filename(self):
        return f"{self.kwargs['slug']}.ics"

    def calendar_name(self):
        return self.object.title


class ProgrammeCalendarView(CalendarFeedMixin, View):
    """The programme of the edition the portal shows, as iCalendar."""

    def calendar_sessions(self):
        forum = self.programme.forum
        if forum is None:
            return Session.objects.none()
        return Session.objects.published().in_forum(forum).with_people()

    def calendar_name(self):
        forum = self.programme.forum
        return forum.name if forum is not None else "Forum Portal"


def robots_txt(request):
    """What crawlers may read: the public pages, not the admin, accounts or proposals."""
    return HttpResponse(
        ROBOTS_TXT.format(site=settings.SITE_URL), content_type="text/plain; charset=utf-8"
    )


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
