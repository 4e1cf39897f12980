"""Who may see the project's own pages, the admin's index and the health check: each view for
each kind of visitor.

The table's outcomes and the `world` it is read against: tests/permissions.py,
tests/conftest.py."""

import pytest

from tests.permissions import (
    NOT_STAFF,
    admin_login,
    cells,
    everyone,
    page,
    visit_as,
)

PROPOSALS_LINK = '<a href="/admin/proposals/proposal/">Proposals</a>'
USERS_LINK = 'href="/admin/proposals/user/"'


# view name: (method, url from the world, POST data, {persona: outcome})
VIEWS = {
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
    "healthz": ("get", lambda w: "/healthz", {}, everyone(page("ok"))),
}


@pytest.mark.parametrize(("view", "persona"), cells(VIEWS))
def test_view_answers_each_persona(request, client, world, view, persona):
    visit_as(request, client, world, VIEWS[view], persona)
