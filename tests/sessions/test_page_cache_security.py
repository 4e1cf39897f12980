"""The page cache (sessions/page_cache/) under hostile or unlucky use: made-up query strings add
no entries, a new log-in is never answered with an old page, errors carry every security
header, Last-Modified is never in the future; and the Django behaviours it relies on."""

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.http import parse_http_date

from sessions.page_cache.core import mark_anonymous_page
from sessions.page_cache.fast_path import AnonymousPageCacheMiddleware, programme_version
from tests.factories import add_participation, make_person, make_user

from .html import parse, texts

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 42"
PERMISSIONS_POLICY = "camera=()"


def cache_keys():
    """The keys in the local-memory cache the tests run with."""
    backend = caches["default"]
    assert isinstance(backend, LocMemCache)
    return sorted(backend._cache)


def programme_titles(response):
    items = parse(response).find_all("article", class_="programme-item")
    return [item.find("h3").text for item in items]


# Item 7: made-up query strings fill no cache


def test_made_up_query_parameters_add_no_cache_entries(client, session):
    speaker = session.participations.get().person
    pages = ["/", session.get_absolute_url(), "/speakers/", speaker.get_absolute_url()]
    for url in pages:
        client.get(url)
    before = cache_keys()

    responses = [client.get(url, {f"junk{n}": "1"}) for n in range(50) for url in pages] + [
        Client().get(url, {f"utm_source{n}": "qr"}) for n in range(50) for url in pages
    ]

    assert cache_keys() == before
    assert {response.status_code for response in responses} == {200}
    assert programme_titles(responses[-4]) == ["International and Cross-Border Cooperation"]
    assert parse(responses[-3]).find("h1").text == "International and Cross-Border Cooperation"


def test_made_up_values_of_known_parameters_add_no_cache_entries(client, session):
    for n in range(150):
        add_participation(session, make_person(f"Zz{n:03}"))
    client.get("/")
    client.get("/speakers/")
    client.get("/speakers/?page=2")
    before = cache_keys()

    refused_days = [client.get("/", {"day": f"2019-13-{n}"}) for n in range(20)]
    pages_written_otherwise = [
        client.get("/speakers/", {"page": "0" * n + "2"}) for n in range(1, 20)
    ]
    last = client.get("/speakers/", {"page": "last"})
    repeated = [client.get(f"/?format=x{n}&format=") for n in range(20)]

    assert cache_keys() == before
    assert programme_titles(refused_days[-1]) == ["International and Cross-Border Cooperation"]
    names = parse(pages_written_otherwise[-1]).find_all("a", class_="person-name")
    assert len(names) == 51
    assert len(parse(last).find_all("a", class_="person-name")) == 51
    assert programme_titles(repeated[-1]) == ["International and Cross-Border Cooperation"]


def test_made_up_query_parameters_leave_the_page_unfiltered(client, session):
    response = client.get("/", {"junk": "1"})

    assert programme_titles(response) == ["International and Cross-Border Cooperation"]
    assert "Reset" not in parse(response).find("form", role="search").text


def test_searches_add_no_cache_entries(client, session):
    """Each distinct text would be an entry, and one that matches everything is the whole
    programme (~190 KB for 300 sessions): searches are rendered each time."""
    client.get("/")
    client.get("/speakers/")
    before = cache_keys()

    programme = [client.get("/", {"q": f"cooperation{' ' * n}"}) for n in range(10)]
    speakers = [client.get("/speakers/", {"q": f"Didenko {n}"[: 7 + n % 2]}) for n in range(10)]
    nothing = [client.get("/", {"q": f"nothing like it {n}"}) for n in range(10)]

    assert cache_keys() == before
    assert programme_titles(programme[-1]) == ["International and Cross-Border Cooperation"]
    assert texts(parse(speakers[-1]).find_all("a", class_="person-name")) == ["Didenko Aleksei"]
    assert programme_titles(nothing[-1]) == []


def test_a_filter_makes_one_entry_for_every_visitor(client, session):
    client.get("/")
    before = len(cache_keys())

    responses = [Client().get("/", {"format": session.format}) for _ in range(3)]

    assert len(cache_keys()) == before + 1
    assert [programme_titles(r) for r in responses] == [
        ["International and Cross-Border Cooperation"]
    ] * 3


