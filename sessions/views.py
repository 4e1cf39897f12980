from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from .forms import ProgrammeFilterForm, SpeakerSearchForm
from .models import Forum, Material, Person, Session


class ProgrammeView(ListView):
    """The current forum's programme, grouped by day, with filters."""

    template_name = "sessions/programme.html"
    context_object_name = "sessions"

    def get_queryset(self):
        self.forum = Forum.objects.current()
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


class SessionDetailView(DetailView):
    template_name = "sessions/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return Session.objects.published().with_people()


class SpeakerListView(ListView):
    template_name = "sessions/speaker_list.html"
    context_object_name = "people"

    def get_queryset(self):
        self.search_form = SpeakerSearchForm(self.request.GET or None)
        people = Person.objects.speaking()
        if self.search_form.is_valid() and self.search_form.cleaned_data["q"].strip():
            people = people.search(self.search_form.cleaned_data["q"])
        return people.with_public_participations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        return context


class SpeakerDetailView(DetailView):
    template_name = "sessions/speaker_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.speaking().with_public_participations()


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
