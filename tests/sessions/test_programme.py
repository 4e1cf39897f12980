"""The programme page: published sessions by day in time order, its filters and search."""

from datetime import date, datetime, timedelta

import pytest

from sessions.models import Participation, Session
from tests.factories import (
    MOSCOW,
    add_participation,
    at,
    make_forum,
    make_person,
    make_session,
)

from .html import parse, texts

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR


@pytest.fixture
def programme(forum):
    """Two days of the current forum, out of time order in the database, one unpublished."""
    plenary = make_session(
        forum,
        title="Strategic Planning: Ten Years After",
        slug="plenary",
        format=Session.Format.PLENARY,
        starts_at=at(28, 10),
        duration=timedelta(hours=2, minutes=30),
        room="Congress Hall",
        summary="The federal law on strategic planning.",
    )
    workshop = make_session(
        forum,
        title="Municipal Strategies",
        slug="workshop",
        format=Session.Format.WORKSHOP,
        starts_at=at(29, 10),
        room="3.A1",
        summary="Setting goals for municipal teams.",
    )
    round_table = make_session(
        forum,
        title="Cross-Border Intermunicipal Cooperation",
        slug="round-table",
        format=Session.Format.ROUND_TABLE,
        starts_at=at(28, 17, 15),
        room="4.G9",
        summary="Twinned cities and public diplomacy.",
    )
    make_session(
        forum,
        title="Closed Preparatory Meeting",
        slug="closed",
        starts_at=at(28, 12),
        is_published=False,
        summary="Cross-border preparations.",
    )
    add_participation(
        plenary, make_person("Petrova", "Anna", patronymic="Sergeevna"), role=MODERATOR
    )
    didenko = make_person("Didenko", "Aleksei", slug="didenko")
    ignatyeva = make_person("Ignatyeva", "Alexandra", slug="ignatyeva")
    add_participation(round_table, didenko, role=MODERATOR, order=1)
    add_participation(round_table, ignatyeva, role=MODERATOR, order=2)
    add_participation(round_table, make_person("Hidden", "Moderator"), role=MODERATOR, order=0,
                    is_confirmed=False)  # fmt: skip
    add_participation(workshop, make_person("Sokolov", "Pavel"), is_confirmed=False)
    return {"plenary": plenary, "workshop": workshop, "round_table": round_table}


def programme_days(response):
    """[(day heading, [(time, room, format, title, moderators), …]), …] as the page shows them."""
    page = parse(response)
    days = []
    for section in page.find_all("section", class_="programme-day"):
        items = []
        for article in section.find_all("article", class_="programme-item"):
            room = [div.text for div in article.find_all("div", class_="text-secondary")]
            items.append(
                (
                    article.find(class_="programme-time").text,
                    room[0] if room and room[0].startswith("Room") else "",
                    article.find("span", class_="badge-format").text,
                    article.find("h3").text,
                    room[-1] if room and not room[-1].startswith("Room") else "",
                )
            )
        days.append((section.find("h2").text, items))
    return days


def programme_titles(response):
    return [item[3] for _, items in programme_days(response) for item in items]


# Programme


def test_programme_groups_published_sessions_by_day_in_time_order(client, programme):
    response = client.get("/")

    assert programme_days(response) == [
        (
            "Monday, 28 October 2019",
            [
                (
                    "10:00–12:30",
                    "Room Congress Hall",
                    "Plenary session",
                    "Strategic Planning: Ten Years After",
                    "Moderator: Petrova Anna Sergeevna",
                ),
                (
                    "17:15–19:15",
                    "Room 4.G9",
                    "Round table",
                    "Cross-Border Intermunicipal Cooperation",
                    "Moderators: Didenko Aleksei, Ignatyeva Alexandra",
                ),
            ],
        ),
        (
            "Tuesday, 29 October 2019",
            [("10:00–12:00", "Room 3.A1", "Workshop", "Municipal Strategies", "")],
        ),
    ]


def test_programme_links_sessions_and_moderators_to_their_pages(client, programme):
    response = client.get("/")

    article = parse(response).find_all("article", class_="programme-item")[1]
    assert [(a.text, a.attrs["href"]) for a in article.find_all("a")] == [
        ("Cross-Border Intermunicipal Cooperation", "/sessions/round-table/"),
        ("Add to calendar", "/sessions/round-table/calendar.ics"),
        ("☆ Add to my agenda", "/accounts/login/?next=/"),
        ("Didenko Aleksei", "/speakers/didenko/"),
        ("Ignatyeva Alexandra", "/speakers/ignatyeva/"),
    ]
    assert "Hidden Moderator" not in response.content.decode()


