"""A session's draft recommendations for the forum's editors, as CSV and as a Word document.

Both list Proposal.objects.recommendations(session) — accepted proposals grouped by addressee —
with the moderator's edited wording where given, and the author's name and organisation.
"""

import csv
import io
import re

from django.utils.translation import gettext as _

from .models import Proposal

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return before one) as
# a formula ("CSV injection"). A cell starts at the start of the text and — when a spreadsheet
# splits the file at another separator than ours (Russian Excel splits at ";", LibreOffice
# may at tabs) — after any comma, semicolon, tab or line break, past the spaces and quotes a
# parser drops. A "'" before the character makes such a cell text.
_FORMULA_AT_CELL_START = re.compile(r'(^|[,;\t\r\n])([ "]*)(?=[=+\-@\t\r])')
# Characters XML 1.0 forbids (Word documents are XML): control characters but tab and newlines.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell(value):
    """The value as CSV text that no spreadsheet runs as a formula, whichever separator it uses."""
    return _FORMULA_AT_CELL_START.sub(r"\1\2'", str(value))


def recommendations_csv(sessions):
    """The draft recommendations of the sessions as CSV text (UTF-8 with BOM for spreadsheets)."""
    out = io.StringIO()
    out.write("\ufeff")
    # Every field quoted: a ";" or "," in a cell never splits it for a spreadsheet that reads
    # quotes; _cell covers one that is told the wrong separator.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(
        [
            _("Session"),
            _("Addressed to"),
            _("No."),
            _("Short title"),
            _("Recommendation"),
            _("Author"),
            _("Organisation"),
        ]
    )
    for session in sessions:
        number = 0
        for addressee, proposals in Proposal.objects.recommendations(session):
            for proposal in proposals:
                number += 1
                writer.writerow(
                    [
                        _cell(value)
                        for value in (
                            session.title,
                            addressee,
                            number,
                            proposal.title,
                            proposal.recommendation_wording,
                            proposal.author.get_full_name(),
                            proposal.author.organisation,
                        )
                    ]
                )
    return out.getvalue()


def _text(value):
    return _XML_ILLEGAL.sub("", str(value))


def recommendations_docx(sessions):
    """The draft recommendations of the sessions as the bytes of a .docx document."""
    # python-docx loads lxml (0.1-0.3 s, ~18 MB per worker): paid only when someone exports.
    from docx import Document  # noqa: PLC0415

    document = Document()
    document.core_properties.title = _text(_("Draft recommendations"))
    for session in sessions:
        document.add_heading(
            _text(_("Draft recommendations: %(session)s") % {"session": session}), 0
        )
        number = 0
        groups = Proposal.objects.recommendations(session)
        if not groups:
            document.add_paragraph(_text(_("No proposal has been accepted yet.")))
        for addressee, proposals in groups:
            document.add_heading(_text(addressee), 1)
            for proposal in proposals:
                number += 1
                document.add_heading(_text(f"{number}. {proposal.title}"), 2)
                for line in proposal.recommendation_wording.splitlines():
                    if line.strip():
                        document.add_paragraph(_text(line))
                byline = proposal.author.get_full_name()
                if proposal.author.organisation:
                    byline = f"{byline}, {proposal.author.organisation}"
                document.add_paragraph(_text(_("Proposed by: %(author)s") % {"author": byline}))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
