"""The speakers list, its search and pages, and each speaker's page."""

import pytest

from sessions.models import Participation, Session
from tests.factories import (
    add_participation,
    at,
    make_organisation,
    make_person,
    make_session,
)

from .html import parse, texts

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR


@pytest.fixture
def speakers(forum):
    published = make_session(forum, title="Open Round Table", slug="open", starts_at=at(28, 14))
    later = make_session(forum, title="Workshop", slug="later", starts_at=at(29, 10),
                         format=Session.Format.WORKSHOP, room="3.A1")  # fmt: skip
    hidden = make_session(forum, title="Closed Meeting", slug="closed", is_published=False)
    volkova = make_person("Volkova", "Olga", patronymic="Andreevna", slug="volkova")
    add_participation(later, volkova, role=MODERATOR,
                    organisation=make_organisation("Saint Petersburg State University"),
                    position="Associate Professor")  # fmt: skip
    add_participation(published, volkova, report_title="Agglomerations as growth poles",
                    organisation=make_organisation("Leontief Centre"),
                    position="Expert")  # fmt: skip
    add_participation(published, make_person("Bashkin", "Alexandr", slug="bashkin"))
    add_participation(published, make_person("Ivanov", "Mikhail", slug="ivanov"))
    add_participation(published, make_person("Unconfirmed", "Pavel", slug="unconfirmed"),
                    is_confirmed=False)  # fmt: skip
    add_participation(hidden, make_person("Secret", "Vera", slug="secret"))
    return forum


def speaker_names(response):
    return texts(
        parse(response).find("ul", class_="people-list").find_all("a", class_="person-name")
    )


def test_speakers_lists_confirmed_people_of_published_sessions_alphabetically(client, speakers):
    assert speaker_names(client.get("/speakers/")) == [
        "Bashkin Alexandr",
        "Ivanov Mikhail",
        "Volkova Olga Andreevna",
    ]


def test_speakers_shows_each_persons_first_affiliation(client, speakers):
    page = parse(client.get("/speakers/"))

    assert texts(page.find_all(class_="person-affiliation")) == ["Leontief Centre. Expert"]


def test_speakers_search_by_name(client, speakers):
    assert speaker_names(client.get("/speakers/", {"q": "olga"})) == ["Volkova Olga Andreevna"]
    assert speaker_names(client.get("/speakers/", {"q": "secret"})) == []
    assert speaker_names(client.get("/speakers/", {"q": "unconfirmed"})) == []


def test_speakers_search_without_match_says_so(client, speakers):
    page = parse(client.get("/speakers/", {"q": "Nobody"}))

    assert page.find("ul", class_="people-list").text == "Nobody matches this search."


def test_speakers_with_nobody_confirmed_says_so(client, forum):
    page = parse(client.get("/speakers/"))

    assert page.find("ul", class_="people-list").text == "No speakers have been confirmed yet."


def test_speaker_page_lists_public_sessions_with_roles_in_time_order(client, speakers):
    page = parse(client.get("/speakers/volkova/"))

    assert page.find("h1").text == "Volkova Olga Andreevna"
    assert texts(page.find("main").find("ul", class_="people-list").find_all("li")) == [
        "28.10.2019, 14:00–16:00 · Room 4.G9 Open Round Table Reporter Leontief Centre. Expert "
        "Agglomerations as growth poles",
        "29.10.2019, 10:00–12:00 · Room 3.A1 Workshop Moderator Saint Petersburg State "
        "University. Associate Professor",
    ]
    links = page.find("main").find("ul", class_="people-list").find_all("a")
    assert [a.attrs["href"] for a in links] == ["/sessions/open/", "/sessions/later/"]


@pytest.mark.parametrize("slug", ["secret", "unconfirmed", "nobody"])
def test_speaker_page_of_someone_not_public_is_404(client, speakers, slug):
    response = client.get(f"/speakers/{slug}/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


def test_speaker_page_leaves_out_unpublished_sessions(client, speakers):
    hidden = Session.objects.get(slug="closed")
    add_participation(hidden, Participation.objects.filter(person__slug="bashkin").get().person)

    page = parse(client.get("/speakers/bashkin/"))

    items = page.find("main").find("ul", class_="people-list").find_all("a")
    assert texts(items) == ["Open Round Table"]


def test_speakers_too_long_search_shows_error_and_everyone(client, speakers):
    response = client.get("/speakers/", {"q": "x" * 201})

    page = parse(response)
    assert page.find(id="id_q_error").text == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert speaker_names(response) == [
        "Bashkin Alexandr",
        "Ivanov Mikhail",
        "Volkova Olga Andreevna",
    ]


def test_speakers_list_comes_a_hundred_to_a_page_keeping_the_search(client, forum):
    session = make_session(forum, title="Open Round Table")
    for n in range(230):
        add_participation(session, make_person(f"Speaker{n:03}", "Anna"))
    add_participation(session, make_person("Volkova", "Olga"))

    first = parse(client.get("/speakers/", {"q": "anna"}))
    last = parse(client.get("/speakers/", {"q": "anna", "page": "3"}))

    assert texts(first.find("ul", class_="people-list").find_all("a", class_="person-name"))[
        :2
    ] == ["Speaker000 Anna", "Speaker001 Anna"]
    assert len(first.find_all("a", class_="person-name")) == 100
    assert [(a.attrs["rel"], a.attrs["href"]) for a in first.find_all("a", class_="page-link")] == [
        ("next", "/speakers/?q=anna&page=2")
    ]
    assert texts(last.find_all("a", class_="person-name")) == [
        f"Speaker{n:03} Anna" for n in range(200, 230)
    ]
    assert [(a.attrs["rel"], a.attrs["href"]) for a in last.find_all("a", class_="page-link")] == [
        ("prev", "/speakers/?q=anna&page=2")
    ]
    assert last.find("li", class_="active").text == "Page 3 of 3"
    assert client.get("/speakers/", {"q": "anna", "page": "4"}).status_code == 404


def test_speakers_second_page_links_back_to_the_plain_list(client, forum):
    session = make_session(forum, title="Open Round Table")
    for n in range(101):
        add_participation(session, make_person(f"Speaker{n:03}", "Anna"))

    second = parse(client.get("/speakers/", {"page": "2"}))

    assert texts(second.find_all("a", class_="person-name")) == ["Speaker100 Anna"]
    assert [
        (a.attrs["rel"], a.attrs["href"]) for a in second.find_all("a", class_="page-link")
    ] == [("prev", "/speakers/")]
