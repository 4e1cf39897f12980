import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from sessions.models import Session

from .forms import ProposalForm, lock_author
from .models import Proposal, TransitionNotAllowed

# Posted proposal text kept in the session while a participant whose login expired logs in
# again: {"<session slug>" or "proposal-<pk>": {field: text}}. Django keeps session data
# when login() cycles the session key.
PENDING_KEY = "pending_proposal"
PENDING_FIELDS = ("title", "wording", "rationale", "addressee", "submission_token")
# Generous, so that a text over the form's limit is kept whole for the participant to shorten,
# yet bounded: anyone can post to the form without logging in.
PENDING_MAX_CHARS = 4 * Proposal.RATIONALE_MAX_LENGTH


def own_proposals(user):
    """The one way views reach proposals: the author's own, so another's is a 404."""
    return Proposal.objects.by_author(user).select_related("session")


def get_own_proposal(request, pk, *, for_update=False):
    proposals = own_proposals(request.user)
    if for_update:
        proposals = proposals.select_for_update(of=("self",))
    return get_object_or_404(proposals, pk=pk)


def _keep_pending(request, key):
    pending = request.session.get(PENDING_KEY, {})
    pending[key] = {name: request.POST.get(name, "")[:PENDING_MAX_CHARS] for name in PENDING_FIELDS}
    request.session[PENDING_KEY] = pending


def _take_pending(request, key):
    pending = request.session.get(PENDING_KEY, {})
    kept = pending.pop(key, None)
    if kept is not None:
        request.session[PENDING_KEY] = pending
        messages.info(
            request,
            _("We kept the text you wrote before you had to log in again. Check it and send it."),
        )
    return kept


def _login_keeping_text(request, key, form_url):
    """An anonymous visitor goes to log in; text they posted (an expired login) waits for them."""
    if request.method == "POST":
        _keep_pending(request, key)
        messages.info(
            request,
            _("Your login has expired. Log in again: the text you wrote has been kept."),
        )
    return redirect_to_login(form_url)


def _posted_token(request):
    try:
        return uuid.UUID(request.POST.get("submission_token", ""))
    except ValueError:
        return None


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


def _already_stored(request, proposal):
    messages.info(request, _("This proposal had already reached us; it was not stored twice."))
    return redirect(proposal)


def proposal_create(request, slug):
    """A new proposal for a published session: saved as a draft or sent at once."""
    session = get_object_or_404(Session.objects.published(), slug=slug)
    form_url = reverse("proposals:create", kwargs={"slug": slug})
    if not request.user.is_authenticated:
        return _login_keeping_text(request, slug, form_url)
    if request.method != "POST":
        kept = _take_pending(request, slug)
        initial = dict(kept or {})
        # One token per form shown: a second POST of it (a double click, a browser retry)
        # finds the proposal the first one stored.
        initial["submission_token"] = initial.get("submission_token") or uuid.uuid4()
        form = ProposalForm(initial=initial, session=session, author=request.user)
        return _render_form(request, form, kept=kept is not None)

    form = ProposalForm(request.POST, session=session, author=request.user)
    token = _posted_token(request)
    mine = Proposal.objects.by_author(request.user)
    try:
        with transaction.atomic():
            lock_author(request.user)
            existing = token and mine.filter(submission_token=token).first()
            if existing:
                return _already_stored(request, existing)
            if not form.is_valid():
                return _render_form(request, form)
            if form.wants_submit:
                # Stored and sent in one go: the busiest write of the forum (see submit_new).
                proposal = form.save(commit=False)
                proposal.submit_new(by=request.user)
            else:
                proposal = form.save()
    except IntegrityError:
        # The same token stored by a request that raced this one past the check above.
        existing = token and mine.filter(submission_token=token).first()
        if existing:
            return _already_stored(request, existing)
        # Someone else's token (a copied form): ask to send again, with a fresh one.
        data = request.POST.copy()
        data["submission_token"] = str(uuid.uuid4())
        form = ProposalForm(data, session=session, author=request.user)
        form.is_valid()
        form.add_error(None, _("Something went wrong while saving. Please send the form again."))
        return _render_form(request, form)
    return _stored(request, proposal, submitted=form.wants_submit)


def proposal_edit(request, pk):
    """The author changes a draft or a submitted proposal until a moderator takes it up."""
    form_url = reverse("proposals:edit", kwargs={"pk": pk})
    pending_key = f"proposal-{pk}"
    if not request.user.is_authenticated:
        return _login_keeping_text(request, pending_key, form_url)
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
    with transaction.atomic():
        lock_author(request.user)
        # Locked, so a moderator taking it up now waits for this save, or this one sees theirs.
        current = get_own_proposal(request, pk, for_update=True)
        if not current.is_editable_by_author:
            form.is_valid()
            form.add_error(
                None,
                _(
                    "A moderator has just taken this proposal up, so your changes were not "
                    "saved. Your text is still below if you want to copy it."
                ),
            )
            return _render_form(request, form, proposal)
        if not form.is_valid():
            return _render_form(request, form, proposal)
        proposal = form.save()
        wants_submit = form.wants_submit and current.status == Proposal.Status.DRAFT
        if wants_submit:
            proposal.submit(by=request.user)
    if wants_submit or proposal.status != Proposal.Status.DRAFT:
        messages.success(request, _("Your changes have been saved."))
        return redirect(proposal)
    return _stored(request, proposal, submitted=False)


@require_POST
@login_required
def proposal_submit(request, pk):
    """Send a saved draft to the moderators, after the same checks as the form's "Submit"."""
    with transaction.atomic():
        lock_author(request.user)
        proposal = get_own_proposal(request, pk, for_update=True)
        if proposal.status != Proposal.Status.DRAFT:
            messages.info(request, _("This proposal has already been sent."))
            return redirect(proposal)
        # The draft may be incomplete: check it as the form would for "Submit".
        data = {name: getattr(proposal, name) for name in ProposalForm.Meta.fields}
        data[ProposalForm.SUBMIT] = "1"
        form = ProposalForm(data, instance=proposal, session=proposal.session, author=request.user)
        if not form.is_valid():
            return _render_form(request, form, proposal)
        proposal.submit(by=request.user)
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
