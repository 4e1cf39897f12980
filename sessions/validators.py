"""Checks for uploaded materials: the size, the type, and the whole structure of the file.

A file's first bytes are easy to forge (`%PDF-` followed by an HTML page passes a signature
check), so each format we publish is opened by a parser that reads all of it:

- PDF: pypdf, in strict mode, reads the cross-reference table where the file says it is, the
  trailer and every page; the file must end with its `%%EOF` marker (nothing appended after it).
- DOCX, XLSX, PPTX (Office Open XML): a ZIP archive whose every member passes its CRC check,
  whose every XML part is well-formed, and whose main part (found through `_rels/.rels`) has the
  content type of its extension in `[Content_Types].xml`; a DOCX is also opened by python-docx.
- ODT, ODP (OpenDocument): a ZIP archive whose `mimetype` member names the format, with
  `META-INF/manifest.xml` and `content.xml`, every XML part well-formed.
- DOC, XLS, PPT (legacy Office): an OLE compound file whose every stream can be read, with the
  format's main stream starting with that format's record.
- PNG, JPEG: Pillow verifies the file and decodes every pixel.

Office files carrying macros are refused: participants download what we publish. Materials are
also served as attachments with `X-Content-Type-Options: nosniff` (sessions/views.py), so even a
file that passed would never be rendered by the browser as a page of ours.
"""

import logging
import zipfile
from functools import partial
from pathlib import PurePath

import docx
import olefile
import pypdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree
from PIL import Image

logger = logging.getLogger(__name__)

# The most an archive may unpack to. Reading is bounded by the sizes the archive declares,
# so this caps the work a small "ZIP bomb" can ask of us.
MAX_UNPACKED_BYTES = 500 * 2**20
# The largest image we decode (a 40-megapixel photo takes about 120 MB while it is checked).
MAX_IMAGE_PIXELS = 40_000_000

_OFFICE_DOCUMENT_RELATIONSHIP = "/officeDocument"  # the Type's ending, transitional or strict
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class Damaged(Exception):
    """The file starts like its format but is not a whole, readable file of it."""


class HasMacros(Exception):
    """The file carries macros, which we do not publish."""


def validate_material_file(upload):
    """Refuse files that are too large, of a kind we do not publish, or not what their name says."""
    if isinstance(upload, FieldFile) and upload._committed:
        # Already stored, so checked when it was uploaded. Model validation runs on every save
        # of the session's admin form: re-reading each stored file then would turn a file
        # missing from disk into a server error and block unrelated edits.
        return
    suffix = PurePath(PurePath(upload.name).name).suffix.lower()
    if suffix not in MATERIAL_FORMATS:
        allowed = ", ".join(sorted(ext.lstrip(".").upper() for ext in MATERIAL_FORMATS))
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
    signatures, check_structure = MATERIAL_FORMATS[suffix]
    kind = suffix.lstrip(".").upper()
    upload.seek(0)
    head = upload.read(16)
    if not head.startswith(signatures):
        raise ValidationError(
            _("The file's content does not match its %(ext)s extension.") % {"ext": kind},
            code="file_content",
        )
    try:
        upload.seek(0)
        check_structure(upload)
    except ValidationError:
        raise
    except HasMacros:
        raise ValidationError(
            _(
                "This %(ext)s file contains macros, which cannot be published. "
                "Save it as a document without macros and upload that copy."
            )
            % {"ext": kind},
            code="file_macros",
        ) from None
    except Exception as error:  # whatever a parser trips on in this file, the file is refused
        logger.info("Material %r refused as a damaged %s: %r", upload.name, kind, error)
        raise ValidationError(
            _(
                "This file is not a readable %(ext)s document: it is damaged, incomplete or of "
                "another kind. Open it, save it again as %(ext)s and upload the new copy."
            )
            % {"ext": kind},
            code="file_damaged",
        ) from None
    finally:
        upload.seek(0)


def check_pdf(upload):
    """A PDF pypdf reads strictly: cross-references, trailer and every page, ending at %%EOF."""
    upload.seek(max(0, upload.size - 1024))
    if not upload.read().rstrip(b"\x00\t\n\f\r ").endswith(b"%%EOF"):
        raise Damaged("something follows the last %%EOF, or it is missing")
    upload.seek(0)
    reader = pypdf.PdfReader(upload, strict=True)
    if reader.is_encrypted:
        # Readable only with a password; pypdf has parsed its cross-references and trailer.
        return
    if len(reader.pages) < 1:
        raise Damaged("no pages")
    for page in reader.pages:  # each page object resolved, with its inherited attributes
        if page.mediabox.width <= 0 or page.mediabox.height <= 0:
            raise Damaged("a page without a size")


