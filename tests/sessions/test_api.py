"""The read API (/api/v1/): the seed round table's facts, visibility, filters, pagination,
bad input, ETag/304, CORS and read-only, parsed as JSON as a client would."""

import gzip
import json
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Participation, Session
from tests.factories import (
    MOSCOW,
    add_material,
    add_participation,
    make_organisation,
    make_person,
    make_session,
)

from .seed import SEED_REPORTERS as REPORTERS

pytestmark = pytest.mark.django_db

SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"
DEMO_PUBLISHED = [
    "strategic-planning-ten-years-after-the-law",
    "spatial-development-and-agglomerations",
    SEED_SLUG,
    "municipal-strategies-from-document-to-results",
    "digital-platforms-for-regional-development",
]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def get_json(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, json.loads(response.content)


def test_api_seed_round_table_time_room_moderator_and_reporters(client, demo):
    _, session = get_json(client, f"/api/v1/sessions/{SEED_SLUG}/")

    assert session["title"] == "International and Cross-Border Intermunicipal Cooperation"
    assert (session["starts_at"], session["ends_at"], session["day"], session["room"]) == (
        "2019-10-28T17:15:00+03:00",
        "2019-10-28T19:15:00+03:00",
        "2019-10-28",
        "4.G9",
    )
    assert datetime.fromisoformat(session["starts_at"]) == datetime(
        2019, 10, 28, 17, 15, tzinfo=MOSCOW
    )
    assert session["format"] == "round_table"
    people = session["people"]
    assert [p["person"]["full_name"] for p in people if p["role"] == "moderator"] == [
        "Didenko Aleksei"
    ]
    assert [p["person"]["full_name"] for p in people if p["role"] == "speaker"] == REPORTERS
    didenko = people[0]
    assert didenko["organisation"] == "State Duma of the Federal Assembly of the Russian Federation"
    assert didenko["position"].startswith("Deputy of the State Duma")
    assert session["organisers"][0] == (
        "State Duma Committee on Federal System and Issues of Local Self-Government"
    )
    assert session["url"] == f"http://testserver/sessions/{SEED_SLUG}/"
    [concept] = session["materials"]
    assert concept["download_url"].startswith(f"http://testserver/sessions/{SEED_SLUG}/materials/")


def test_api_seed_material_download_url_serves_the_file(client, demo):
    _, session = get_json(client, f"/api/v1/sessions/{SEED_SLUG}/")
    download = client.get(session["materials"][0]["download_url"])

    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a DOCX is a ZIP


def test_api_sessions_list_the_published_demo_sessions_in_time_order(client, demo):
    _, page = get_json(client, "/api/v1/sessions/")

    assert page["count"] == 5
    assert [s["slug"] for s in page["results"]] == DEMO_PUBLISHED


def test_api_unpublished_session_and_unconfirmed_person_absent(client, session):
    hidden = make_session(session.forum, title="Hidden", slug="hidden", is_published=False)
    secret = add_participation(hidden, make_person("Secretov")).person
    unconfirmed = add_participation(session, make_person("Pendingov"), is_confirmed=False).person

    _, sessions = get_json(client, "/api/v1/sessions/")
    _, people = get_json(client, "/api/v1/people/")
    hidden_page, _ = get_json(client, "/api/v1/sessions/hidden/")
    secret_page, _ = get_json(client, f"/api/v1/people/{secret.slug}/")
    pending_page, _ = get_json(client, f"/api/v1/people/{unconfirmed.slug}/")

    assert [s["slug"] for s in sessions["results"]] == [session.slug]
    assert [p["person"]["full_name"] for p in sessions["results"][0]["people"]] == [
        "Didenko Aleksei"
    ]
    assert [p["full_name"] for p in people["results"]] == ["Didenko Aleksei"]
    assert [p["participations"] for p in people["results"]] == [
        [
            {
                "session": session.slug,
                "role": "moderator",
                "organisation": None,
                "position": "",
                "report_title": "",
            }
        ]
    ]
    assert (hidden_page.status_code, secret_page.status_code, pending_page.status_code) == (
        404,
        404,
        404,
    )


def test_api_filters_by_edition_day_and_format(client, demo):
    def slugs(query):
        _, page = get_json(client, f"/api/v1/sessions/?{query}")
        return [s["slug"] for s in page["results"]]

    days = {day: slugs(f"day={day}") for day in ("2019-10-28", "2019-10-29", "2019-10-30")}
    expected = {
        day: [
            s.slug
            for s in Session.objects.published().order_by("starts_at", "room", "title")
            if s.day.isoformat() == day
        ]
        for day in days
    }
    assert days == expected
    assert SEED_SLUG in days["2019-10-28"]
    assert days["2019-10-30"] == []
    assert slugs("format=round_table") == list(
        Session.objects.published().of_format("round_table").values_list("slug", flat=True)
    )
    assert SEED_SLUG in slugs("format=round_table")
    assert slugs("edition=18") == DEMO_PUBLISHED
    assert slugs("edition=19") == []
    assert slugs("edition=18&day=2019-10-28&format=round_table") == [
        s for s in slugs("format=round_table") if s in days["2019-10-28"]
    ]


def test_api_day_is_the_moscow_day(client, forum):
    # 00:30 in Moscow on the 29th is still the 28th in UTC.
    late = make_session(
        forum, slug="after-midnight", starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=MOSCOW)
    )

    _, on_29 = get_json(client, "/api/v1/sessions/?day=2019-10-29")
    _, on_28 = get_json(client, "/api/v1/sessions/?day=2019-10-28")

    assert [s["slug"] for s in on_29["results"]] == [late.slug]
    assert on_28["results"] == []


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        (
            "day=28.10.2019",
            400,
            {"day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            "day=2019-02-30",
            400,
            {"day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("edition=abc", 400, {"edition": ["A valid integer is required."]}),
        (
            "edition=99999999999999999999",
            400,
            {"edition": ["Ensure this value is less than or equal to 32767."]},
        ),
        ("format=party", 400, {"format": ['"party" is not a valid choice.']}),
        ("format=%00", 400, {"format": ['"\x00" is not a valid choice.']}),
        (
            "day=%00",
            400,
            {"day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("page=abc", 404, {"detail": "Invalid page."}),
        ("page=%00", 404, {"detail": "Invalid page."}),
        ("page=99999999999999999999999", 404, {"detail": "Invalid page."}),
        ("page=0", 404, {"detail": "Invalid page."}),
    ],
)
def test_api_bad_query_values_answer_json_errors(client, session, query, status, body):
    response, data = get_json(client, f"/api/v1/sessions/?{query}")

    assert (response.status_code, data) == (status, body)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/sessions/%00/", "/api/v1/people/a.b/", "/api/v1/forums/x/", "/api/v1/nothing/"],
)
def test_api_unknown_paths_answer_json_404(client, session, path):
    response, data = get_json(client, path)

    assert (response.status_code, data) == (404, {"detail": "Not found."})


def test_api_pagination_pages_and_bounded_page_size(client, forum):
    for n in range(5):
        make_session(forum, slug=f"s{n}", starts_at=datetime(2019, 10, 28, 10 + n, tzinfo=MOSCOW))

    _, first = get_json(client, "/api/v1/sessions/?page_size=2")
    _, last = get_json(client, "/api/v1/sessions/?page_size=2&page=3")
    _, huge = get_json(client, "/api/v1/sessions/?page_size=100000")

    assert (first["count"], [s["slug"] for s in first["results"]]) == (5, ["s0", "s1"])
    assert first["next"] == "http://testserver/api/v1/sessions/?page=2&page_size=2"
    assert ([s["slug"] for s in last["results"]], last["next"]) == (["s4"], None)
    assert len(huge["results"]) == 5


def build_sessions(forum, count):
    for n in range(count):
        session = make_session(forum, slug=f"q{n}")
        add_participation(session, role=Participation.Role.MODERATOR)
        add_participation(session)
        add_participation(session)
        add_material(session)
        session.organisers.create(organisation=make_organisation())


# The programme version, how many, the page of sessions (with forum), then people,
# organisers and materials prefetched.
SESSIONS_QUERIES = 6
# The programme version, how many, the page of people, their public participations.
PEOPLE_QUERIES = 4


@pytest.mark.parametrize("count", [1, 3])
def test_api_sessions_list_queries_constant(client, forum, django_assert_num_queries, count):
    build_sessions(forum, count)

    with django_assert_num_queries(SESSIONS_QUERIES):
        _, page = get_json(client, "/api/v1/sessions/")

    assert len(page["results"]) == count
    assert all(
        len(s["people"]) == 3 and s["materials"] and s["organisers"] for s in page["results"]
    )


@pytest.mark.parametrize("count", [1, 3])
def test_api_people_list_queries_constant(client, forum, django_assert_num_queries, count):
    build_sessions(forum, count)

    with django_assert_num_queries(PEOPLE_QUERIES):
        _, page = get_json(client, "/api/v1/people/")

    assert len(page["results"]) == 3 * count


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("", True),
        ("?page=1", True),
        ("?format=round_table", True),
        ("?page=01", False),
        ("?page_size=2", False),
        ("?format=round_table&format=plenary", False),
        ("?format=plenary", False),  # valid, but no plenary: an empty answer
    ],
)
def test_api_answer_kept_only_for_canonical_non_empty_queries(client, session, query, kept):
    first, body = get_json(client, f"/api/v1/sessions/{query}")

    # The programme version alone when the answer was kept; the answer's queries again if not.
    with CaptureQueriesContext(connection) as repeat:
        second, again = get_json(client, f"/api/v1/sessions/{query}")

    assert (len(repeat) == 1) == kept
    assert again == body
    assert first.status_code == second.status_code == 200


