from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from sessions.models import Session

from . import pending
from .forms import ProposalForm
from .models import Proposal, TransitionNotAllowed
from .submission import SubmissionRefused


def own_proposals(user):
    """The one way views reach proposals: the author's own, so another's is a 404."""
    return Proposal.objects.by_author(user).select_related("session")


def get_own_proposal(request, pk):
    return get_object_or_404(own_proposals(request.user), pk=pk)


def _login_keeping_text(request, form_url, pending_key=None):
    """An anonymous visitor goes to log in; text they posted (an expired login) waits for them.

    `pending_key` is None for a form the visitor could not open once logged in: the answer is
    the same, but nothing is kept (proposals/pending.py).
    """
    if request.method == "POST":
        if pending_key is not None:
            pending.keep(request, pending_key)
        messages.info(
            request,
            _("Your login has expired. Log in again: the text you wrote has been kept."),
        )
    return redirect_to_login(form_url)


def _take_pending(request, pending_key):
    kept = pending.take(request, pending_key)
    if kept is not None:
        messages.info(
            request,
            _("We kept the text you wrote before you had to log in again. Check it and send it."),
        )
    return kept


def _render_form(request, form, proposal=None, *, kept=False):
    closed_reason = form.session.proposals_closed_reason()
    context = {
        "form": form,
        "session": form.session,
        "proposal": proposal,
        "closed_reason": closed_reason,
        # A closed session shows no empty form for a new proposal; text already written
        # (kept after a login, or posted) is always shown.
        "show_form": not closed_reason or proposal or form.is_bound or kept,
        "action": (
            reverse("proposals:edit", kwargs={"pk": proposal.pk})
            if proposal
            else reverse("proposals:create", kwargs={"slug": form.session.slug})
        ),
    }
    return render(request, "proposals/proposal_form.html", context)


def _stored(request, proposal, *, submitted):
    if submitted:
        messages.success(
            request,
            _("Your proposal has been sent to the moderators. You can follow it here."),
        )
        return redirect(proposal)
    messages.success(
        request,
        _("Your draft has been saved. You will find it under “My proposals” whenever you return."),
    )
    return redirect("proposals:edit", pk=proposal.pk)


def proposal_create(request, slug):
    """A new proposal for a published session: saved as a draft or sent at once."""
    session = get_object_or_404(Session.objects.published(), slug=slug)
    if not request.user.is_authenticated:
        form_url = reverse("proposals:create", kwargs={"slug": slug})
        return _login_keeping_text(request, form_url, pending_key=slug)
    if request.method != "POST":
        kept = _take_pending(request, slug)
        form = ProposalForm(initial=kept, session=session, author=request.user)
        return _render_form(request, form, kept=kept is not None)

    form = ProposalForm(request.POST, session=session, author=request.user)
    if form.is_valid():
        try:
            proposal, created = form.instance.store_new(send=form.wants_submit)
        except SubmissionRefused as refusal:
            form.show_refusal(refusal)
        else:
            if not created:
                messages.info(
                    request, _("This proposal had already reached us; it was not stored twice.")
                )
                return redirect(proposal)
            return _stored(request, proposal, submitted=form.wants_submit)
    return _render_form(request, form)


def proposal_edit(request, pk):
    """The author changes a draft or a submitted proposal until a moderator takes it up."""
    pending_key = f"proposal-{pk}"
    if not request.user.is_authenticated:
        exists = Proposal.objects.filter(pk=pk).exists()
        form_url = reverse("proposals:edit", kwargs={"pk": pk})
        return _login_keeping_text(request, form_url, pending_key=pending_key if exists else None)
    proposal = get_own_proposal(request, pk)
    if request.method != "POST":
        kept = _take_pending(request, pending_key)
        if not proposal.is_editable_by_author and kept is None:
            messages.info(
                request, _("A moderator has taken this proposal up: it can no longer be changed.")
            )
            return redirect(proposal)
        form = ProposalForm(
            instance=proposal, initial=kept, session=proposal.session, author=request.user
        )
        return _render_form(request, form, proposal, kept=kept is not None)

    form = ProposalForm(
        request.POST, instance=proposal, session=proposal.session, author=request.user
    )
    if form.is_valid():
        try:
            proposal.save_by_author(
                by=request.user, send=form.wants_submit, seen=form.cleaned_data["updated_at"]
            )
        except SubmissionRefused as refusal:
            form.show_refusal(refusal)
        else:
            if proposal.status == Proposal.Status.DRAFT:
                return _stored(request, proposal, submitted=False)
            messages.success(request, _("Your changes have been saved."))
            return redirect(proposal)
    return _render_form(request, form, proposal)


@require_POST
@login_required
def proposal_submit(request, pk):
    """Send a saved draft to the moderators, after the same rules as the form's "Submit"."""
    proposal = get_own_proposal(request, pk)
    try:
        proposal.submit(by=request.user)
    except SubmissionRefused as refusal:
        # The draft's own text in the form, with what is missing or why it cannot go.
        form = ProposalForm.for_sending(proposal, request.user)
        form.show_refusal(refusal)
        return _render_form(request, form, proposal)
    except TransitionNotAllowed:
        messages.info(request, _("This proposal has already been sent."))
        return redirect(proposal)
    return _stored(request, proposal, submitted=True)


@require_POST
@login_required
def proposal_withdraw(request, pk):
    """The author takes a submitted proposal back, while no moderator has taken it up."""
    proposal = get_own_proposal(request, pk)
    try:
        proposal.withdraw(by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your proposal has been withdrawn."))
    return redirect(proposal)


class ProposalListView(LoginRequiredMixin, ListView):
    """“My proposals”: the participant's own, with status and the moderator's answer."""

    template_name = "proposals/proposal_list.html"
    context_object_name = "proposals"

    def get_queryset(self):
        return own_proposals(self.request.user)


class ProposalDetailView(LoginRequiredMixin, DetailView):
    """One of the participant's proposals, with its history."""

    template_name = "proposals/proposal_detail.html"
    context_object_name = "proposal"

    def get_queryset(self):
        return own_proposals(self.request.user).prefetch_related("events")


class RecommendationsView(DetailView):
    """A published session's draft recommendations: accepted proposals by addressee."""

    template_name = "proposals/recommendations.html"
    context_object_name = "session"

    def get_queryset(self):
        return Session.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = Proposal.objects.recommendations(self.object)
        return context