def test_a_worker_keeps_the_pages_of_one_programme_version_only(client, session):
    """Old versions' keys are never asked for again: a worker's local cache is emptied when
    the programme moves, instead of keeping every version's pages for a day."""
    for url in ("/", session.get_absolute_url(), "/speakers/"):
        client.get(url)
    old = set(cache_keys())

    session.title = "Twinned Cities Today"
    session.save()
    response = client.get("/")

    assert old and not old & set(cache_keys())
    assert programme_titles(response) == ["Twinned Cities Today"]
    assert programme_titles(client.get("/")) == ["Twinned Cities Today"]


# Item 13: a new log-in, a new ETag


def log_in(client, email):
    page = client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
    )
    assert response.headers["Location"] == "/proposals/"


def csrf_token(response):
    return parse(response).find("input", name="csrfmiddlewaretoken").attrs["value"]


def test_log_out_and_in_again_never_revives_a_page_with_the_old_csrf_token(session):
    user = make_user("reader@example.org", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    url = session.get_absolute_url()
    log_in(client, user.email)
    client.get(url)
    old = client.get(url)
    logged_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(old)})
    assert logged_out.headers["Location"] == "/"
    log_in(client, user.email)

    again = client.get(url, headers={"if-none-match": old.headers["ETag"]})

    assert again.status_code == 200
    assert again.headers["ETag"] != old.headers["ETag"]
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(again)})
    assert response.headers["Location"] == "/"


# Item 18: errors made around the page cache carry every security header


def assert_every_security_header(response):
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert PERMISSIONS_POLICY in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_fast_path_refusing_a_forged_host_sends_every_security_header(session):
    response = Client().get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert_every_security_header(response)


def test_fast_path_with_the_cache_down_answers_500_with_every_security_header(settings, session):
    # Nothing listens on port 1: every cache read fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert_every_security_header(response)


def test_fast_path_with_the_version_unreadable_answers_500_with_every_security_header(session):
    with connections["default"].cursor() as cursor:
        cursor.execute("ALTER TABLE forum_sessions_programmeversion RENAME TO forum_sessions_gone")

    response = Client(raise_request_exception=False).get(session.get_absolute_url())

    assert response.status_code == 500
    assert_every_security_header(response)


def test_https_redirect_sends_every_security_header(settings, session):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/")

    assert response.headers["Location"] == "https://testserver/"
    assert_every_security_header(response)


# Item 22: Last-Modified is the real moment of the last change


def test_last_modified_after_loading_the_demo_is_not_in_the_future(client, demo):
    for url in ("/", demo.get_absolute_url()):
        started = int(timezone.now().timestamp())
        response = client.get(url)
        answered = int(timezone.now().timestamp())

        modified = parse_http_date(response.headers["Last-Modified"])
        assert modified <= answered, datetime.fromtimestamp(modified, UTC)
        assert modified >= started - 120  # the load a moment ago, not some older moment


# What the page cache relies on in Django: these fail on the release that changes it


def nonce_page(request):
    """A page that uses the CSP nonce, marked as every anonymous visitor's page."""
    return mark_anonymous_page(HttpResponse(f'<script nonce="{get_nonce(request)}"></script>'))


def plain_page(request):
    return mark_anonymous_page(HttpResponse("<p>The programme</p>"))


@pytest.mark.parametrize(("view", "stored"), [(nonce_page, False), (plain_page, True)])
def test_fast_path_never_stores_a_page_that_used_the_csp_nonce(session, view, stored):
    """Django's LazyNonce is false until used: the fast path tells a page with a nonce by it."""
    stack = ContentSecurityPolicyMiddleware(AnonymousPageCacheMiddleware(view))

    first = stack(RequestFactory().get("/"))

    assert [key.startswith(":1:page:") for key in cache_keys()] == ([True] if stored else [])
    nonces = re.findall(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"])
    assert bool(nonces) is not stored


@pytest.mark.django_db(transaction=True)
def test_fast_path_version_read_stands_in_for_the_health_check(monkeypatch, session):
    """Django checks a kept connection (`is_usable`) before its first query of a request
    while `health_check_done` is false; the version read sets it, being that check itself."""
    connection = connections["default"]
    connection.ensure_connection()
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("check") or True)
    monkeypatch.setattr(connection, "health_check_enabled", True)

    connection.health_check_done = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert (checks, connection.health_check_done) == (["check"], True)

    connection.health_check_done = False
    assert programme_version() is not None
    assert (checks, connection.health_check_done) == (["check"], True)
