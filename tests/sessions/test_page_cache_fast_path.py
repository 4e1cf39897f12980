"""Anonymous visitors get the whole page from the fast path (sessions/page_cache/fast_path.py)."""

import gzip

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import add_participation, make_person

from .cached_pages import (
    PAGES,
    VERSION_READ,
    leave_message,
    main_text,
    nav_links,
    reporters,
    url_of,
)
from .html import parse, texts

pytestmark = pytest.mark.django_db


# The anonymous fast path (sessions/page_cache/fast_path.py)


def test_fast_path_gives_two_anonymous_visitors_the_same_bytes(round_table):
    first = Client().get(round_table.get_absolute_url())

    second = Client().get(round_table.get_absolute_url())

    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Petrova Anna" in main_text(second)


@pytest.mark.parametrize("name", PAGES)
def test_fast_path_gzip_variant_decodes_to_the_plain_page(client, round_table, name):
    url = url_of(name, round_table)
    plain = client.get(url)
    client.get(url, headers={"accept-encoding": "gzip"})

    with CaptureQueriesContext(connection) as captured:
        compressed = client.get(url, headers={"accept-encoding": "gzip"})

    assert len(captured) == 1
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.headers["Content-Length"] == str(len(compressed.content))
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed.headers["ETag"] == f"W/{plain.headers['ETag']}"


def test_fast_path_pages_hold_no_csrf_token_nor_nonce_and_set_no_cookie(client, round_table):
    for name in PAGES:
        url = url_of(name, round_table)
        for response in (client.get(url), client.get(url)):
            assert "csrfmiddlewaretoken" not in response.content.decode()
            assert "nonce" not in response.content.decode()
            assert "nonce" not in response.headers["Content-Security-Policy"]
            assert response.cookies == {}


def test_fast_path_never_gives_a_signed_in_visitor_the_anonymous_page(
    client, round_table, participant
):
    url = round_table.get_absolute_url()
    client.get(url)
    client.get(url, headers={"accept-encoding": "gzip"})
    client.force_login(participant)

    plain = client.get(url)
    compressed = client.get(url, headers={"accept-encoding": "gzip"})

    expected = ["Programme", "Speakers", "My proposals", "My agenda", "Profile", "Log out"]
    assert nav_links(plain) == expected
    assert nav_links(gzip.decompress(compressed.content).decode()) == expected


def test_fast_path_does_not_store_a_page_with_a_message(client, round_table):
    leave_message(client, "Your proposal was saved.")
    with_message = client.get("/")
    assert texts(parse(with_message).find_all("div", role="status")) == ["Your proposal was saved."]

    later = Client().get("/")

    assert parse(later).find_all("div", role="status") == []


def test_fast_path_change_in_the_admin_is_seen_at_the_next_anonymous_request(
    superuser_client, round_table
):
    anonymous = Client()
    petrova = round_table.participations.get(person__surname="Petrova").person
    for url in (round_table.get_absolute_url(), "/speakers/", petrova.get_absolute_url()):
        anonymous.get(url)
        anonymous.get(url)

    response = superuser_client.post(
        f"/admin/forum_sessions/person/{petrova.pk}/change/",
        {"surname": "Ivanova", "first_name": "Anna", "patronymic": "", "slug": petrova.slug},
    )

    assert response.status_code == 302
    assert reporters(anonymous.get(round_table.get_absolute_url())) == [
        "Ivanova Anna, Union of Russian Cities. Expert Twinned cities"
    ]
    assert "Ivanova Anna" in main_text(anonymous.get("/speakers/"))
    assert parse(anonymous.get(petrova.get_absolute_url())).find("h1").text == "Ivanova Anna"


def test_fast_path_answers_304_with_one_query(client, round_table, django_assert_num_queries):
    first = client.get(round_table.get_absolute_url(), headers={"accept-encoding": "gzip"})

    with django_assert_num_queries(1):
        second = client.get(
            round_table.get_absolute_url(),
            headers={"accept-encoding": "gzip", "if-none-match": first.headers["ETag"]},
        )

    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Content-Encoding" not in second.headers
    assert set(second.headers["Cache-Control"].split(", ")) == {"no-cache", "private"}