def test_programme_shows_only_the_current_forum(client, programme):
    older = make_forum(edition=17, starts_on=date(2018, 10, 29), ends_on=date(2018, 10, 30))
    make_session(older, title="Last Year's Round Table", starts_at=datetime(2018, 10, 29, 10,
                 tzinfo=MOSCOW))  # fmt: skip

    assert "Last Year's Round Table" not in programme_titles(client.get("/"))


def test_programme_never_lists_unpublished_sessions_even_when_searched(client, programme):
    assert "Closed Preparatory Meeting" not in programme_titles(client.get("/"))
    assert programme_titles(client.get("/", {"q": "preparatory"})) == []
    assert programme_titles(client.get("/", {"q": "cross-border"})) == [
        "Cross-Border Intermunicipal Cooperation"
    ]


def test_programme_filtered_by_day_shows_only_that_moscow_day(client, programme, forum):
    make_session(forum, title="Night Owls", starts_at=at(29, 1))

    response = client.get("/", {"day": "2019-10-29"})

    assert [day for day, _ in programme_days(response)] == ["Tuesday, 29 October 2019"]
    assert programme_titles(response) == ["Night Owls", "Municipal Strategies"]


def test_programme_day_choices_are_the_days_with_published_sessions(client, programme):
    page = parse(client.get("/"))

    options = page.find("select", name="day").find_all("option")
    assert [(o.attrs["value"], o.text) for o in options] == [
        ("", "All days"),
        ("2019-10-28", "28.10.2019"),
        ("2019-10-29", "29.10.2019"),
    ]


def test_programme_filtered_by_format(client, programme):
    response = client.get("/", {"format": "plenary"})

    assert programme_titles(response) == ["Strategic Planning: Ten Years After"]
    options = parse(response).find("select", name="format").find_all("option")
    assert texts(options) == ["All formats", "Plenary session", "Round table", "Workshop"]


def test_programme_search_matches_titles_summaries_and_people(client, programme):
    assert programme_titles(client.get("/", {"q": "strategies"})) == ["Municipal Strategies"]
    assert programme_titles(client.get("/", {"q": "twinned"})) == [
        "Cross-Border Intermunicipal Cooperation"
    ]
    assert programme_titles(client.get("/", {"q": "Petrova"})) == [
        "Strategic Planning: Ten Years After"
    ]


def test_programme_search_ignores_unconfirmed_people(client, programme):
    response = client.get("/", {"q": "Sokolov"})

    assert programme_titles(response) == []
    assert parse(response).find("main").find_all("p")[-1].text == "No sessions match these filters."


def test_programme_filters_combine(client, programme):
    response = client.get("/", {"day": "2019-10-28", "format": "round_table", "q": "didenko"})

    assert programme_titles(response) == ["Cross-Border Intermunicipal Cooperation"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"day": "2019-13-45"},
            "day",
            "Select a valid choice. 2019-13-45 is not one of the available choices.",
        ),
        (
            {"day": "2019-10-30"},
            "day",
            "Select a valid choice. 2019-10-30 is not one of the available choices.",
        ),
        (
            {"format": "banquet"},
            "format",
            "Select a valid choice. banquet is not one of the available choices.",
        ),
        (
            {"q": "x" * 201},
            "q",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        ({"q": "cross\x00border"}, "q", "Null characters are not allowed."),
    ],
)
def test_programme_invalid_filter_shows_error_and_whole_programme(
    client, programme, params, field, message
):
    response = client.get("/", params)

    page = parse(response)
    assert page.find(id=f"id_{field}_error").text == message
    assert page.find(id=f"id_{field}").attrs["aria-invalid"] == "true"
    assert programme_titles(response) == [
        "Strategic Planning: Ten Years After",
        "Cross-Border Intermunicipal Cooperation",
        "Municipal Strategies",
    ]


def test_programme_invalid_filter_keeps_the_valid_ones(client, programme):
    response = client.get("/", {"day": "someday", "format": "round_table"})

    page = parse(response)
    assert page.find(id="id_day_error").text.startswith("Select a valid choice.")
    assert page.find_all(id="id_format_error") == []
    assert programme_titles(response) == ["Cross-Border Intermunicipal Cooperation"]


def test_programme_without_any_forum_says_not_published_yet(client, db):
    response = client.get("/")

    assert (
        parse(response).find("main").find("p").text == "The programme has not been published yet."
    )


def test_programme_reset_link_only_when_filtered(client, programme):
    assert "Reset" not in parse(client.get("/")).find("form", role="search").text
    reset = parse(client.get("/", {"format": "workshop"})).find("a", class_="btn-outline-secondary")
    assert (reset.text, reset.attrs["href"]) == ("Reset", "/")