def _parse_xml(data):
    """The parsed XML, never fetching or expanding anything it declares (a parser per call:
    lxml's are not to be shared between threads)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _tail(upload, size):
    """The last `size` bytes of the file (all of it when shorter)."""
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(max(0, end - size))
    tail = upload.read()
    upload.seek(0)
    return tail


def _open_archive(upload):
    """The ZIP archive, once every member is known to unpack whole and within our bound, and
    nothing follows its end record (its comment may be up to 65,535 bytes)."""
    tail = _tail(upload, 22 + 65535)
    end_record = tail.rfind(b"PK\x05\x06")
    if end_record < 0 or len(tail) - end_record < 22:
        raise Damaged("no end record")
    comment_length = int.from_bytes(tail[end_record + 20 : end_record + 22], "little")
    if end_record + 22 + comment_length != len(tail):
        raise Damaged("bytes after the archive's end")
    archive = zipfile.ZipFile(upload)
    if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise Damaged("unpacks to too much")
    if archive.testzip() is not None:
        raise Damaged("a member fails its CRC check")
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            _parse_xml(archive.read(name))
    return archive


def check_office_open_xml(upload, main_content_type, open_with=None):
    """A DOCX, XLSX or PPTX: its main part has the content type its extension promises."""
    archive = _open_archive(upload)
    names = {name.lower() for name in archive.namelist()}
    if any(PurePath(name).name == "vbaproject.bin" for name in names):
        raise HasMacros
    relationships = _parse_xml(archive.read("_rels/.rels"))
    targets = [
        rel.get("Target", "").lstrip("/")
        for rel in relationships.iter(f"{_RELATIONSHIPS}Relationship")
        if rel.get("Type", "").endswith(_OFFICE_DOCUMENT_RELATIONSHIP)
    ]
    if len(targets) != 1 or targets[0].lower() not in names:
        raise Damaged("no main part")
    content_types = _parse_xml(archive.read("[Content_Types].xml"))
    declared = {
        override.get("PartName", "").lstrip("/").lower(): override.get("ContentType")
        for override in content_types.iter(f"{_CONTENT_TYPES}Override")
    }
    if declared.get(targets[0].lower()) != main_content_type:
        raise Damaged("the main part is of another kind")
    if open_with is not None:
        upload.seek(0)
        open_with(upload)


def check_open_document(upload, mimetype):
    """An ODT or ODP: the archive's mimetype names the format; manifest and content present."""
    archive = _open_archive(upload)
    names = set(archive.namelist())
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise HasMacros
    if not {"mimetype", "META-INF/manifest.xml", "content.xml"} <= names:
        raise Damaged("a required part is missing")
    if archive.read("mimetype").strip() != mimetype.encode():
        raise Damaged("the archive is another OpenDocument format")


def check_compound_file(upload, main_stream, starts_with, macro_storages=()):
    """A DOC, XLS or PPT: every stream reads whole; the main one starts with its record."""
    ole = olefile.OleFileIO(upload)
    try:
        for path in ole.listdir(streams=True, storages=False):
            ole.openstream(path).read()
        if any(ole.exists(storage) for storage in macro_storages):
            raise HasMacros
        if not ole.exists(main_stream):
            raise Damaged("the main stream is missing")
        head = ole.openstream(main_stream).read(4)
        if not starts_with(head):
            raise Damaged("the main stream is of another format")
    finally:
        ole.close()


def check_image(upload, image_format):
    """A PNG or JPEG Pillow verifies and decodes to the last pixel, if it is not too large."""
    too_large = ValidationError(
        _("The image is too large: more than %(limit)s pixels.")
        % {"limit": f"{MAX_IMAGE_PIXELS:,}"},
        code="image_size",
    )
    try:
        with Image.open(upload, formats=[image_format]) as image:
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError:  # Pillow's own, higher limit
        raise too_large from None
    if width * height > MAX_IMAGE_PIXELS:
        raise too_large
    # Pillow stops reading at a PNG's last chunk: anything after it would go unseen.
    if image_format == "PNG" and _tail(upload, 12) != b"\x00\x00\x00\x00IEND\xaeB`\x82":
        raise Damaged("bytes after the image's end")
    upload.seek(0)
    with Image.open(upload, formats=[image_format]) as image:
        image.load()


_ZIP = (b"PK\x03\x04",)
_OLE = (olefile.MAGIC,)
_JPEG = (b"\xff\xd8\xff",)
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
# The kinds of file we publish: extension -> (the first bytes it starts with, its full check).
MATERIAL_FORMATS = {
    ".pdf": ((b"%PDF-",), check_pdf),
    ".docx": (
        _ZIP,
        partial(
            check_office_open_xml,
            main_content_type=f"{_OOXML}wordprocessingml.document.main+xml",
            open_with=docx.Document,
        ),
    ),
    ".xlsx": (
        _ZIP,
        partial(check_office_open_xml, main_content_type=f"{_OOXML}spreadsheetml.sheet.main+xml"),
    ),
    ".pptx": (
        _ZIP,
        partial(
            check_office_open_xml,
            main_content_type=f"{_OOXML}presentationml.presentation.main+xml",
        ),
    ),
    ".odt": (_ZIP, partial(check_open_document, mimetype=f"{_ODF}text")),
    ".odp": (_ZIP, partial(check_open_document, mimetype=f"{_ODF}presentation")),
    # Each main stream's first record: Word's FIB (0xA5EC), Excel's BOF (0x0809), PowerPoint's
    # DocumentContainer (type 0x03E8 after two bytes of version and instance).
    ".doc": (
        _OLE,
        partial(
            check_compound_file,
            main_stream="WordDocument",
            starts_with=lambda head: head[:2] == b"\xec\xa5",
            macro_storages=("Macros",),
        ),
    ),
    ".xls": (
        _OLE,
        partial(
            check_compound_file,
            main_stream="Workbook",
            starts_with=lambda head: head[:2] == b"\x09\x08",
            macro_storages=("_VBA_PROJECT_CUR",),
        ),
    ),
    ".ppt": (
        _OLE,
        partial(
            check_compound_file,
            main_stream="PowerPoint Document",
            starts_with=lambda head: head[2:4] == b"\xe8\x03",
        ),
    ),
    ".png": ((b"\x89PNG\r\n\x1a\n",), partial(check_image, image_format="PNG")),
    ".jpg": (_JPEG, partial(check_image, image_format="JPEG")),
    ".jpeg": (_JPEG, partial(check_image, image_format="JPEG")),
}
