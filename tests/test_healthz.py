"""/healthz: what a load balancer sees when the database answers, and when it does not."""

import logging

import pytest
from django.db import OperationalError, connection

# What a real driver error can carry: the address, the user, the database name.
SECRET_DETAIL = 'connection to server at "db.internal" (10.0.0.7), port 5432 failed: user forum'

pytestmark = pytest.mark.django_db


def assert_not_cached(response):
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "max-age=0"} <= cache_control


def test_healthz_database_answers_ok(client, django_assert_num_queries):
    with django_assert_num_queries(1):
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


def test_healthz_database_error_answers_503_without_details(client, caplog):
    def refuse(execute, sql, params, many, context):
        raise OperationalError(SECRET_DETAIL)

    # Django's documented hook around every query of this connection: the database fails
    # exactly where a lost server would make it fail, inside cursor.execute().
    with connection.execute_wrapper(refuse), caplog.at_level(logging.ERROR):
        response = client.get("/healthz")

    assert (response.status_code, response.content) == (503, b"unavailable")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_not_cached(response)
    # The reason is in the server's log, for the operator.
    assert [r.exc_info[1].args[0] for r in caplog.records if r.exc_info] == [SECRET_DETAIL]


def test_healthz_answers_ok_again_after_the_database_returns(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError(SECRET_DETAIL)

    with connection.execute_wrapper(refuse):
        down = client.get("/healthz")
    up = client.get("/healthz")

    assert [(down.status_code, down.content), (up.status_code, up.content)] == [
        (503, b"unavailable"),
        (200, b"ok"),
    ]


@pytest.mark.django_db(transaction=True)
def test_healthz_unreachable_postgresql_answers_503(client):
    """A real failure: the connection is closed and the server's port leads nowhere."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's in-memory test database cannot be unplugged")
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        down = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    up = client.get("/healthz")

    assert [(down.status_code, down.content), (up.status_code, up.content)] == [
        (503, b"unavailable"),
        (200, b"ok"),
    ]
