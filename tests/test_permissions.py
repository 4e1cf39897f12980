"""Who may do what: every view, for each kind of visitor (issue 5, "Bad input").

One table: for each view, what each persona notices — the page with the right content, a
redirect to a login page that comes back here, a 404 page, a 403 page, or the admin's
"doesn't exist". Views that change something also check the database afterwards: what was
refused changed nothing. docs/security.md counts the cells.

The personas come from tests/conftest.py: `participant` wrote the proposals below,
`moderator` moderates `session`, `other_moderator` moderates `other_session` only.
"""

from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from pytest_django.asserts import assertContains, assertNotContains

from proposals.models import Proposal
from tests.factories import add_material, add_participation, make_proposal

Status = Proposal.Status

PERSONAS = (
    "anonymous",
    "participant",
    "another_participant",
    "moderator",
    "other_moderator",
    "superuser",
)
STAFF = ("moderator", "other_moderator", "superuser")
NOT_STAFF = ("anonymous", "participant", "another_participant")


@pytest.fixture
def world(session, other_session, participant, another_participant, moderator):
    """The participant's proposals in `session`, an accepted one, and one in `other_session`."""
    return {
        "session": session,
        "speaker": add_participation(session).person,
        "material": add_material(session, title="Concept", url="https://example.org/c.pdf"),
        "draft": make_proposal(
            session, participant, title="Unsent draft", wording="A draft nobody may see."
        ),
        "submitted": make_proposal(
            session,
            participant,
            status=Status.SUBMITTED,
            title="Twin towns programme",
            wording="Fund twin towns programmes.",
        ),
        "accepted": make_proposal(
            session,
            another_participant,
            status=Status.ACCEPTED,
            by=moderator,
            title="Border fund",
            wording="Create a cross-border development fund.",
        ),
        "elsewhere": make_proposal(
            other_session, participant, status=Status.UNDER_REVIEW, title="Spatial plan secret"
        ),
    }


# --- Outcomes: what the visitor notices -----------------------------------------------------


def page(*shown, absent=()):
    """The page, showing these texts and not those."""

    def check(response, world, url):
        for text in shown:
            assertContains(response, text)
        for text in absent:
            assertNotContains(response, text)

    check.label = f"page{shown}"
    return check


def login_redirect(response, world, url):
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


def admin_login(response, world, url):
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={quote(url)}"


def not_found(response, world, url):
    assertContains(response, "There is no page at this address", status_code=404)


def forbidden(response, world, url):
    assertContains(response, "403 Forbidden", status_code=403)


def does_not_exist(response, world, url):
    """The admin's answer for an object outside this moderator's sessions."""
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.endswith("doesn’t exist. Perhaps it was deleted?")


def redirect_to(target):
    def check(response, world, url):
        assert response.status_code == 302
        assert response["Location"] == target(world)

    return check


def both(*checks):
    def check(response, world, url):
        for one in checks:
            one(response, world, url)

    return check


def status_of(name, expected):
    """The proposal `name` has this status afterwards."""

    def check(response, world, url):
        world[name].refresh_from_db()
        assert world[name].status == expected

    return check


def title_of(name, expected):
    """The proposal `name` has this title afterwards."""

    def check(response, world, url):
        world[name].refresh_from_db()
        assert world[name].title == expected

    return check


def download(kind, *shown):
    def check(response, world, url):
        assert response["Content-Disposition"] == (
            f'attachment; filename="recommendations-{world["session"].slug}.{kind}"'
        )
        body = response.content
        if kind == "csv":
            for text in shown:
                assert text.encode() in body
        else:
            assert body.startswith(b"PK")  # a .docx is a zip archive

    return check


def everyone(outcome):
    return dict.fromkeys(PERSONAS, outcome)


def grid(default, **exceptions):
    """`default` for every persona but those named."""
    return {**dict.fromkeys(PERSONAS, default), **exceptions}


# --- The views -------------------------------------------------------------------------------


def detail_url(name):
    return lambda world: f"/proposals/{world[name].pk}/"


