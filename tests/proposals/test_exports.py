import csv
import io

import docx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from proposals import exports
from proposals.models import Proposal
from tests.factories import make_proposal, make_user

Status = Proposal.Status
Addressee = Proposal.Addressee
SCRIPT = '<script>alert("x")</script>'


def export_url(session, kind):
    return reverse(
        "admin:proposals_proposal_export", kwargs={"session_pk": session.pk, "kind": kind}
    )


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def docx_paragraphs(content):
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


@pytest.fixture
def recommendations(session, other_session, participant, another_participant, moderator):
    """Accepted proposals of `session` for two addressees, and everything that must stay out."""
    make_proposal(
        session,
        participant,
        status=Status.ACCEPTED,
        by=moderator,
        title="Border fund",
        wording="Create a fund.",
        edited_wording="Create a cross-border cooperation fund.",
        addressee=Addressee.GOVERNMENT,
    )
    make_proposal(
        session,
        another_participant,
        status=Status.ACCEPTED,
        by=moderator,
        title=SCRIPT,
        wording=f'Law {SCRIPT}\n\n=HYPERLINK("http://evil")',
        addressee=Addressee.FEDERAL_ASSEMBLY,
    )
    for status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.REJECTED, Status.DRAFT):
        make_proposal(session, participant, status=status, by=moderator, title=f"Not {status}")
    make_proposal(
        other_session, participant, status=Status.ACCEPTED, title="Other session's accepted"
    )


def test_recommendations_group_accepted_proposals_by_addressee_in_choice_order(
    session, recommendations
):
    groups = Proposal.objects.recommendations(session)

    assert [(label, [p.title for p in proposals]) for label, proposals in groups] == [
        ("Federal Assembly of the Russian Federation", [SCRIPT]),
        ("Government of the Russian Federation", ["Border fund"]),
    ]


def test_csv_export_lists_exactly_the_accepted_proposals_with_script_as_text(
    moderator_client, session, recommendations
):
    response = moderator_client.get(export_url(session, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="recommendations-{session.slug}.csv"'
    )
    assert csv_rows(response.content) == [
        [
            "Session",
            "Addressed to",
            "No.",
            "Short title",
            "Recommendation",
            "Author",
            "Organisation",
        ],
        [
            session.title,
            "Federal Assembly of the Russian Federation",
            "1",
            SCRIPT,
            f'Law {SCRIPT}\n\n\'=HYPERLINK("http://evil")',
            "Smirnov Oleg",
            "Kaliningrad Regional Duma",
        ],
        [
            session.title,
            "Government of the Russian Federation",
            "2",
            "Border fund",
            "Create a cross-border cooperation fund.",
            "Petrova Anna",
            "Pskov City Administration",
        ],
    ]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(session, moderator):
    author = make_user(surname="=cmd|' /C calc'!A0", organisation="@SUM(1+1)")
    make_proposal(session, author, status=Status.ACCEPTED, by=moderator, title="+1", wording="-2")

    [_header, row] = csv_rows(exports.recommendations_csv([session]).encode())

    assert row[3:] == ["'+1", "'-2", "'=cmd|' /C calc'!A0 Anna", "'@SUM(1+1)"]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_no_cell_is_a_formula_whichever_separator_the_spreadsheet_splits_at(
    session, moderator, separator
):
    """Russian Excel splits at ";": a cell "Org B;=1+1" written unquoted ran "=1+1".

    LibreOffice offers the tab as a separator too: "-2;<tab>=3" split there ran "=3".
    """
    author = make_user(surname="Ivanov", first_name="Ivan", organisation="Org B;=1+1")
    make_proposal(
        session,
        author,
        status=Status.ACCEPTED,
        by=moderator,
        title='Fund, +1; "@SUM(A1)"',
        wording='First line\n-2;\t=3\r\n=4,"=5"',
    )
    text = exports.recommendations_csv([session])

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=separator))

    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.lstrip(' "').startswith(FORMULA_START)] == []
    if separator == ",":  # read as written: every cell whole, each formula start defused
        assert rows[1][3:] == [
            "Fund, '+1; \"'@SUM(A1)\"",
            "First line\n'-2;'\t'=3\r\n'=4,\"'=5\"",
            "Ivanov Ivan",
            "Org B;'=1+1",
        ]


