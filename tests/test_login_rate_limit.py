"""Failed logins are limited per e-mail address and per client address; nothing tells whether
an account exists. Password reset answers the same for known and unknown addresses."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

PASSWORD = "a long pass phrase 42"
INVALID = (
    "Please enter a correct e-mail address and password. Note that both fields may be "
    "case-sensitive."
)
TOO_MANY = (
    "Too many failed attempts to log in. Please try again in 15 minutes, or reset your password."
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters live in the cache, which outlives a test: start and end with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """A hundred logins with the real hasher take a minute; the hasher is not what is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def participant():
    return get_user_model().objects.create_user(
        "participant@example.org", PASSWORD, surname="Orlova", first_name="Maria"
    )


def log_in(client, email, password, ip="192.0.2.10", path="/accounts/login/", **headers):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip, **headers)


def form_errors(response):
    return response.context["form"].non_field_errors()


def without_nonce(content):
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', content)


def assert_logged_in(client, response, user):
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals/"
    assert client.session["_auth_user_id"] == str(user.pk)


def assert_refused(client, response, message):
    assert response.status_code == 200
    assert form_errors(response) == [message]
    assert "_auth_user_id" not in client.session


def test_login_five_failures_lock_the_account_even_with_the_right_password(client, participant):
    failures = [form_errors(log_in(client, participant.email, "wrong")) for _ in range(5)]

    assert failures == [[INVALID]] * 5
    assert_refused(client, log_in(client, participant.email, PASSWORD), TOO_MANY)


def test_login_four_failures_still_let_the_owner_in(client, participant):
    for _ in range(4):
        log_in(client, participant.email, "wrong")

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_success_clears_the_account_count(client, participant):
    for _ in range(4):
        log_in(client, participant.email, "wrong")
    log_in(client, participant.email, PASSWORD)
    client.post("/accounts/logout/")
    for _ in range(4):
        log_in(client, participant.email, "wrong")

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_account_lock_holds_from_another_address_and_in_another_case(client, participant):
    for n in range(5):
        log_in(client, participant.email, "wrong", ip=f"198.51.100.{n}")

    response = log_in(client, "  Participant@Example.ORG ", PASSWORD, ip="203.0.113.99")

    assert_refused(client, response, TOO_MANY)


def test_login_lock_ends_when_the_window_passes(client, participant):
    for _ in range(5):
        log_in(client, participant.email, "wrong")
    # The window is the cache entries' lifetime: let them expire, as 15 minutes would.
    cache.clear()

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_unknown_and_known_emails_get_the_same_answers(client, participant):
    known = [form_errors(log_in(client, participant.email, "wrong")) for _ in range(6)]
    unknown = [form_errors(log_in(client, "nobody@example.org", "wrong")) for _ in range(6)]

    assert known == unknown == [[INVALID]] * 5 + [[TOO_MANY]]


def test_login_twenty_failures_from_one_address_lock_it_for_every_account(client, participant):
    for n in range(20):
        log_in(client, f"guess{n}@example.org", "wrong", ip="192.0.2.66")

    blocked = log_in(client, participant.email, PASSWORD, ip="192.0.2.66")
    assert_refused(client, blocked, TOO_MANY)
    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_forged_forwarded_for_is_ignored_without_a_proxy(client, participant):
    for n in range(20):
        log_in(
            client,
            f"guess{n}@example.org",
            "wrong",
            ip="192.0.2.66",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    response = log_in(
        client, participant.email, PASSWORD, ip="192.0.2.66", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )

    assert_refused(client, response, TOO_MANY)


def test_login_behind_proxy_counts_the_address_the_proxy_saw(client, participant, settings):
    settings.BEHIND_PROXY = True
    # Every request comes from the load balancer; the client can prepend what it likes,
    # the proxy appends the address it really saw.
    for n in range(20):
        log_in(
            client,
            f"guess{n}@example.org",
            "wrong",
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 192.0.2.66",
        )

    attacker = log_in(
        client, participant.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66"
    )
    neighbour = log_in(
        client, participant.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.67"
    )

    assert form_errors(attacker) == [TOO_MANY]
    assert_logged_in(client, neighbour, participant)


def test_login_admin_page_is_limited_too(client):
    staff = get_user_model().objects.create_superuser(
        "admin@example.org", PASSWORD, surname="Adminova", first_name="Anna"
    )
    for _ in range(5):
        log_in(client, staff.email, "wrong", path="/admin/login/")

    response = log_in(client, staff.email, PASSWORD, path="/admin/login/")

    assert response.status_code == 200
    assert form_errors(response) == [TOO_MANY]
    assert "_auth_user_id" not in client.session


def test_login_page_shows_the_message(client, participant):
    for _ in range(5):
        log_in(client, participant.email, "wrong")

    response = log_in(client, participant.email, PASSWORD)

    assert TOO_MANY in response.content.decode()


def test_password_reset_known_and_unknown_emails_get_the_same_page(client, participant):
    known = client.post("/accounts/password_reset/", {"email": participant.email}, follow=True)
    sent = len(mail.outbox)
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True)

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password_reset/done/", 302)]
    )
    # Identical but for the CSP nonce, which differs on every page.
    assert without_nonce(known.content) == without_nonce(unknown.content)
    assert sent == len(mail.outbox) == 1
    assert mail.outbox[0].to == [participant.email]