PROPOSALS_LINK = '<a href="/admin/proposals/proposal/">Proposals</a>'
USERS_LINK = 'href="/admin/proposals/user/"'
OWN_PROPOSAL = page("Twin towns programme")
REVIEW = status_of("submitted", Status.UNDER_REVIEW)
UNCHANGED_SUBMITTED = status_of("submitted", Status.SUBMITTED)
UNCHANGED_DRAFT = status_of("draft", Status.DRAFT)

# view name: (method, url from the world, POST data, {persona: outcome})
VIEWS = {
    "programme": (
        "get",
        lambda w: "/",
        {},
        everyone(page("Programme", "International and Cross-Border Cooperation")),
    ),
    "session": (
        "get",
        lambda w: f"/sessions/{w['session'].slug}/",
        {},
        everyone(page("International and Cross-Border Cooperation")),
    ),
    "speakers": ("get", lambda w: "/speakers/", {}, everyone(page("Didenko Aleksei"))),
    "speaker": (
        "get",
        lambda w: f"/speakers/{w['speaker'].slug}/",
        {},
        everyone(page("International and Cross-Border Cooperation")),
    ),
    "material": (
        "get",
        lambda w: f"/sessions/{w['session'].slug}/materials/{w['material'].pk}/",
        {},
        everyone(redirect_to(lambda w: "https://example.org/c.pdf")),
    ),
    "recommendations": (
        "get",
        lambda w: f"/sessions/{w['session'].slug}/recommendations/",
        {},
        everyone(
            page(
                "Create a cross-border development fund.",
                absent=("Fund twin towns programmes.", "A draft nobody may see."),
            )
        ),
    ),
    "proposal create": (
        "get",
        lambda w: f"/sessions/{w['session'].slug}/proposals/new/",
        {},
        grid(page("Your proposal for the draft recommendations"), anonymous=login_redirect),
    ),
    "proposal list": (
        "get",
        lambda w: "/proposals/",
        {},
        grid(
            page("My proposals", absent=("Twin towns programme", "Unsent draft")),
            anonymous=login_redirect,
            participant=page("Twin towns programme", "Unsent draft", "Spatial plan secret"),
        ),
    ),
    "proposal detail": (
        "get",
        detail_url("submitted"),
        {},
        grid(not_found, anonymous=login_redirect, participant=OWN_PROPOSAL),
    ),
    "proposal edit": (
        "get",
        lambda w: f"/proposals/{w['submitted'].pk}/edit/",
        {},
        grid(
            not_found,
            anonymous=login_redirect,
            participant=page("Edit your proposal", 'value="Twin towns programme"'),
        ),
    ),
    "proposal edit POST": (
        "post",
        lambda w: f"/proposals/{w['submitted'].pk}/edit/",
        {"title": "Taken over", "wording": "W", "rationale": "R", "addressee": "municipal"},
        grid(
            both(not_found, title_of("submitted", "Twin towns programme")),
            anonymous=both(login_redirect, title_of("submitted", "Twin towns programme")),
            participant=both(
                redirect_to(detail_url("submitted")), title_of("submitted", "Taken over")
            ),
        ),
    ),
    "proposal submit": (
        "post",
        lambda w: f"/proposals/{w['draft'].pk}/submit/",
        {},
        grid(
            both(not_found, UNCHANGED_DRAFT),
            anonymous=both(login_redirect, UNCHANGED_DRAFT),
            participant=both(
                redirect_to(detail_url("draft")), status_of("draft", Status.SUBMITTED)
            ),
        ),
    ),
    "proposal withdraw": (
        "post",
        lambda w: f"/proposals/{w['submitted'].pk}/withdraw/",
        {},
        grid(
            both(not_found, UNCHANGED_SUBMITTED),
            anonymous=both(login_redirect, UNCHANGED_SUBMITTED),
            participant=both(
                redirect_to(detail_url("submitted")),
                status_of("submitted", Status.WITHDRAWN),
            ),
        ),
    ),
    "profile": (
        "get",
        lambda w: "/accounts/profile/",
        {},
        {
            "anonymous": login_redirect,
            "participant": page("Your profile", 'value="Petrova"'),
            "another_participant": page("Your profile", 'value="Smirnov"'),
            "moderator": page("Your profile", 'value="Didenko"'),
            "other_moderator": page("Your profile", 'value="Kuznetsov"'),
            "superuser": page("Your profile", 'value="Admin"'),
        },
    ),
    "password change": (
        "get",
        lambda w: "/accounts/password_change/",
        {},
        grid(page("Change your password"), anonymous=login_redirect),
    ),
    "admin index": (
        "get",
        lambda w: "/admin/",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": page(PROPOSALS_LINK, absent=(USERS_LINK,)),
            "other_moderator": page(PROPOSALS_LINK, absent=(USERS_LINK,)),
            "superuser": page(PROPOSALS_LINK, USERS_LINK),
        },
    ),
    "admin proposal list": (
        "get",
        lambda w: "/admin/proposals/proposal/",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": page(
                "Twin towns programme", "Border fund", absent=("Spatial plan secret",)
            ),
            "other_moderator": page(
                "Spatial plan secret", absent=("Twin towns programme", "Border fund")
            ),
            "superuser": page("Twin towns programme", "Spatial plan secret"),
        },
    ),
    "admin proposal change": (
        "get",
        lambda w: f"/admin/proposals/proposal/{w['submitted'].pk}/change/",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": page("Twin towns programme", "anna.petrova@example.org"),
            "other_moderator": does_not_exist,
            "superuser": page("Twin towns programme", "anna.petrova@example.org"),
        },
    ),
    "admin proposal draft": (
        "get",
        lambda w: f"/admin/proposals/proposal/{w['draft'].pk}/change/",
        {},
        {**dict.fromkeys(NOT_STAFF, admin_login), **dict.fromkeys(STAFF, does_not_exist)},
    ),
    "admin proposal history": (
        "get",
        lambda w: f"/admin/proposals/proposal/{w['submitted'].pk}/history/",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": page("Change history: Twin towns programme"),
            "other_moderator": does_not_exist,
            "superuser": page("Change history: Twin towns programme"),
        },
    ),
    "admin bulk action": (
        "post",
        lambda w: "/admin/proposals/proposal/",
        lambda w: {
            "action": "take_up_selected",
            "_selected_action": [w["submitted"].pk],
            "post": "yes",
            "index": "0",
        },
        {
            **dict.fromkeys(NOT_STAFF, both(admin_login, UNCHANGED_SUBMITTED)),
            "moderator": both(redirect_to(lambda w: "/admin/proposals/proposal/"), REVIEW),
            "other_moderator": both(
                redirect_to(lambda w: "/admin/proposals/proposal/"), UNCHANGED_SUBMITTED
            ),
            "superuser": both(redirect_to(lambda w: "/admin/proposals/proposal/"), REVIEW),
        },
    ),
    "export CSV": (
        "get",
        lambda w: f"/admin/proposals/proposal/export/{w['session'].pk}.csv",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": download("csv", "Border fund", "Smirnov Oleg"),
            "other_moderator": not_found,
            "superuser": download("csv", "Border fund", "Smirnov Oleg"),
        },
    ),
    "export DOCX": (
        "get",
        lambda w: f"/admin/proposals/proposal/export/{w['session'].pk}.docx",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": download("docx"),
            "other_moderator": not_found,
            "superuser": download("docx"),
        },
    ),
    "admin user list": (
        "get",
        lambda w: "/admin/proposals/user/",
        {},
        {
            **dict.fromkeys(NOT_STAFF, admin_login),
            "moderator": forbidden,
            "other_moderator": forbidden,
            "superuser": page("anna.petrova@example.org", "oleg.smirnov@example.org"),
        },
    ),
    "healthz": ("get", lambda w: "/healthz", {}, everyone(page("ok"))),
}

CELLS = [(view, persona) for view in VIEWS for persona in PERSONAS]


@pytest.mark.parametrize(("view", "persona"), CELLS)
def test_view_answers_each_persona(request, client, world, view, persona):
    method, url_of, data, outcomes = VIEWS[view]
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = url_of(world)
    data = data(world) if callable(data) else data

    response = getattr(client, method)(url, data)

    outcomes[persona](response, world, url)
