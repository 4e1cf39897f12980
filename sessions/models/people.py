"""People in the programme, their organisations, and their participations in sessions."""

from django.db import models
from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forum_portal.text import full_name, latin_slug


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300, unique=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


def name_contains(word, via=""):
    """A filter: the surname, first name or patronymic (of the person at `via`) contains `word`."""
    return (
        Q(**{f"{via}surname__icontains": word})
        | Q(**{f"{via}first_name__icontains": word})
        | Q(**{f"{via}patronymic__icontains": word})
    )


class PersonQuerySet(models.QuerySet):
    def in_programme(self):
        """People confirmed in at least one published session, as moderator or speaker."""
        confirmed = Participation.objects.filter(
            person=OuterRef("pk"), is_confirmed=True, session__is_published=True
        )
        return self.filter(Exists(confirmed))

    def with_last_change(self):
        """Annotate `last_change`: the last change of a published session they are confirmed in."""
        public = Q(participations__is_confirmed=True, participations__session__is_published=True)
        return self.annotate(last_change=Max("participations__session__updated_at", filter=public))

    def search(self, text):
        """People whose surname, first name or patronymic contain every word of the text."""
        queryset = self
        for word in text.split():
            queryset = queryset.filter(name_contains(word))
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
            self.slug = self._unique_slug(latin_slug(self.full_name) or "person")
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
        return full_name(self.surname, self.first_name, self.patronymic)


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
        "Session",
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("session"),
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
