"""Who may see and change what in the proposals admin: each view for each kind of visitor.

The table's outcomes and the `world` it is read against: tests/permissions.py,
tests/conftest.py."""

import pytest

from proposals.models import Proposal
from tests.permissions import (
    NOT_STAFF,
    STAFF,
    admin_login,
    both,
    cells,
    does_not_exist,
    download,
    forbidden,
    not_found,
    page,
    redirect_to,
    status_of,
    visit_as,
)

Status = Proposal.Status


REVIEW = status_of("submitted", Status.UNDER_REVIEW)
UNCHANGED_SUBMITTED = status_of("submitted", Status.SUBMITTED)


# view name: (method, url from the world, POST data, {persona: outcome})
VIEWS = {
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
}


@pytest.mark.parametrize(("view", "persona"), cells(VIEWS))
def test_view_answers_each_persona(request, client, world, view, persona):
    visit_as(request, client, world, VIEWS[view], persona)
