"""Real files of every kind a moderator may upload, made here by the libraries that write them.

Nothing is fetched: PDF by pypdf, DOCX by python-docx, XLSX by XlsxWriter, PPTX by python-pptx,
images by Pillow. OpenDocument archives and legacy Office compound files have no writer among
our dependencies; they are assembled by the two small builders below, after their specifications.
"""

import io
import struct
import zipfile

import docx
import pptx
import pypdf
import xlsxwriter
from PIL import Image


def pdf_bytes(pages=1):
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(text="Concept of the round table."):
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet().write("A1", "Participants")
    workbook.close()
    return buffer.getvalue()


def pptx_bytes():
    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    slide.shapes.title.text = "Cross-border cooperation"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def image_bytes(image_format, size=(8, 8), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=image_format)
    return buffer.getvalue()


def zip_bytes(members):
    """A ZIP archive of {name: bytes}, in that order, the first member stored (as ODF wants)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, (name, content) in enumerate(members.items()):
            compression = zipfile.ZIP_STORED if index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


def open_document_bytes(kind="text"):
    """A minimal OpenDocument file (ODF 1.2 §3.3: mimetype first, manifest, content)."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    return zip_bytes(
        {
            "mimetype": mimetype.encode(),
            "META-INF/manifest.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>'
            ).encode(),
            "content.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                f'xmlns:office="{office}" office:version="1.2"><office:body/>'
                "</office:document-content>"
            ).encode(),
        }
    )


# The first record each legacy Office format's main stream starts with (see validators.py).
LEGACY_MAIN_STREAMS = {
    ".doc": ("WordDocument", b"\xec\xa5\xc1\x00"),
    ".xls": ("Workbook", b"\x09\x08\x10\x00"),
    ".ppt": ("PowerPoint Document", b"\x0f\x00\xe8\x03"),
}

_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file_bytes(streams, storages=()):
    """A version-3 OLE compound file ([MS-CFB]): {name: bytes} streams and empty storages.

    Each stream is padded to 4096 bytes, so that it lives in ordinary 512-byte sectors and the
    file needs no mini stream: one FAT sector, one directory sector, then the streams.
    """
    assert len(streams) + len(storages) <= 3, "one directory sector holds the root and 3 more"
    data, entries, fat = b"", [], [_FAT, _END]
    for name, content in streams.items():
        content = content.ljust(4096, b"\x00")
        first, count = 2 + len(data) // 512, len(content) // 512
        fat += [first + n + 1 for n in range(count - 1)] + [_END]
        entries.append((name, 2, first, len(content)))
        data += content
    entries += [(name, 1, 0, 0) for name in storages]
    directory = _directory_entry("Root Entry", 5, _END, 0, child=1 if entries else _NONE)
    for index, (name, kind, first, size) in enumerate(entries):
        # Siblings chained to the right; all black, which is a valid red-black tree for a few.
        right = index + 2 if index + 1 < len(entries) else _NONE
        directory += _directory_entry(name, kind, first, size, right=right)
    directory = directory.ljust(512, b"\x00")
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x003E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift
        bytes(6),
        0,  # directory sectors (always 0 in version 3)
        1,  # FAT sectors
        1,  # first directory sector
        0,  # transaction signature
        4096,  # mini stream cut-off
        _END,  # first mini FAT sector: none
        0,  # mini FAT sectors
        _END,  # first DIFAT sector: none
        0,  # DIFAT sectors
    ) + struct.pack("<109I", 0, *([_FREE] * 108))
    fat_sector = struct.pack("<128I", *(fat + [_FREE] * (128 - len(fat))))
    return header + fat_sector + directory + data


def _directory_entry(name, kind, first, size, right=_NONE, child=_NONE):
    encoded = (name + "\x00").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black
        _NONE,  # left sibling
        right,
        child,
        bytes(16),  # CLSID
        0,  # state bits
        0,  # created
        0,  # modified
        first,
        size,
    )


def legacy_office_bytes(suffix, storages=()):
    """A DOC, XLS or PPT: its main stream beginning with the format's first record."""
    name, record = LEGACY_MAIN_STREAMS[suffix]
    return compound_file_bytes({name: record}, storages)
