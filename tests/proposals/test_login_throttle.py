"""Failed logins: limited per account and address, per account, per address; look-alike
e-mails count as the account; the owner is never locked out (device cookie, reset link);
nothing tells whether an account exists. The design: proposals/throttle.py."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client
from django.urls import reverse

from forum_portal.ratelimit.models import Counter
from proposals.throttle import DEVICE_COOKIE
from tests.factories import reset_link

PASSWORD = "a long pass phrase 42"
INVALID = (
    "Please enter a correct e-mail address and password. Note that both fields may be "
    "case-sensitive."
)
TOO_MANY = (
    "Too many failed attempts to log in. Please try again in 15 minutes, or reset your password."
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant():
    return get_user_model().objects.create_user(
        "participant@example.org", PASSWORD, surname="Orlova", first_name="Maria"
    )


def log_in(client, email, password, ip="192.0.2.10", path="/accounts/login/", **headers):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip, **headers)


def form_errors(response):
    return response.context["form"].non_field_errors()


def assert_logged_in(client, response, user):
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals/"
    assert client.session["_auth_user_id"] == str(user.pk)


def assert_refused(client, response, message):
    assert response.status_code == 200
    assert form_errors(response) == [message]
    assert "_auth_user_id" not in client.session


def owners_browser(user, ip="192.0.2.10"):
    """A browser the owner has logged in with before: it carries the device cookie."""
    browser = Client()
    assert_logged_in(browser, log_in(browser, user.email, PASSWORD, ip=ip), user)
    browser.post("/accounts/logout/")
    assert DEVICE_COOKIE in browser.cookies
    return browser


# --- One account from one address ------------------------------------------------------------


def test_login_five_failures_from_one_address_lock_the_account_there(client, participant):
    failures = [form_errors(log_in(client, participant.email, "wrong")) for _ in range(5)]

    assert failures == [[INVALID]] * 5
    assert_refused(client, log_in(client, participant.email, PASSWORD), TOO_MANY)


def test_login_four_failures_still_let_the_owner_in(client, participant):
    for _ in range(4):
        log_in(client, participant.email, "wrong")

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_success_clears_the_count(client, participant):
    for _ in range(4):
        log_in(client, participant.email, "wrong")
    log_in(client, participant.email, PASSWORD)
    client.post("/accounts/logout/")
    client.cookies.pop(DEVICE_COOKIE)
    for _ in range(4):
        log_in(client, participant.email, "wrong")

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_lock_ends_when_the_window_passes(client, participant):
    for _ in range(5):
        log_in(client, participant.email, "wrong")
    # Fifteen minutes later, as far as the counters can tell.
    Counter.objects.update(window_ends=F("window_ends") - 15 * 60)

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_unknown_and_known_emails_get_the_same_answers(client, participant):
    known = [form_errors(log_in(client, participant.email, "wrong")) for _ in range(6)]
    unknown = [form_errors(log_in(client, "nobody@example.org", "wrong")) for _ in range(6)]

    assert known == unknown == [[INVALID]] * 5 + [[TOO_MANY]]


def test_login_page_shows_the_message(client, participant):
    for _ in range(5):
        log_in(client, participant.email, "wrong")

    response = log_in(client, participant.email, PASSWORD)

    assert TOO_MANY in response.content.decode()


def test_login_admin_page_is_limited_too(client):
    staff = get_user_model().objects.create_superuser(
        "admin@example.org", PASSWORD, surname="Adminova", first_name="Anna"
    )
    for _ in range(5):
        log_in(client, staff.email, "wrong", path="/admin/login/")

    response = log_in(client, staff.email, PASSWORD, path="/admin/login/")

    assert form_errors(response) == [TOO_MANY]
    assert "_auth_user_id" not in client.session


# --- Look-alike characters count as the account (issue 9, item 2) -----------------------------

LOOK_ALIKES = [
    "ｍod2@demo.example.org",  # fullwidth m
    "𝐦od2@demo.example.org",  # mathematical bold m
    "mod２@demo.example.org",  # fullwidth 2
    "mod2＠demo.example.org",  # fullwidth @
    "  MOD2@Demo.Example.org ",
]


@pytest.fixture
def mod2():
    return get_user_model().objects.create_user(
        "mod2@demo.example.org", PASSWORD, surname="Modina", first_name="Olga"
    )


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_login_look_alike_email_after_five_failures_is_refused(client, mod2, look_alike):
    for _ in range(5):
        log_in(client, mod2.email, "wrong")

    assert_refused(client, log_in(client, look_alike, PASSWORD), TOO_MANY)


def test_login_look_alikes_share_one_count(client, mod2):
    failures = [form_errors(log_in(client, email, "wrong")) for email in LOOK_ALIKES]

    assert failures == [[INVALID]] * 5
    assert_refused(client, log_in(client, mod2.email, PASSWORD), TOO_MANY)


def test_login_look_alike_email_logs_the_owner_in(client, mod2):
    # The same normalisation on both sides: what is counted is what authenticates.
    assert_logged_in(client, log_in(client, "ｍod２＠demo.example.org", PASSWORD), mod2)


# --- The owner is not locked out (issue 9, item 4) ---------------------------------------------


def test_login_failures_from_another_address_do_not_lock_the_owner_out(client, participant):
    for _ in range(10):
        log_in(Client(), participant.email, "wrong", ip="198.51.100.1")

    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_guesses_from_many_addresses_stop_at_fifty_for_the_account(participant):
    answers = [
        form_errors(log_in(Client(), participant.email, "wrong", ip=f"198.51.100.{n // 5}"))
        for n in range(50)
    ]

    assert answers == [[INVALID]] * 50
    # A fresh address gets no guess more, not even with the right password.
    assert_refused(
        Client(), log_in(Client(), participant.email, PASSWORD, ip="203.0.113.1"), TOO_MANY
    )


def test_login_owners_browser_gets_in_while_the_account_is_under_attack(participant):
    browser = owners_browser(participant)
    for n in range(60):
        log_in(Client(), participant.email, "wrong", ip=f"198.51.100.{n // 5}")
    # The attacker on the owner's own network too.
    for _ in range(5):
        log_in(Client(), participant.email, "wrong")

    assert_logged_in(browser, log_in(browser, participant.email, PASSWORD), participant)


def test_login_owners_browser_has_its_own_small_limit(participant):
    browser = owners_browser(participant)
    for _ in range(5):
        log_in(browser, participant.email, "wrong")

    assert_refused(browser, log_in(browser, participant.email, PASSWORD), TOO_MANY)


def test_login_device_cookie_of_one_account_does_not_help_with_another(client, participant):
    other = get_user_model().objects.create_user(
        "other@example.org", PASSWORD, surname="Other", first_name="Oleg"
    )
    browser = owners_browser(other)
    for _ in range(5):
        log_in(Client(), participant.email, "wrong")

    assert_refused(browser, log_in(browser, participant.email, PASSWORD), TOO_MANY)


def test_login_forged_device_cookie_is_ignored(participant):
    client = Client()
    client.cookies[DEVICE_COOKIE] = '{"account": "anything", "device": "mine"}'
    for _ in range(5):
        log_in(client, participant.email, "wrong")

    assert_refused(client, log_in(client, participant.email, PASSWORD), TOO_MANY)


def test_login_reset_link_clears_the_lock_and_lets_the_owner_in(client, participant, mailoutbox):
    for n in range(50):
        log_in(Client(), participant.email, "wrong", ip=f"198.51.100.{n // 5}")
    for _ in range(5):
        log_in(Client(), participant.email, "wrong")

    client.post(reverse("password_reset"), {"email": participant.email})
    form_page = client.get(reset_link(mailoutbox[-1]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a new pass phrase 43", "new_password2": "a new pass phrase 43"},
    )
    # The attacker goes on guessing from everywhere, the owner's network included.
    for _ in range(5):
        log_in(Client(), participant.email, "wrong")

    assert_logged_in(client, log_in(client, participant.email, "a new pass phrase 43"), participant)


# --- One address, many accounts --------------------------------------------------------------


def test_login_hundred_failures_from_one_address_stop_it_for_new_accounts(client, participant):
    for n in range(100):
        log_in(client, f"guess{n}@example.org", "wrong", ip="192.0.2.66")

    blocked = log_in(client, participant.email, PASSWORD, ip="192.0.2.66")
    assert_refused(client, blocked, TOO_MANY)
    assert_logged_in(client, log_in(client, participant.email, PASSWORD), participant)


def test_login_shared_address_full_of_failures_still_lets_a_known_browser_in(participant):
    browser = owners_browser(participant, ip="192.0.2.66")
    for n in range(100):
        log_in(Client(), f"guess{n}@example.org", "wrong", ip="192.0.2.66")

    assert_logged_in(
        browser, log_in(browser, participant.email, PASSWORD, ip="192.0.2.66"), participant
    )


def test_login_forged_forwarded_for_is_ignored_without_a_proxy(client, participant, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
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
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
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


# --- Counters are not kept in clear ----------------------------------------------------------


def test_login_counters_hold_no_email_or_address(client, participant):
    log_in(client, participant.email, "wrong")

    keys = sorted(Counter.objects.values_list("key", flat=True))

    assert [re.sub(r"[0-9a-f]{24}", "<hash>", key) for key in keys] == [
        "login-address:<hash>",
        "login:<hash>",
        "login:<hash>:<hash>",
    ]
