"""Each public page runs a fixed number of queries, whatever the size of the programme.

The numbers were measured on the demo programme; the same pages then run on a programme ten
times as large (60 sessions, 140 participations, 20 materials) within the same count.
"""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import Material, Participation, Session
from tests.factories import (
    MOSCOW,
    add_material,
    add_participation,
    make_organisation,
    make_person,
    make_session,
)

from .html import parse

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR
PDF = b"%PDF-1.7\n%%EOF\n"

# Queries per page for an anonymous visitor with a cold cache, measured on the demo programme
# (`load_demo`): the programme version for the anonymous fast path (sessions/page_cache/),
# the forum for the view and the forum for the header, then the page's own queries.
PROGRAMME_QUERIES = 7  # + days, formats, sessions, moderators
SESSION_QUERIES = 6  # + session with forum, people, organisers, materials (header forum first)
SPEAKERS_QUERIES = 5  # + how many people (pages), people, their public participations
SPEAKER_QUERIES = 4  # + the person, their public participations


def build_programme(forum, scale):
    """`scale` copies of the demo's shape: per copy 6 sessions (one unpublished), 14
    participations (one unconfirmed), 2 organisers and 2 materials. One person takes part in
    every copy; one round table gets `scale` times the seed's reporters, organisers and materials.
    Returns (that person, that round table)."""
    star = make_person("Didenko", "Aleksei", slug="didenko")
    big = None
    formats = list(Session.Format)
    for copy in range(scale):
        people = [make_person(f"Speaker{copy}x{n}", "Anna") for n in range(5)]
        organisation = make_organisation()
        sessions = [
            make_session(
                forum,
                title=f"Session {copy}.{n}",
                format=formats[n % len(formats)],
                starts_at=datetime(2019, 10, 28 + n % 2, 9 + copy % 10, 0, tzinfo=MOSCOW)
                + timedelta(minutes=n),
                room=f"{n}.A{copy}",
                is_published=n != 5,
            )
            for n in range(6)
        ]
        big = big or sessions[0]
        add_participation(sessions[0], star, role=MODERATOR, organisation=organisation)
        add_participation(sessions[1], star, organisation=organisation, position="Deputy")
        for n, session in enumerate(sessions[1:], start=1):
            add_participation(session, people[n - 1], role=MODERATOR, organisation=organisation)
        for n, person in enumerate(people):
            add_participation(big, person, order=copy * 10 + n, organisation=organisation,
                            position="Expert", report_title=f"Report {copy}.{n}")  # fmt: skip
        add_participation(sessions[2], people[0], is_confirmed=False)
        add_participation(sessions[3], people[1], organisation=organisation)
        big.organisers.create(organisation=organisation, order=copy * 2)
        big.organisers.create(organisation=make_organisation(), order=copy * 2 + 1)
        add_material(big, title=f"Link {copy}", url="https://example.org/", order=copy)
        add_material(big, title=f"Concept {copy}", url="", kind=Material.Kind.CONCEPT,
                     file=SimpleUploadedFile("c.pdf", PDF), order=copy)  # fmt: skip
    return star, big


def test_build_programme_at_ten_times_has_the_promised_size(forum):
    build_programme(forum, 10)

    assert Session.objects.count() == 60
    assert Participation.objects.count() == 140
    assert Material.objects.count() == 20


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def scaled(request, forum):
    return request.param, *build_programme(forum, request.param)


# On the demo programme itself


def test_programme_queries_on_demo(client, demo, django_assert_num_queries):
    with django_assert_num_queries(PROGRAMME_QUERIES):
        client.get("/")


def test_session_page_queries_on_demo(client, demo, django_assert_num_queries):
    with django_assert_num_queries(SESSION_QUERIES):
        client.get(demo.get_absolute_url())


def test_speakers_queries_on_demo(client, demo, django_assert_num_queries):
    with django_assert_num_queries(SPEAKERS_QUERIES):
        client.get("/speakers/")


def test_speaker_page_queries_on_demo(client, demo, django_assert_num_queries):
    with django_assert_num_queries(SPEAKER_QUERIES):
        client.get("/speakers/didenko-aleksei/")


# On one and ten copies of the demo's shape


def test_programme_queries_do_not_grow_with_the_programme(
    client, scaled, django_assert_num_queries
):
    scale, _, _ = scaled

    with django_assert_num_queries(PROGRAMME_QUERIES):
        response = client.get("/")

    assert len(parse(response).find_all("article", class_="programme-item")) == 5 * scale


def test_programme_search_queries_do_not_grow_with_the_programme(
    client, scaled, django_assert_num_queries
):
    # A search is left to the view: no version read for the fast path.
    with django_assert_num_queries(PROGRAMME_QUERIES - 1):
        response = client.get("/", {"q": "didenko", "day": "2019-10-28", "format": "plenary"})

    assert parse(response).find_all("article", class_="programme-item")


def test_session_page_queries_do_not_grow_with_its_people(
    client, scaled, django_assert_num_queries
):
    scale, _, big = scaled

    with django_assert_num_queries(SESSION_QUERIES):
        response = client.get(big.get_absolute_url())

    page = parse(response)
    reporters = page.find("section", **{"aria-labelledby": "reporters-heading"})
    assert len(reporters.find("ol").children_of("li")) == 5 * scale
    assert len(page.find("section", **{"aria-labelledby": "materials-heading"}).find_all("a")) == (
        2 * scale
    )


def test_speakers_queries_do_not_grow_with_the_people(client, scaled, django_assert_num_queries):
    scale, _, _ = scaled

    with django_assert_num_queries(SPEAKERS_QUERIES):
        response = client.get("/speakers/")

    # Per copy: five speakers; the person in every copy once.
    assert len(parse(response).find_all("a", class_="person-name")) == 5 * scale + 1


def test_speaker_page_queries_do_not_grow_with_their_sessions(
    client, scaled, django_assert_num_queries
):
    scale, star, _ = scaled

    with django_assert_num_queries(SPEAKER_QUERIES):
        response = client.get(star.get_absolute_url())

    items = parse(response).find("main").find("ul", class_="people-list").children_of("li")
    assert len(items) == 2 * scale


def test_query_counts_at_ten_times_stay_within_the_demo_counts(
    client, forum, django_assert_max_num_queries
):
    star, big = build_programme(forum, 10)

    for url, limit in [
        ("/", PROGRAMME_QUERIES),
        (big.get_absolute_url(), SESSION_QUERIES),
        ("/speakers/", SPEAKERS_QUERIES),
        (star.get_absolute_url(), SPEAKER_QUERIES),
    ]:
        with django_assert_max_num_queries(limit):
            client.get(url)
