"""Materials: where uploads are stored, which files are published, and how they are served.

Every kind of file a moderator may upload is checked whole (sessions/validators.py): the real
files below are made by the libraries that write them, the forged ones by hand.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from sessions import validators
from sessions.models import Material
from tests.factories import add_material, make_session

from .material_files import (
    docx_bytes,
    image_bytes,
    legacy_office_bytes,
    open_document_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
DAMAGED = (
    "This file is not a readable {kind} document: it is damaged, incomplete or of another "
    "kind. Open it, save it again as {kind} and upload the new copy."
)
DEMO_CONCEPT = (
    Path(django_settings.BASE_DIR)
    / "fixtures/media/materials/concept-international-cross-border-intermunicipal-cooperation.docx"
)


def _file_errors(upload, session):
    material = Material(session=session, title="Upload", file=upload)
    with pytest.raises(ValidationError) as excinfo:
        material.full_clean()
    return excinfo.value.message_dict["file"]


def _with_member(archive, name, content):
    """The archive's bytes with one more member."""
    buffer = io.BytesIO(archive)
    with zipfile.ZipFile(buffer, "a") as opened:
        opened.writestr(name, content)
    return buffer.getvalue()


# Storing


def test_material_without_file_or_link_is_refused_by_the_database(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(session=session, title="Nothing", file="", url="")


def test_material_with_both_file_and_link_is_refused_by_the_database(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(
            session=session, title="Both", file="materials/x.pdf", url="https://example.org/"
        )


def test_material_without_file_or_link_fails_validation_with_a_clear_message(session):
    material = Material(session=session, title="Nothing")

    with pytest.raises(ValidationError) as excinfo:
        material.full_clean()

    assert excinfo.value.messages == ["Give either a file or a link, not both."]


def test_material_upload_stored_under_generated_name_never_the_uploaders_path(session, settings):
    upload = SimpleUploadedFile("../../etc/Evil Name.PDF", PDF, content_type="application/pdf")
    material = Material(session=session, title="Concept", file=upload)

    material.full_clean()
    material.save()

    assert re.fullmatch(r"materials/[0-9a-f]{32}\.pdf", material.file.name), material.file.name
    stored = settings.MEDIA_ROOT / material.file.name
    assert stored.read_bytes() == PDF
    assert list((settings.MEDIA_ROOT / "materials").iterdir()) == [stored]


def test_material_two_uploads_with_the_same_name_get_different_files(session):
    first = add_material(session, file=SimpleUploadedFile("concept.pdf", PDF), url="")
    second = add_material(session, file=SimpleUploadedFile("concept.pdf", PDF + b"2"), url="")

    assert first.file.name != second.file.name


def test_material_download_name_is_slugified_title_with_extension(session):
    material = add_material(
        session, title="Concept of the round table “Cooperation”", url="", file="materials/a.docx"
    )

    assert material.download_name == "concept-of-the-round-table-cooperation.docx"


def test_material_download_name_of_a_russian_title_is_readable(db):
    session = make_session()
    material = Material(session=session, title="Концепция круглого стола", file="materials/x.docx")
    assert material.download_name == "kontseptsiia-kruglogo-stola.docx"


def test_material_file_is_served_as_an_attachment_the_browser_may_not_sniff(client, session):
    material = Material(session=session, title="Concept", file=SimpleUploadedFile("c.pdf", PDF))
    material.full_clean()
    material.save()

    response = client.get(material.get_absolute_url())

    assert (
        response["Content-Type"],
        response["Content-Disposition"],
        response["X-Content-Type-Options"],
    ) == ("application/pdf", 'attachment; filename="concept.pdf"', "nosniff")
    assert b"".join(response.streaming_content) == PDF


# Which files are published


def test_material_upload_of_a_refused_type_names_the_allowed_types(session):
    errors = _file_errors(SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), session)

    assert errors == [
        "Files of this type cannot be published. Allowed types: "
        "DOC, DOCX, JPEG, JPG, ODP, ODT, PDF, PNG, PPT, PPTX, XLS, XLSX."
    ]


def test_material_upload_without_extension_is_refused(session):
    errors = _file_errors(SimpleUploadedFile("concept", PDF), session)

    assert errors[0].startswith("Files of this type cannot be published.")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("concept.pdf", HTML, "PDF"),
        ("concept.docx", PDF, "DOCX"),
        ("photo.png", image_bytes("JPEG"), "PNG"),
        ("concept.pdf", b"", "PDF"),
    ],
)
def test_material_upload_whose_content_is_not_what_its_name_says_is_refused(
    session, name, content, kind
):
    errors = _file_errors(SimpleUploadedFile(name, content), session)

    assert errors == [f"The file's content does not match its {kind} extension."]