def test_api_answer_from_the_cache_follows_a_change(client, session):
    _, before = get_json(client, f"/api/v1/sessions/{session.slug}/")
    session.room = "5.A1"
    session.save()
    _, after = get_json(client, f"/api/v1/sessions/{session.slug}/")

    assert (before["room"], after["room"]) == ("4.G9", "5.A1")


def test_api_gzip_answer_is_the_same_json_compressed_once(client, session):
    plain, data = get_json(client, "/api/v1/sessions/")
    zipped = client.get("/api/v1/sessions/", headers={"Accept-Encoding": "gzip, br"})
    repeat = client.get(
        "/api/v1/sessions/", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]}
    )

    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == data
    assert zipped["ETag"] == f"W/{plain['ETag']}"
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert repeat.status_code == 304


def test_api_repeat_with_etag_is_304_until_the_programme_changes(client, session):
    first, _ = get_json(client, "/api/v1/sessions/")
    etag = first["ETag"]

    repeat = client.get("/api/v1/sessions/", headers={"If-None-Match": etag})
    session.room = "5.A1"
    session.save()
    changed, data = get_json(client, "/api/v1/sessions/", **{"If-None-Match": etag})

    assert (repeat.status_code, repeat.content, repeat["ETag"]) == (304, b"", etag)
    assert "no-cache" in first["Cache-Control"]
    assert (changed.status_code, data["results"][0]["room"]) == (200, "5.A1")
    assert changed["ETag"] != etag


