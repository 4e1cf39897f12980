"""Materials published with a session: an uploaded file or a link."""

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forum_portal.text import latin_slug

from ..validators import validate_material_file


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
        "Session", on_delete=models.CASCADE, related_name="materials", verbose_name=_("session")
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