def test_material_upload_over_the_limit_is_refused_with_both_sizes(session, settings):
    settings.MATERIAL_MAX_UPLOAD_BYTES = 1024
    errors = _file_errors(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2043), session)

    assert errors == ["The file is too large (2.0\xa0KB). The limit is 1.0\xa0KB."]


def test_material_upload_at_the_limit_is_accepted(session, settings):
    settings.MATERIAL_MAX_UPLOAD_BYTES = len(PDF)
    material = Material(session=session, title="Exactly", file=SimpleUploadedFile("a.pdf", PDF))

    material.full_clean()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("concept.PDF", PDF),
        ("programme.pdf", pdf_bytes(pages=12)),
        ("concept.docx", docx_bytes()),
        ("budget.xlsx", xlsx_bytes()),
        ("slides.pptx", pptx_bytes()),
        ("concept.odt", open_document_bytes("text")),
        ("slides.odp", open_document_bytes("presentation")),
        ("concept.doc", legacy_office_bytes(".doc")),
        ("budget.xls", legacy_office_bytes(".xls")),
        ("slides.ppt", legacy_office_bytes(".ppt")),
        ("photo.jpeg", image_bytes("JPEG")),
        ("photo.jpg", image_bytes("JPEG")),
        ("chart.png", image_bytes("PNG")),
    ],
)
def test_material_upload_of_a_real_file_of_each_allowed_kind_is_accepted(session, name, content):
    material = Material(session=session, title="Fine", file=SimpleUploadedFile(name, content))

    material.full_clean()


def test_material_upload_of_the_demo_concept_docx_is_accepted(session):
    upload = SimpleUploadedFile("concept.docx", DEMO_CONCEPT.read_bytes())
    material = Material(session=session, title="Concept", file=upload)

    material.full_clean()


# Forged and damaged files (issue 9, item 21): the first bytes are right, the rest is not


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + HTML,
        b"%PDF-1.7\n" + HTML + b"startxref\n0\n%%EOF\n",
        PDF[:9] + HTML + PDF[9:],  # a page inside a real PDF, whose offsets no longer hold
        PDF + HTML,  # a page after a real PDF's end
    ],
    ids=["html", "html-with-eof", "html-inside", "html-after"],
)
def test_material_upload_of_a_forged_pdf_is_refused(session, content):
    errors = _file_errors(SimpleUploadedFile("concept.pdf", content), session)

    assert errors == [DAMAGED.format(kind="PDF")]


