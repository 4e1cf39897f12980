"""Who may see the programme's pages: each view for each kind of visitor.

The table's outcomes and the `world` it is read against: tests/permissions.py,
tests/conftest.py."""

import pytest

from tests.permissions import (
    cells,
    everyone,
    page,
    redirect_to,
    visit_as,
)

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
}


@pytest.mark.parametrize(("view", "persona"), cells(VIEWS))
def test_view_answers_each_persona(request, client, world, view, persona):
    visit_as(request, client, world, VIEWS[view], persona)