@pytest.mark.parametrize("status", [200, 304])
def test_fast_path_responses_carry_the_security_headers(client, round_table, status):
    first = client.get("/")
    headers = {"if-none-match": first.headers["ETag"]} if status == 304 else {}

    response = client.get("/", headers=headers)

    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == {
        name: first.headers[name] for name in SECURITY_HEADERS
    }
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert "camera=()" in response.headers["Permissions-Policy"]


SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
]


def test_fast_path_keeps_languages_apart(client, round_table):
    english = client.get("/", headers={"accept-language": "en"})

    russian = client.get("/", headers={"accept-language": "ru"})

    assert (english.headers["Content-Language"], russian.headers["Content-Language"]) == (
        "en",
        "ru",
    )
    assert parse(russian).find("html").attrs["lang"] == "ru"


def test_fast_path_is_off_when_caching_is_off(settings, round_table, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = Client()
    client.get(round_table.get_absolute_url())

    # The whole page is built again, and no version is read for an entry that cannot exist.
    with django_assert_num_queries(5) as captured:
        response = client.get(round_table.get_absolute_url())

    assert VERSION_READ not in [query["sql"] for query in captured.captured_queries]
    assert reporters(response) == ["Petrova Anna, Union of Russian Cities. Expert Twinned cities"]


def test_fast_path_serves_each_speakers_page_apart(client, round_table):
    for n in range(150):
        add_participation(round_table, make_person(f"Zz{n:03}"))
    client.get("/speakers/?page=2")

    second_page = client.get("/speakers/?page=2")
    first_page = client.get("/speakers/")

    assert len(parse(first_page).find_all("a", class_="person-name")) == 100
    assert len(parse(second_page).find_all("a", class_="person-name")) == 52


@pytest.mark.django_db(transaction=True)
def test_fast_path_version_read_replaces_a_dead_kept_connection(round_table):
    """The version read stands in for Django's connection health check (one round trip less
    per page): a connection that died between requests is replaced, not answered with a 500."""
    client = Client()
    first = client.get(round_table.get_absolute_url())
    dead = connection.connection
    # As between two requests of a server: the kept connection is due a health check, and the
    # database server has dropped it meanwhile.
    connection.health_check_done = False
    dead.close()

    second = client.get(round_table.get_absolute_url())

    assert second.status_code == 200
    assert second.content == first.content
    assert connection.connection is not dead


@pytest.mark.parametrize("query", [{"utm_source": "qr"}, {"page": "1"}])
def test_fast_path_leaves_made_up_queries_to_the_view(client, round_table, query):
    """A made-up query is not kept whole, so that made-up queries cannot fill the cache with
    copies of the programme; the view ignores it, and its cached part serves the page."""
    client.get("/", query)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", query)

    assert VERSION_READ not in [q["sql"] for q in captured.captured_queries]
    assert len(captured) == 1  # the forum and the version, for the cached part
    assert parse(response).find("article", class_="programme-item").find("h3").text == (
        "International and Cross-Border Cooperation"
    )


def test_search_goes_to_the_view_and_is_rendered_each_time(client, round_table):
    """Each search is one visitor's, and every distinct text would be one more entry: a
    search is neither kept whole nor as a cached part (sessions/page_cache/__init__.py)."""
    client.get("/", {"q": "cooperation"})

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", {"q": "cooperation"})

    assert VERSION_READ not in [q["sql"] for q in captured.captured_queries]
    assert len(captured) == 6  # the forum and version, then the programme's own queries
    assert parse(response).find("article", class_="programme-item").find("h3").text == (
        "International and Cross-Border Cooperation"
    )


def test_fast_path_refuses_a_forged_host_as_the_whole_stack_does(client, round_table):
    client.get("/")

    response = client.get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "Cooperation" not in response.content.decode()
