"""/healthz, and pages, when the database answers, fails, or hangs (forum_portal/dbwatch.py)."""

import logging
import time

import pytest
from django.db import connection
from django.test import Client

from forum_portal.dbwatch import watchdog
from tests.reliability.proxy import PausingProxy

pytestmark = pytest.mark.django_db


def assert_not_cached(response):
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "max-age=0"} <= cache_control


@pytest.fixture(autouse=True)
def _database_found_up():
    """The watchdog's state is the process's: a test that breaks the database leaves none."""
    watchdog.mark_up()
    yield
    watchdog.mark_up()


@pytest.fixture
def broken_database():
    """The database settings point nowhere, for every connection opened from now on."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    if connection.vendor == "postgresql":
        settings_dict["NAME"] = "forum_portal_no_such_database"
        detail = "forum_portal_no_such_database"
    else:
        settings_dict["NAME"] = "/no/such/directory/forum.sqlite3"
        detail = "unable to open database file"
    yield detail
    settings_dict.update(saved)


def test_healthz_database_answers_ok(client):
    response = client.get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_not_cached(response)
    assert "Set-Cookie" not in response.headers


def test_healthz_head_answers_without_body(client):
    response = client.head("/healthz")

    assert (response.status_code, response.content) == (200, b"")


def test_healthz_post_is_refused(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_healthz_database_error_answers_503_without_details(client, broken_database, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/healthz")

    assert (response.status_code, response.content) == (503, b"unavailable")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_not_cached(response)
    # The reason is in the server's log, for the operator.
    logged = [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and broken_database in logged[0], logged


def test_healthz_answers_ok_again_after_the_database_returns(client, settings):
    settings.DB_RETRY_SECONDS = 1
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    settings_dict["NAME"] = "/no/such/directory/forum.sqlite3"
    try:
        down = client.get("/healthz")
        # Meanwhile every request is answered at once, without asking the database.
        meanwhile = client.get("/healthz")
    finally:
        settings_dict["NAME"] = name
    time.sleep(1.1)
    up = client.get("/healthz")

    assert [(down.status_code, down.content), (up.status_code, up.content)] == [
        (503, b"unavailable"),
        (200, b"ok"),
    ]
    assert meanwhile.status_code == 503
    assert meanwhile.headers["Retry-After"] == "1"
    assert b"cannot reach its database" in meanwhile.content


# -- A database that hangs: reached, but answering nothing (PostgreSQL) ------------------------


@pytest.fixture
def server_client():
    """A client that gets the server's error answers instead of the view's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def hanging_database(settings):
    """Every connection of this process goes through a proxy the test can pause; kept between
    requests as in production (CONN_MAX_AGE), so that a page meets the hang mid-connection."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no server to lose")
    settings.DB_PROBE_TIMEOUT = 1
    settings.DB_RETRY_SECONDS = 2
    settings_dict = connection.settings_dict
    saved = {name: settings_dict[name] for name in ("HOST", "PORT", "CONN_MAX_AGE")}
    connection.close()
    with PausingProxy(saved["HOST"] or "127.0.0.1", saved["PORT"] or 5432) as proxy:
        settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port), CONN_MAX_AGE=600)
        try:
            yield proxy
        finally:
            proxy.resume()
            connection.close()
            settings_dict.update(saved)
    connection.close()


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def wait_for(request, status, within):
    deadline = time.monotonic() + within
    while (response := request()).status_code != status and time.monotonic() < deadline:
        time.sleep(0.1)
    return response


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_within_its_limit_while_the_database_hangs(client, hanging_database):
    before = client.get("/healthz")
    hanging_database.pause()

    during, seconds = timed(lambda: client.get("/healthz"))
    hanging_database.resume()
    after = wait_for(lambda: client.get("/healthz"), 200, within=5)

    assert [before.content, during.content, after.content] == [b"ok", b"unavailable", b"ok"]
    assert during.status_code == 503
    assert seconds < 1.5  # DB_PROBE_TIMEOUT is 1 s


@pytest.mark.django_db(transaction=True)
def test_page_waiting_for_a_hung_database_ends_with_503_and_the_next_at_once(
    server_client, hanging_database, session
):
    client = server_client
    page = session.get_absolute_url()
    before = client.get(page)
    # The page's kept connection is open; now the database stops answering.
    hanging_database.pause()

    stuck, stuck_seconds = timed(lambda: client.get(page))
    next_one, next_seconds = timed(lambda: client.get("/"))
    hanging_database.resume()
    after = wait_for(lambda: client.get(page), 200, within=5)

    assert [before.status_code, stuck.status_code, next_one.status_code, after.status_code] == [
        200,
        503,
        503,
        200,
    ]
    # The watchdog noticed the wait (1 s), asked the database (1 s) and ended the query.
    assert stuck_seconds < 3.5
    assert next_seconds < 0.5
    assert b"cannot reach its database" in next_one.content
    assert session.title in after.content.decode()
