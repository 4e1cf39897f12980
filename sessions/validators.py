"""Checks for uploaded materials: the size, and the type read from the file's content."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The first bytes each allowed kind of document starts with. Office Open XML and
# OpenDocument files are ZIP archives; legacy Office files are OLE compound files.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
MATERIAL_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": _ZIP,
    ".pptx": _ZIP,
    ".xlsx": _ZIP,
    ".odt": _ZIP,
    ".odp": _ZIP,
    ".doc": _OLE,
    ".ppt": _OLE,
    ".xls": _OLE,
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def validate_material_file(upload):
    """Refuse files that are too large, of a kind we do not publish, or not what their name says."""
    if isinstance(upload, FieldFile) and upload._committed:
        # Already stored, so checked when it was uploaded. Model validation runs on every save
        # of the session's admin form: re-reading each stored file then would turn a file
        # missing from disk into a server error and block unrelated edits.
        return
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in MATERIAL_SIGNATURES:
        allowed = ", ".join(sorted(ext.lstrip(".").upper() for ext in MATERIAL_SIGNATURES))
        raise ValidationError(
            _("Files of this type cannot be published. Allowed types: %(allowed)s.")
            % {"allowed": allowed},
            code="file_type",
        )
    limit = settings.MATERIAL_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(MATERIAL_SIGNATURES[suffix]):
        raise ValidationError(
            _("The file's content does not match its %(ext)s extension.")
            % {"ext": suffix.lstrip(".").upper()},
            code="file_content",
        )
