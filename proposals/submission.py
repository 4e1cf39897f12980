"""The author's side of a proposal: every rule for storing, changing and sending one.

`Proposal` and `ProposalQuerySet` take these methods in (proposals/models.py), so the rules are
the model's own: views and forms call `store_new()`, `save_by_author()` and `submit()` and
never check a rule by themselves. Each refusal is a `SubmissionRefused`: a message for the
author, and the earlier proposal when the text repeats one.

The rules:

- A session closed for proposals (switched off, or past its deadline) takes no new proposal,
  not even a draft, and no change to a sent one (a late change is a late submission). A
  draft already saved may still be saved, so that nothing typed is lost.
- Sending needs a title, a wording, a rationale and an addressee; the wording may not repeat
  one of the author's standing proposals (sent and not withdrawn) in the same session, case
  and runs of white space ignored; and one author sends at most `PROPOSAL_RATE_LIMIT`
  proposals to one session within `PROPOSAL_RATE_WINDOW` (withdrawn ones count: sending and
  withdrawing in a loop floods the moderators too).
- One author keeps at most `PROPOSAL_DRAFT_LIMIT` drafts in sessions that still take
  proposals (drafts of closed sessions can no longer grow in number).
- Only a draft, or a sent proposal no moderator has taken up, can be changed, and only from
  the copy the author last loaded: a save based on an older copy (another tab) is refused,
  and the refusal carries the saved proposal so that the author sees both texts.

Concurrency: each write of an author runs in one transaction that first locks the author's
row (`lock_author`), so two requests of one participant take turns and the second sees what
the first stored: they cannot both slip under a limit or both send one text. A change also
locks the proposal's row, so a moderator taking it up waits for the save, or the save sees
the move.

The submission token: the form shown for a new proposal carries a random UUID, stored with
the proposal (unique in the database). A second POST of that form (a double click, a browser
retry) gets back the proposal the first one stored instead of storing another.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The author's own fields: the only ones an author's save writes.
AUTHOR_FIELDS = ("title", "wording", "rationale", "addressee")


class SubmissionRefused(Exception):
    """A rule refuses the author's save or send; `message` says why, for the author.

    `code` names the rule: "closed", "incomplete", "duplicate", "rate_limit", "draft_limit",
    "taken_up", "stale" or "token_taken". `duplicate` is the author's earlier proposal that
    the wording repeats; `saved` is the proposal as saved now, when the author's copy was stale.
    """

    def __init__(self, message, *, code, duplicate=None, saved=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.duplicate = duplicate
        self.saved = saved


def normalise_wording(text):
    """The wording as the duplicate check compares it: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def check_open(session):
    """Refuse when the session takes no proposals now."""
    reason = session.proposals_closed_reason()
    if reason:
        raise SubmissionRefused(reason, code="closed")


class AuthorQuerySetMixin:
    """The rules that look at an author's other proposals (for ProposalQuerySet)."""

    def lock_author(self, author_id):
        """Make the author's other writes wait for this transaction: call inside atomic()."""
        get_user_model().objects.select_for_update().only("pk").get(pk=author_id)

    def check_sending(self, *, session, author_id, wording, exclude=None):
        """Refuse sending `wording` to `session` now: closed, a repeated wording, or too many.

        Run it under the author's lock (see lock_author), or two requests at once could both
        pass it.
        """
        check_open(session)
        mine = self.by_author(author_id).filter(session=session)
        if exclude is not None:
            mine = mine.exclude(pk=exclude.pk)
        limit = settings.PROPOSAL_RATE_LIMIT
        window = settings.PROPOSAL_RATE_WINDOW
        since = timezone.now() - window
        not_standing = (self.model.Status.DRAFT, self.model.Status.WITHDRAWN)
        # One query for both rules (a submission's cost is mostly its queries): the standing
        # proposals, whose wording a new one may not repeat, and those sent within the window.
        candidates = list(
            mine.filter(~Q(status__in=not_standing) | Q(submitted_at__gte=since)).only(
                "pk", "title", "wording", "status", "submitted_at"
            )
        )
        wanted = normalise_wording(wording)
        for existing in candidates:
            if (
                existing.status not in not_standing
                and normalise_wording(existing.wording) == wanted
            ):
                raise SubmissionRefused(
                    _(
                        "You have already sent a proposal with this wording to this session: "
                        "“%(title)s”. There is no need to send it again."
                    )
                    % {"title": existing.title},
                    code="duplicate",
                    duplicate=existing,
                )
        recent = sorted(
            p.submitted_at for p in candidates if p.submitted_at and p.submitted_at >= since
        )
        if len(recent) >= limit:
            # The oldest submission still counted leaves the window first.
            free_at = timezone.localtime(recent[len(recent) - limit] + window)
            raise SubmissionRefused(
                ngettext(
                    "You have sent %(count)d proposal to this session recently, the most it "
                    "takes from one participant at a time. You can send the next one after "
                    "%(time)s.",
                    "You have sent %(count)d proposals to this session recently, the most it "
                    "takes from one participant at a time. You can send the next one after "
                    "%(time)s.",
                    len(recent),
                )
                % {"count": len(recent), "time": formats.time_format(free_at, "H:i")},
                code="rate_limit",
            )

    def check_draft_room(self, author_id):
        """Refuse a new draft to an author who keeps the most drafts allowed in open sessions."""
        limit = settings.PROPOSAL_DRAFT_LIMIT
        now = timezone.now()
        drafts = (
            self.by_author(author_id)
            .filter(status=self.model.Status.DRAFT, session__accepts_proposals=True)
            .filter(
                Q(session__proposals_deadline__isnull=True) | Q(session__proposals_deadline__gt=now)
            )
            .count()
        )
        if drafts >= limit:
            raise SubmissionRefused(
                ngettext(
                    "You already keep %(count)d draft, the most one participant may keep. "
                    "Send it, or write this text into it (see “My proposals”), then try "
                    "again: your text is still below.",
                    "You already keep %(count)d drafts, the most one participant may keep. "
                    "Send one of them, or write this text into one (see “My proposals”), then "
                    "try again: your text is still below.",
                    drafts,
                )
                % {"count": drafts},
                code="draft_limit",
            )


