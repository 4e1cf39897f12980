"""The forum: one edition of the event whose programme the portal shows."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ForumQuerySet(models.QuerySet):
    def latest_edition(self):
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
