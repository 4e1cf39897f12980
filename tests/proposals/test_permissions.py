"""Who may see and change proposals and accounts: each view for each kind of visitor.

The table's outcomes and the `world` it is read against: tests/permissions.py,
tests/conftest.py."""

import pytest

from proposals.models import Proposal
from tests.permissions import (
    both,
    cells,
    everyone,
    grid,
    login_redirect,
    not_found,
    page,
    redirect_to,
    status_of,
    title_of,
    visit_as,
)

Status = Proposal.Status


def detail_url(name):
    return lambda world: f"/proposals/{world[name].pk}/"


OWN_PROPOSAL = page("Twin towns programme")
UNCHANGED_SUBMITTED = status_of("submitted", Status.SUBMITTED)
UNCHANGED_DRAFT = status_of("draft", Status.DRAFT)


# view name: (method, url from the world, POST data, {persona: outcome})
VIEWS = {
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
}


@pytest.mark.parametrize(("view", "persona"), cells(VIEWS))
def test_view_answers_each_persona(request, client, world, view, persona):
    visit_as(request, client, world, VIEWS[view], persona)