@pytest.mark.parametrize(
    "content",
    [pdf_bytes(pages=3)[:-40], pdf_bytes(pages=3)[: len(pdf_bytes(pages=3)) // 2]],
    ids=["end-cut", "half"],
)
def test_material_upload_of_a_truncated_pdf_is_refused(session, content):
    errors = _file_errors(SimpleUploadedFile("concept.pdf", content), session)

    assert errors == [DAMAGED.format(kind="PDF")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("concept.docx", zip_bytes({"index.html": HTML})),
        ("concept.docx", xlsx_bytes()),
        ("concept.docx", docx_bytes()[:-200]),
        ("concept.docx", _with_member(docx_bytes(), "word/extra.xml", b"<not-closed>")),
        ("budget.xlsx", docx_bytes()),
        ("slides.pptx", zip_bytes({"[Content_Types].xml": b"<Types/>", "a.html": HTML})),
        ("concept.odt", open_document_bytes("presentation")),
        ("slides.odp", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.presentation"})),
        ("concept.docx", docx_bytes() + HTML),
    ],
    ids=[
        "html-zip",
        "xlsx-named-docx",
        "truncated-docx",
        "broken-xml-part",
        "docx-named-xlsx",
        "html-named-pptx",
        "odp-named-odt",
        "odp-without-content",
        "html-after-docx",
    ],
)
def test_material_upload_of_an_archive_that_is_not_its_format_is_refused(session, name, content):
    kind = name.rsplit(".", 1)[1].upper()

    errors = _file_errors(SimpleUploadedFile(name, content), session)

    assert errors == [DAMAGED.format(kind=kind)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("concept.doc", legacy_office_bytes(".xls")),
        ("budget.xls", legacy_office_bytes(".ppt")),
        ("slides.ppt", legacy_office_bytes(".doc")),
        ("concept.doc", legacy_office_bytes(".doc")[:1024]),
    ],
    ids=["xls-named-doc", "ppt-named-xls", "doc-named-ppt", "truncated-doc"],
)
def test_material_upload_of_a_compound_file_that_is_not_its_format_is_refused(
    session, name, content
):
    kind = name.rsplit(".", 1)[1].upper()

    errors = _file_errors(SimpleUploadedFile(name, content), session)

    assert errors == [DAMAGED.format(kind=kind)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("chart.png", image_bytes("PNG", size=(64, 64))[:-30]),
        ("photo.jpg", image_bytes("JPEG", size=(64, 64))[:-30]),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML),
        ("chart.png", image_bytes("PNG", size=(64, 64)) + HTML),
    ],
    ids=["truncated-png", "truncated-jpeg", "html-after-jpeg-marker", "html-after-png"],
)
def test_material_upload_of_a_damaged_image_is_refused(session, name, content):
    kind = name.rsplit(".", 1)[1].upper()

    errors = _file_errors(SimpleUploadedFile(name, content), session)

    assert errors == [DAMAGED.format(kind=kind)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("concept.docx", _with_member(docx_bytes(), "word/vbaProject.bin", b"\x00" * 64)),
        ("concept.doc", legacy_office_bytes(".doc", storages=("Macros",))),
        ("budget.xls", legacy_office_bytes(".xls", storages=("_VBA_PROJECT_CUR",))),
    ],
    ids=["docx", "doc", "xls"],
)
def test_material_upload_with_macros_is_refused(session, name, content):
    kind = name.rsplit(".", 1)[1].upper()

    errors = _file_errors(SimpleUploadedFile(name, content), session)

    assert errors == [
        f"This {kind} file contains macros, which cannot be published. "
        "Save it as a document without macros and upload that copy."
    ]


@pytest.mark.parametrize("size", [(8000, 6000), (20000, 10000)], ids=["ours", "pillows"])
def test_material_upload_of_an_image_of_too_many_pixels_is_refused(session, size):
    """Over our limit, and over Pillow's own (which it raises before we see the size)."""
    huge = image_bytes("PNG", size=size, mode="1")

    errors = _file_errors(SimpleUploadedFile("map.png", huge), session)

    assert errors == ["The image is too large: more than 40,000,000 pixels."]


def test_material_upload_of_an_archive_unpacking_past_the_bound_is_refused(session, monkeypatch):
    content = docx_bytes()
    monkeypatch.setattr(validators, "MAX_UNPACKED_BYTES", len(content))

    errors = _file_errors(SimpleUploadedFile("concept.docx", content), session)

    assert errors == [DAMAGED.format(kind="DOCX")]
