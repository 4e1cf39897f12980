"""Who may do what: every view, for each kind of visitor (issue 5, "Bad input").

One table: for each view, what each persona notices — the page with the right content, a
redirect to a login page that comes back here, a 404 page, a 403 page, or the admin's
"doesn't exist". Views that change something also check the database afterwards: what was
refused changed nothing. docs/security.md counts the cells.

The tables, one per app, are the `VIEWS` of tests/sessions/test_permissions.py,
tests/proposals/test_permissions.py, tests/proposals/test_admin_permissions.py and
tests/forum_portal/test_permissions.py; this module holds what they share.

The personas and the `world` come from tests/conftest.py: `participant` wrote the world's proposals,
`moderator` moderates `session`, `other_moderator` moderates `other_session` only.
"""

from urllib.parse import quote

from django.contrib.messages import get_messages
from pytest_django.asserts import assertContains, assertNotContains

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


def cells(views):
    """Every (view, persona) pair of a table."""
    return [(view, persona) for view in views for persona in PERSONAS]


def visit_as(request, client, world, spec, persona):
    """Sends the request a table row describes as `persona`, and checks what they notice."""
    method, url_of, data, outcomes = spec
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = url_of(world)
    data = data(world) if callable(data) else data

    response = getattr(client, method)(url, data)

    outcomes[persona](response, world, url)
