"""Sessions of the programme and the organisations that organise them."""

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forum import Forum
from .materials import Material
from .people import Organisation, Participation, name_contains


class SessionQuerySet(models.QuerySet):
    def published(self):
        """Sessions the public may see."""
        return self.filter(is_published=True)

    def in_forum(self, forum):
        """Sessions of one forum edition, in time order."""
        return self.filter(forum=forum).order_by("starts_at", "room", "title")

    def of_edition(self, edition):
        """Sessions of the forum edition with this number."""
        return self.filter(forum__edition=edition)

    def on_day(self, day):
        """Sessions starting on a calendar day in the forum's time zone."""
        return self.filter(starts_at__date=day)

    def of_format(self, session_format):
        """Sessions of one format (round table, plenary, …)."""
        return self.filter(format=session_format)

    def search(self, text):
        """Sessions whose title, summary or confirmed people match every word of the text."""
        queryset = self
        for word in text.split():
            person_matches = Participation.objects.filter(
                session=OuterRef("pk"), is_confirmed=True
            ).filter(name_contains(word, via="person__"))
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Exists(person_matches)
            )
        return queryset

    def moderated_by(self, user):
        """Sessions this user moderates (all of them for a superuser): the admin's scope."""
        if user.is_superuser:
            return self.all()
        # Any account object: sessions never import proposals, where the User model lives.
        person_id = getattr(user, "person_id", None)
        if not user.is_authenticated or not person_id:
            return self.none()
        moderates = Participation.objects.filter(
            session=OuterRef("pk"), person=person_id, role=Participation.Role.MODERATOR
        )
        return self.filter(Exists(moderates))

    def with_moderators(self):
        """Prefetch confirmed moderators, in order, for programme listings."""
        return self.prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.confirmed()
                .filter(role=Participation.Role.MODERATOR)
                .select_related("person", "organisation"),
                to_attr="moderator_participations",
            )
        )

    def with_people(self):
        """Prefetch everything a session page shows: people, organisers and materials, in order."""
        return self.select_related("forum").prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.confirmed().select_related("person", "organisation"),
                to_attr="confirmed_participations",
            ),
            Prefetch(
                "organisers",
                queryset=SessionOrganiser.objects.select_related("organisation"),
                to_attr="organiser_list",
            ),
            Prefetch("materials", queryset=Material.objects.all(), to_attr="material_list"),
        )


class Session(models.Model):
    class Format(models.TextChoices):
        PLENARY = "plenary", _("Plenary session")
        ROUND_TABLE = "round_table", _("Round table")
        PANEL = "panel", _("Panel discussion")
        WORKSHOP = "workshop", _("Workshop")
        SECTION = "section", _("Section")
        PRESENTATION = "presentation", _("Presentation")

    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("forum")
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.ROUND_TABLE
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=50, blank=True)
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("Separate paragraphs with a blank line or a line break."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    accepts_proposals = models.BooleanField(
        _("accepts proposals"),
        default=True,
        help_text=_("Switch off to close proposals for this session at once."),
    )
    proposals_deadline = models.DateTimeField(
        _("proposals deadline"),
        null=True,
        blank=True,
        help_text=_("After this moment the session accepts no more proposals."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "room", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sessions:detail", kwargs={"slug": self.slug})

    @property
    def day(self):
        """The calendar day the session starts on, in the forum's time zone."""
        return timezone.localdate(self.starts_at)

    @property
    def time_range(self):
        """ "17:15–19:15" in the forum's time zone."""
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"

    @property
    def paragraphs(self):
        """The summary split into paragraphs, one per non-empty line."""
        return [line.strip() for line in self.summary.splitlines() if line.strip()]

    @property
    def moderators(self):
        """Confirmed moderators; uses the prefetched list when a queryset method loaded one."""
        if hasattr(self, "moderator_participations"):
            return self.moderator_participations
        return [p for p in self.confirmed_participations if p.role == Participation.Role.MODERATOR]

    @property
    def speakers(self):
        """Confirmed reporters and speakers in programme order (needs with_people())."""
        return [p for p in self.confirmed_participations if p.role == Participation.Role.SPEAKER]

    def proposals_closed_reason(self, now=None):
        """Why the session takes no proposals now, or "" when it does."""
        if not self.accepts_proposals:
            return _("Proposals for this session are closed.")
        now = now or timezone.now()
        if self.proposals_deadline and now >= self.proposals_deadline:
            return _("The deadline for proposals to this session has passed.")
        return ""


class SessionOrganiser(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="organisers", verbose_name=_("session")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="organised_sessions",
        verbose_name=_("organisation"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation"], name="organiser_once_per_session"
            )
        ]

    def __str__(self):
        return str(self.organisation)