class AuthorActionsMixin:
    """The author's moves on a proposal (for Proposal): store, change, send."""

    def store_new(self, *, send=False):
        """Store this new proposal (session, author and token set), as a draft or sent at once.

        Returns (proposal, created). When a request with the same submission token stored it
        already, that proposal comes back with created False, and nothing is stored twice.
        Sent at once, it takes two INSERTs (the proposal, and its history draft → submitted):
        a row nobody else can see yet needs no lock. This is the forum's busiest write.
        """
        model = type(self)
        mine = model.objects.by_author(self.author_id)
        token = self.submission_token
        try:
            with transaction.atomic():
                model.objects.lock_author(self.author_id)
                existing = token and mine.filter(submission_token=token).first()
                if existing:
                    return existing, False
                if send:
                    self.check_complete()
                    model.objects.check_sending(
                        session=self.session, author_id=self.author_id, wording=self.wording
                    )
                    self.status = self.Status.SUBMITTED
                    self.submitted_at = timezone.now()
                else:
                    check_open(self.session)
                    model.objects.check_draft_room(self.author_id)
                self.save(force_insert=True)
                if send:
                    self.events.create(
                        actor=self.author, from_status=self.Status.DRAFT, to_status=self.status
                    )
        except IntegrityError:
            # The same token, stored by a request that raced this one past the check above.
            existing = token and mine.filter(submission_token=token).first()
            if existing:
                return existing, False
            self.status, self.submitted_at = self.Status.DRAFT, None
            # Another participant's token (a copied form): nothing of theirs is touched.
            raise SubmissionRefused(
                _("Something went wrong while saving. Please send the form again."),
                code="token_taken",
            ) from None
        return self, True

    store_new.alters_data = True

    def save_by_author(self, *, by, send=False, seen=None):
        """Save the author's changes (set on this instance), and send it when asked and a draft.

        `seen` is the `updated_at` of the copy the author changed: a save based on an older
        copy is refused. Only the author's fields are written, never a status a moderator may
        have changed meanwhile. Afterwards `status` is the proposal's current status.
        """
        model = type(self)
        with transaction.atomic():
            model.objects.lock_author(self.author_id)
            # Locked, so a moderator taking it up now waits for this save, or this one sees theirs.
            current = model.objects.select_for_update().get(pk=self.pk)
            if not current.is_editable_by_author:
                raise SubmissionRefused(
                    _(
                        "A moderator has just taken this proposal up, so your changes were not "
                        "saved. Your text is still below if you want to copy it."
                    ),
                    code="taken_up",
                )
            if seen is not None and current.updated_at != seen:
                raise SubmissionRefused(
                    _(
                        "This proposal was changed (in another window, perhaps) after you "
                        "opened it, so your changes were not saved. Your text is below, and "
                        "under it the text saved now: keep what you need and save again."
                    ),
                    code="stale",
                    saved=current,
                )
            self.status = current.status
            send = send and current.status == self.Status.DRAFT
            if send:
                self._check_sendable()
            elif current.status != self.Status.DRAFT:
                check_open(self.session)
            self.save(update_fields=[*AUTHOR_FIELDS, "updated_at"])
            if send:
                self._move(self.Status.SUBMITTED, by=by, submitted_at=timezone.now())

    save_by_author.alters_data = True

    def submit(self, *, by):
        """Send a draft to the moderators, after every rule for sending."""
        with transaction.atomic():
            type(self).objects.lock_author(self.author_id)
            return self._move(
                self.Status.SUBMITTED,
                by=by,
                check=self._check_sendable,
                submitted_at=timezone.now(),
            )

    submit.alters_data = True

    def check_complete(self):
        """Refuse sending a proposal that lacks a title, wording, rationale or addressee."""
        if not all(str(getattr(self, name)).strip() for name in AUTHOR_FIELDS):
            raise SubmissionRefused(
                _("Please complete the title, the wording, the rationale and the addressee."),
                code="incomplete",
            )

    def _check_sendable(self):
        self.check_complete()
        type(self).objects.check_sending(
            session=self.session, author_id=self.author_id, wording=self.wording, exclude=self
        )
