"""The programme pages from the cache: the same HTML with no page queries, gzip, and the page
around the cached part rendered for each visitor (sessions/page_cache/)."""

import gzip

import pytest
from django.test import Client

from tests.factories import add_participation, make_person

from .cached_pages import (
    PAGES,
    VERSION_READ,
    nav_links,
    reporters,
    url_of,
)
from .html import parse

pytestmark = pytest.mark.django_db


# A cache hit


@pytest.mark.parametrize("name", PAGES)
def test_cache_hit_serves_the_same_page_with_one_query(
    client, round_table, name, django_assert_num_queries
):
    url = url_of(name, round_table)
    first = client.get(url)

    # An anonymous visitor's page comes whole from the fast path: one read of the version.
    with django_assert_num_queries(1) as captured:
        second = client.get(url)

    assert [query["sql"] for query in captured.captured_queries] == [VERSION_READ]
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content


@pytest.mark.parametrize("name", PAGES)
def test_cache_hit_for_a_signed_in_visitor_runs_no_page_queries(
    client, round_table, participant, name, django_assert_num_queries
):
    url = url_of(name, round_table)
    client.force_login(participant)
    client.get(url)

    # Their session, their account, then the forum and the version in one query.
    with django_assert_num_queries(3):
        response = client.get(url)

    assert "My proposals" in nav_links(response)


def test_session_page_warm_cache_queries_do_not_grow_with_its_people(
    client, round_table, django_assert_num_queries
):
    for n in range(20):
        add_participation(round_table, make_person(f"Speaker{n}"))
    client.get(round_table.get_absolute_url())

    with django_assert_num_queries(1):
        response = client.get(round_table.get_absolute_url())

    assert len(reporters(response)) == 21


# Compression and the page around the cached part


def test_html_is_gzipped_for_clients_that_accept_it(client, round_table):
    plain = client.get(round_table.get_absolute_url())
    compressed = client.get(round_table.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert len(compressed.content) < len(plain.content) / 2
    text = gzip.decompress(compressed.content).decode()
    assert "International and Cross-Border Cooperation" in text


def test_signed_in_visitors_see_their_own_navigation_on_cached_pages(
    client, round_table, participant, superuser
):
    anonymous_first = nav_links(client.get(round_table.get_absolute_url()))
    client.force_login(participant)
    participant_nav = nav_links(client.get(round_table.get_absolute_url()))
    client.force_login(superuser)
    superuser_nav = nav_links(client.get(round_table.get_absolute_url()))
    client.logout()
    anonymous_again = nav_links(client.get(round_table.get_absolute_url()))

    assert anonymous_first == anonymous_again == ["Programme", "Speakers", "Log in", "Register"]
    assert participant_nav == [
        "Programme",
        "Speakers",
        "My proposals",
        "My agenda",
        "Profile",
        "Log out",
    ]
    assert superuser_nav == [
        "Programme",
        "Speakers",
        "My proposals",
        "My agenda",
        "Profile",
        "Moderation",
        "Log out",
    ]


def test_cached_page_logout_form_carries_a_working_csrf_token(round_table, participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    client.get(round_table.get_absolute_url())
    cached = client.get(round_table.get_absolute_url())
    token = parse(cached).find("input", name="csrfmiddlewaretoken").attrs["value"]

    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert nav_links(client.get("/")) == ["Programme", "Speakers", "Log in", "Register"]
