import uuid
from datetime import timedelta
from pathlib import PurePath

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum_portal.text import latin_slug

from .validators import validate_material_file


class ForumQuerySet(models.QuerySet):
    def current(self):
        """The forum the programme shows: the latest edition, or None before any exists."""
        return self.order_by("-starts_on", "-edition").first()


class Forum(models.Model):
    name = models.CharField(_("name"), max_length=300)
    edition = models.PositiveSmallIntegerField(_("edition number"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    city = models.CharField(_("city"), max_length=100)

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="forum_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300, unique=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def speaking(self):
        """People confirmed in at least one published session, in programme order of names."""
        confirmed = Participation.objects.filter(
            person=OuterRef("pk"), is_confirmed=True, session__is_published=True
        )
        return self.filter(Exists(confirmed))

    def search(self, text):
        """People whose surname, first name or patronymic contain every word of the text."""
        queryset = self
        for word in text.split():
            queryset = queryset.filter(
                Q(surname__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
            )
        return queryset

    def with_public_participations(self):
        """Prefetch each person's confirmed, published participations, in time order."""
        return self.prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.public()
                .select_related("session", "organisation")
                .order_by("session__starts_at", "role"),
                to_attr="public_participations",
            )
        )


class Person(models.Model):
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Russian programmes list people by surname, then first name and patronymic.
        ordering = ["surname", "first_name", "patronymic"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug(
                latin_slug(f"{self.surname} {self.first_name} {self.patronymic}") or "person"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sessions:speaker", kwargs={"slug": self.slug})

    def _unique_slug(self, base):
        """The base slug, or base-2, base-3, … when namesakes already hold it."""
        taken = set(
            Person.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        return slug

    @property
    def full_name(self):
        """Surname first, as the programme shows it: "Didenko Aleksei"."""
        return " ".join(part for part in (self.surname, self.first_name, self.patronymic) if part)


class SessionQuerySet(models.QuerySet):
    def published(self):
        """Sessions the public may see."""
        return self.filter(is_published=True)

    def in_forum(self, forum):
        """Sessions of one forum edition, in time order."""
        return self.filter(forum=forum).order_by("starts_at", "room", "title")

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
            ).filter(
                Q(person__surname__icontains=word)
                | Q(person__first_name__icontains=word)
                | Q(person__patronymic__icontains=word)
            )
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Exists(person_matches)
            )
        return queryset

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


class ParticipationQuerySet(models.QuerySet):
    def confirmed(self):
        """Participations the public pages show ("only registered moderators and speakers")."""
        return self.filter(is_confirmed=True)

    def public(self):
        """Confirmed participations in published sessions."""
        return self.confirmed().filter(session__is_published=True)


class Participation(models.Model):
    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        SPEAKER = "speaker", _("Reporter")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="participations", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="participations", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPEAKER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=300, blank=True)
    report_title = models.CharField(_("report title"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_confirmed = models.BooleanField(_("confirmed"), default=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "role"], name="participation_once_per_role"
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"

    @property
    def affiliation(self):
        """ "Union of Russian Cities. General Director", as the programme shows it."""
        parts = [str(self.organisation) if self.organisation_id else "", self.position]
        return ". ".join(part for part in parts if part)


def material_upload_to(material, filename):
    """A generated name: never the uploader's path or name, keeping only the extension."""
    return f"materials/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Material(models.Model):
    class Kind(models.TextChoices):
        CONCEPT = "concept", _("Concept")
        PRESENTATION = "presentation", _("Presentation")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="materials", verbose_name=_("session")
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(
        _("file"),
        upload_to=material_upload_to,
        blank=True,
        validators=[validate_material_file],
        max_length=200,
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="material_file_or_link",
                violation_error_message=_("Give either a file or a link, not both."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sessions:material", kwargs={"slug": self.session.slug, "pk": self.pk})

    @property
    def download_name(self):
        """The name a participant's browser saves the file under."""
        suffix = PurePath(self.file.name).suffix if self.file else ""
        return f"{latin_slug(self.title) or 'material'}{suffix}"


class ProgrammeVersion(models.Model):
    """One row whose number moves on every change to what the public programme pages show.

    Cached page fragments and ETags carry this number. It lives in the database, not in a
    process or a local cache, so a change made through one instance is seen by every worker
    of every instance at its next request.
    """

    number = models.PositiveBigIntegerField(_("number"), default=1)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")

    def __str__(self):
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls):
        """The programme's version now: one primary-key read (created on first use)."""
        version = cls.objects.filter(pk=1).first()
        if version is None:
            version, _created = cls.objects.get_or_create(pk=1)
        return version

    @classmethod
    def bump(cls):
        """Move to a new version: one UPDATE, in the caller's transaction.

        changed_at moves by at least a second, so that Last-Modified (whole seconds) differs
        between any two versions; in a burst of changes it may run a few seconds ahead.
        """
        now = timezone.now()
        moved = cls.objects.filter(pk=1).update(
            number=models.F("number") + 1,
            changed_at=Greatest(
                models.Value(now, output_field=models.DateTimeField()),
                models.ExpressionWrapper(
                    models.F("changed_at") + timedelta(seconds=1),
                    output_field=models.DateTimeField(),
                ),
            ),
        )
        if not moved:  # a fresh or flushed database: start the row
            cls.objects.get_or_create(pk=1, defaults={"number": 2, "changed_at": now})
