"""Every change to what the public programme pages show moves the programme version.

Saves and deletes through the ORM and the admin (inlines included) send these signals;
`QuerySet.update()`, `bulk_create()` and raw SQL do not, so code that changes the programme in
bulk calls `ProgrammeVersion.bump()` itself (as bench/generate.py does).
"""

from django.db.models.signals import post_delete, post_save

from .models import (
    Forum,
    Material,
    Organisation,
    Participation,
    Person,
    ProgrammeVersion,
    Session,
    SessionOrganiser,
)

PROGRAMME_MODELS = (
    Forum,
    Session,
    Person,
    Organisation,
    Participation,
    SessionOrganiser,
    Material,
)


def programme_changed(sender, **kwargs):
    # Fixtures (raw saves) change the programme too, so they bump as well.
    ProgrammeVersion.bump()


def connect():
    for model in PROGRAMME_MODELS:
        post_save.connect(programme_changed, sender=model, dispatch_uid=f"programme-{model}-save")
        post_delete.connect(
            programme_changed, sender=model, dispatch_uid=f"programme-{model}-delete"
        )
