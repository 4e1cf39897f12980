import unicodedata
from functools import partial

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum_portal.text import full_name
from sessions.models import Person, Session

# The agenda's models live beside their rules; imported here so that the app registers them.
from .agenda import AgendaAddress, AgendaEntry  # noqa: F401
from .emails import send_decision_email
from .submission import AuthorActionsMixin, AuthorQuerySetMixin


class UserManager(BaseUserManager):
    use_in_migrations = True

    @staticmethod
    def normalize_login(email):
        """The one form of a login e-mail: stored, looked up at login, and counted by the throttle.

        NFKC first, as Django's login form does: look-alikes (`ｍod@…`, `𝐦od@…`, `mod＠…`) are
        the same account, and the same failed-login counter (proposals/throttle.py).
        Lower case, as addresses are unique whatever their case.
        """
        return unicodedata.normalize("NFKC", email or "").strip().lower()

    def get_by_natural_key(self, email):
        return self.get(email=self.normalize_login(email))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_login(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A forum participant's account; staff accounts linked to a person moderate sessions."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=300, blank=True)
    person = models.OneToOneField(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person in the programme"),
        help_text=_("Links a moderator's account to the person who moderates sessions."),
    )
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Moved by every star and unstar (proposals/agenda.py): see `page_state`.
    agenda_changed_at = models.DateTimeField(
        _("agenda changed at"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["surname", "first_name"]

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["surname", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_any_case"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_login(self.email)

    def get_full_name(self):
        """Surname first, as Russian programmes show names."""
        return full_name(self.surname, self.first_name, self.patronymic)

    def get_short_name(self):
        return self.first_name

    @property
    def page_state(self):
        """What the programme pages show of this user besides the programme: their stars."""
        return self.agenda_changed_at.isoformat() if self.agenda_changed_at else ""


class TransitionNotAllowed(Exception):
    """A status move the workflow does not allow; the message says why, for the person who tried."""


class ProposalQuerySet(AuthorQuerySetMixin, models.QuerySet):
    def by_author(self, user):
        """The proposals a participant wrote: the only ones they may see."""
        return self.filter(author=user)

    def moderated_by(self, user):
        """Proposals of the sessions this user moderates (Session.objects.moderated_by)."""
        return self.filter(session__in=Session.objects.moderated_by(user))

    def visible_to_moderators(self):
        """Proposals a moderator works on: everything but authors' unsent drafts."""
        return self.exclude(status=Proposal.Status.DRAFT)

    def accepted(self):
        """Accepted proposals: the session's draft recommendations."""
        return self.filter(status=Proposal.Status.ACCEPTED)

    def recommendations(self, session):
        """A session's draft recommendations: [(addressee label, [proposal, …]), …].

        Accepted proposals with their authors, in order of decision, grouped by addressee in
        the order of Proposal.Addressee (federal level first), only addressees with proposals.
        The recommendations page and both exports show exactly this.
        """
        by_addressee = {}
        accepted = self.accepted().filter(session=session).select_related("author")
        for proposal in accepted.order_by("decided_at", "pk"):
            by_addressee.setdefault(proposal.addressee, []).append(proposal)
        labels = dict(Proposal.Addressee.choices)
        # A value since dropped from the list comes last, under its stored name, not lost.
        order = [*labels, *sorted(by_addressee.keys() - labels.keys())]
        return [
            (labels.get(value, value), by_addressee[value])
            for value in order
            if value in by_addressee
        ]


class Proposal(AuthorActionsMixin, models.Model):
    """A participant's proposal for the draft recommendations of one session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another proposal")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Addressee(models.TextChoices):
        FEDERAL_ASSEMBLY = "federal_assembly", _("Federal Assembly of the Russian Federation")
        GOVERNMENT = "government", _("Government of the Russian Federation")
        FEDERAL_MINISTRIES = "federal_ministries", _("Federal ministries and agencies")
        REGIONAL = "regional", _("Regional authorities")
        MUNICIPAL = "municipal", _("Municipalities")
        OTHER = "other", _("Other")

    # Which moves each status allows; everything else is refused by _move().
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.UNDER_REVIEW, Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.ACCEPTED, Status.REJECTED, Status.MERGED},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
        Status.MERGED: set(),
        Status.WITHDRAWN: set(),
    }
    # Decisions the author is told about by e-mail (proposals/emails.py).
    DECISIONS = {Status.ACCEPTED, Status.REJECTED, Status.MERGED}
    # Statuses in which the author may still change the text.
    AUTHOR_EDITABLE = {Status.DRAFT, Status.SUBMITTED}
    TITLE_MAX_LENGTH = 200
    WORDING_MAX_LENGTH = 3000
    RATIONALE_MAX_LENGTH = 6000

    session = models.ForeignKey(
        "forum_sessions.Session",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("session"),
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("author")
    )
    title = models.CharField(_("short title"), max_length=TITLE_MAX_LENGTH)
    wording = models.TextField(
        _("proposed wording of the recommendation"), max_length=WORDING_MAX_LENGTH
    )
    rationale = models.TextField(_("rationale"), max_length=RATIONALE_MAX_LENGTH)
    addressee = models.CharField(_("addressed to"), max_length=30, choices=Addressee.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name=_("merged into"),
    )
    edited_wording = models.TextField(
        _("edited wording for the recommendations"),
        blank=True,
        help_text=_(
            "The moderator's wording for the draft recommendations; the author's stays as sent."
        ),
    )
    moderator_note = models.TextField(
        _("internal note"), blank=True, help_text=_("Seen by moderators only.")
    )
    public_answer = models.TextField(
        _("public answer"), blank=True, help_text=_("Shown to the author and sent by e-mail.")
    )
    # Identifies one submission attempt: a double click or a browser retry reuses it.
    submission_token = models.UUIDField(_("submission token"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", kwargs={"pk": self.pk})

    @property
    def is_editable_by_author(self):
        return self.status in self.AUTHOR_EDITABLE

    @property
    def recommendation_wording(self):
        """The wording the draft recommendations use: the moderator's edit when there is one."""
        return self.edited_wording or self.wording

    def can_move_to(self, status):
        return status in self.TRANSITIONS[self.Status(self.status)]

    def refusal_reason(self, to):
        """Why the workflow refuses moving from the current status to `to`; "" when it allows it."""
        return self._refusal_reason(self.status, to)

    def _refusal_reason(self, current, to):
        if to in self.TRANSITIONS[self.Status(current)]:
            return ""
        return _("“%(title)s” is %(current)s and cannot become %(target)s.") % {
            "title": self.title,
            "current": self.Status(current).label.lower(),
            "target": self.Status(to).label.lower(),
        }

    def withdraw(self, *, by):
        """The author takes a submitted proposal back before a moderator has taken it up."""
        return self._move(self.Status.WITHDRAWN, by=by)

    # A template never runs a state change: Django refuses to call these from one.
    withdraw.alters_data = True

    def take_up(self, *, by, note=""):
        """A moderator starts reviewing a submitted proposal; the author can no longer edit it."""
        return self._move(self.Status.UNDER_REVIEW, by=by, note=note)

    take_up.alters_data = True

    def accept(self, *, by, note="", notify=True):
        """Include the proposal in the session's draft recommendations."""
        return self._move(
            self.Status.ACCEPTED, by=by, note=note, notify=notify, decided_at=timezone.now()
        )

    accept.alters_data = True

    def reject(self, *, by, note="", notify=True):
        """Decline the proposal."""
        return self._move(
            self.Status.REJECTED, by=by, note=note, notify=notify, decided_at=timezone.now()
        )

    reject.alters_data = True

    def merge_into(self, target, *, by, note="", notify=True):
        """Mark the proposal a duplicate of another proposal of the same session."""
        if target.pk == self.pk:
            raise TransitionNotAllowed(_("A proposal cannot be merged into itself."))
        if target.session_id != self.session_id:
            raise TransitionNotAllowed(
                _("A proposal can only be merged into a proposal of the same session.")
            )
        if target.status in (self.Status.MERGED, self.Status.WITHDRAWN, self.Status.DRAFT):
            raise TransitionNotAllowed(
                _("A proposal cannot be merged into one that is %(status)s.")
                % {"status": target.get_status_display().lower()}
            )
        return self._move(
            self.Status.MERGED,
            by=by,
            note=note,
            notify=notify,
            merged_into=target,
            decided_at=timezone.now(),
        )

    merge_into.alters_data = True

    def _move(self, to, *, by, note="", notify=True, check=None, **fields):
        """Change the status if the workflow allows it, and record the move, atomically.

        The row is locked first, so two moderators acting at once end in one consistent
        status: the second sees the first one's move and is refused with the reason.
        A decision e-mails the author once the move commits, unless `notify` is False.
        """
        with transaction.atomic():
            current = Proposal.objects.select_for_update().only("status").get(pk=self.pk)
            reason = self._refusal_reason(current.status, to)
            if reason:
                raise TransitionNotAllowed(reason)
            if check is not None:
                check()  # a move's own rules (submit's), once the status allows it
            previous = current.status
            self.status = to
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["status", "updated_at", *fields])
            event = ProposalEvent.objects.create(
                proposal=self, actor=by, from_status=previous, to_status=to, note=note
            )
            if notify and to in self.DECISIONS:
                # Registered inside the move's transaction: a rolled-back move sends nothing.
                transaction.on_commit(partial(Proposal.email_decision, self.pk), robust=True)
        return event

    @classmethod
    def email_decision(cls, pk):
        """E-mail the author the decision as committed; nothing if it is no decision (any more)."""
        proposal = (
            cls.objects.select_related("author", "session", "merged_into")
            .filter(pk=pk, status__in=cls.DECISIONS)
            .first()
        )
        if proposal is None or not proposal.author.email:
            return 0
        return send_decision_email(proposal)


class ProposalEvent(models.Model):
    """One status change of a proposal: who, when, from, to, and why."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal")
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=20, choices=Proposal.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Proposal.Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
