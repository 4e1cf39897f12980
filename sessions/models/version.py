"""The programme's version: what cached pages and ETags are keyed by."""

from django.db import models
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    def read(cls):
        """The programme's version now: one primary-key read (created on first use)."""
        version = cls.objects.filter(pk=1).first()
        if version is None:
            version, _created = cls.objects.get_or_create(pk=1)
        return version

    @classmethod
    def bump(cls):
        """Move to a new version: one UPDATE, in the caller's transaction.

        changed_at is the real moment of the change (it is the pages' Last-Modified), and
        never moves back: an instance whose clock is a little behind leaves it as it is. The
        number tells versions apart, whole seconds or not (it is in every key and ETag).
        """
        now = timezone.now()
        moved = cls.objects.filter(pk=1).update(
            number=models.F("number") + 1,
            changed_at=Greatest(
                models.Value(now, output_field=models.DateTimeField()), models.F("changed_at")
            ),
        )
        if not moved:  # a fresh or flushed database: start the row
            cls.objects.get_or_create(pk=1, defaults={"number": 2, "changed_at": now})