def test_docx_export_lists_exactly_the_accepted_proposals_with_script_as_text(
    moderator_client, session, recommendations
):
    response = moderator_client.get(export_url(session, "docx"))

    assert response["Content-Type"] == exports.DOCX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="recommendations-{session.slug}.docx"'
    )
    assert docx_paragraphs(response.content) == [
        f"Draft recommendations: {session.title}",
        "Federal Assembly of the Russian Federation",
        f"1. {SCRIPT}",
        f"Law {SCRIPT}",
        '=HYPERLINK("http://evil")',
        "Proposed by: Smirnov Oleg, Kaliningrad Regional Duma",
        "Government of the Russian Federation",
        "2. Border fund",
        "Create a cross-border cooperation fund.",
        "Proposed by: Petrova Anna, Pskov City Administration",
    ]


def test_docx_export_drops_characters_xml_cannot_hold(session, participant, moderator):
    make_proposal(
        session, participant, status=Status.ACCEPTED, by=moderator, title="Bell\x07 and\x0b tab"
    )

    paragraphs = docx_paragraphs(exports.recommendations_docx([session]))

    assert "1. Bell and tab" in paragraphs


def test_docx_export_of_a_session_without_accepted_proposals_says_so(session):
    assert docx_paragraphs(exports.recommendations_docx([session])) == [
        f"Draft recommendations: {session.title}",
        "No proposal has been accepted yet.",
    ]


@pytest.mark.parametrize("kind", ["csv", "docx"])
def test_export_of_another_moderators_session_is_404(
    other_moderator_client, session, recommendations, kind
):
    response = other_moderator_client.get(export_url(session, kind))

    assert response.status_code == 404
    assert b"Border fund" not in response.content


def test_export_of_an_unknown_format_is_404(moderator_client, session):
    response = moderator_client.get(f"/admin/proposals/proposal/export/{session.pk}.xlsx")

    assert response.status_code == 404


def test_export_needs_an_admin_login(client, session):
    response = client.get(export_url(session, "csv"))

    assertRedirects(
        response, f"/admin/login/?next={export_url(session, 'csv')}", fetch_redirect_response=False
    )


def test_export_for_a_participant_with_staff_flag_but_no_rights_is_404(client, session):
    client.force_login(make_user(is_staff=True))

    response = client.get(export_url(session, "csv"))

    assert response.status_code == 404


def test_superuser_exports_any_session(client, superuser, other_session, participant):
    make_proposal(other_session, participant, status=Status.ACCEPTED, title="Spatial plan")
    client.force_login(superuser)

    response = client.get(export_url(other_session, "csv"))

    assert [row[3] for row in csv_rows(response.content)] == ["Short title", "Spatial plan"]


def test_export_action_covers_the_sessions_of_the_selected_proposals(
    client, moderator, session, participant, recommendations
):
    selected = Proposal.objects.get(title="Not submitted")
    client.force_login(moderator)

    response = client.post(
        "/admin/proposals/proposal/",
        {"action": "export_csv", "_selected_action": [selected.pk]},
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="recommendations-{session.slug}.csv"'
    )
    assert [row[3] for row in csv_rows(response.content)] == ["Short title", SCRIPT, "Border fund"]


def test_export_action_by_another_moderator_exports_nothing_of_this_session(
    client, other_moderator, recommendations
):
    selected = Proposal.objects.get(title="Border fund")
    client.force_login(other_moderator)

    response = client.post(
        "/admin/proposals/proposal/",
        {"action": "export_docx", "_selected_action": [selected.pk]},
    )

    assertRedirects(response, "/admin/proposals/proposal/", fetch_redirect_response=False)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "No proposal of yours was selected."
    ]
