"""The programme's models, one module per concern; import them from here.

- forum.py: `Forum` (an edition of the event)
- people.py: `Person`, `Organisation`, `Participation` (a person's role in one session)
- session.py: `Session`, `SessionOrganiser`
- materials.py: `Material` (a file or a link published with a session)
- version.py: `ProgrammeVersion` (the number cached pages are keyed by)
"""

from .forum import Forum, ForumQuerySet
from .materials import Material, material_upload_to
from .people import Organisation, Participation, ParticipationQuerySet, Person, PersonQuerySet
from .session import Session, SessionOrganiser, SessionQuerySet
from .version import ProgrammeVersion

__all__ = [
    "Forum",
    "ForumQuerySet",
    "Material",
    "Organisation",
    "Participation",
    "ParticipationQuerySet",
    "Person",
    "PersonQuerySet",
    "ProgrammeVersion",
    "Session",
    "SessionOrganiser",
    "SessionQuerySet",
    "material_upload_to",
]