def test_api_get_allows_any_origin_without_credentials(client, session):
    response = client.get("/api/v1/sessions/", headers={"Origin": "https://region.example"})
    schema = client.get("/api/v1/schema/")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert schema["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_refuses_writes_with_405(client, session, method):
    response = getattr(client, method)(f"/api/v1/sessions/{session.slug}/")
    listing = getattr(client, method)("/api/v1/sessions/")

    assert (response.status_code, listing.status_code) == (405, 405)
    assert json.loads(response.content)["detail"] == f'Method "{method.upper()}" not allowed.'
    assert "Access-Control-Allow-Origin" not in response
    session.refresh_from_db()
    assert session.title == "International and Cross-Border Cooperation"


def test_api_head_and_options_answer(client, session):
    head = client.head("/api/v1/sessions/")
    options = client.options("/api/v1/sessions/")

    assert (head.status_code, head.content, head["Access-Control-Allow-Origin"]) == (200, b"", "*")
    assert options["Allow"] == "GET, HEAD, OPTIONS"


def test_api_forums_list_the_editions(client, forum):
    _, page = get_json(client, "/api/v1/forums/")
    _, one = get_json(client, f"/api/v1/forums/{forum.pk}/")

    assert page["results"] == [one]
    assert one == {
        "id": forum.pk,
        "name": "XVIII All-Russia Forum of Strategic Planning Leaders",
        "edition": 18,
        "starts_on": "2019-10-28",
        "ends_on": "2019-10-29",
        "city": "Saint Petersburg",
    }
