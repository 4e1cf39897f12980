"""A participant's agenda: the sessions they starred, and its private calendar address.

- `AgendaEntry(user, session)`, once per pair: a star. Only published sessions show in the
  agenda and its calendar (`starred_sessions`), so a session taken out of the programme leaves
  them without the entry being lost.
- `AgendaAddress`: the secret of the address a calendar app subscribes to
  (`/agenda/<token>/calendar.ics`, no login): 43 random URL-safe characters (256 bits), unique;
  a new address replaces the token, so the old one is a 404 at once.
- Every star and unstar moves `User.agenda_changed_at`: the programme pages' ETag for this user
  carries it (`User.page_state`, read by sessions/page_cache/conditional.py), so a browser's
  copy of a page with the old star is never revived by a 304; a user who never starred costs
  the pages no query.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Session

TOKEN_BYTES = 32


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


class AgendaEntryQuerySet(models.QuerySet):
    def of(self, user):
        """The stars of one participant."""
        return self.filter(user=user)


class AgendaEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agenda_entries",
        verbose_name=_("participant"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="agenda_entries",
        verbose_name=_("session"),
    )
    created_at = models.DateTimeField(_("starred at"), auto_now_add=True)

    objects = AgendaEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda entry")
        verbose_name_plural = _("agenda entries")
        constraints = [
            models.UniqueConstraint(fields=["user", "session"], name="agenda_entry_once")
        ]

    def __str__(self):
        return f"{self.user} — {self.session}"


class AgendaAddress(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agenda_address",
        verbose_name=_("participant"),
    )
    token = models.CharField(_("secret"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda calendar address")
        verbose_name_plural = _("agenda calendar addresses")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("proposals:agenda_calendar", kwargs={"token": self.token})

    @classmethod
    def of(cls, user):
        """The participant's address, made on first use."""
        address, _created = cls.objects.get_or_create(user=user)
        return address

    def renew(self):
        """A new secret: the old address stops working at once."""
        self.token = new_token()
        self.created_at = timezone.now()
        self.save(update_fields=["token", "created_at"])


def starred_sessions(user):
    """The published sessions a participant starred, in time order."""
    return (
        Session.objects.published()
        .filter(agenda_entries__user=user)
        .order_by(*Session._meta.ordering)
    )


def starred_ids(user):
    """The primary keys of the sessions a participant starred (no query if they never did)."""
    if not user.is_authenticated or user.agenda_changed_at is None:
        return frozenset()
    return frozenset(AgendaEntry.objects.of(user).values_list("session_id", flat=True))


def _agenda_changed(user):
    user.agenda_changed_at = timezone.now()
    user.save(update_fields=["agenda_changed_at"])


@transaction.atomic
def star(user, session):
    """Add a session to the participant's agenda (again is no change)."""
    AgendaEntry.objects.get_or_create(user=user, session=session)
    _agenda_changed(user)


@transaction.atomic
def unstar(user, session):
    """Take a session out of the participant's agenda."""
    AgendaEntry.objects.of(user).filter(session=session).delete()
    _agenda_changed(user)
