"""Sign-up: an unconfirmed account and an e-mail, the same answer for every address, no takeover
of a waiting sign-up, no names or links relayed to a stranger's mailbox, limits, a dead mail
server."""

import logging
import socket

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from proposals.accounts import CONSENT_VERSION
from proposals.models import User
from tests.factories import (
    ACCOUNT_PASSWORD,
    confirm_signup,
    confirmation_link,
    make_user,
    signup_data,
)

pytestmark = pytest.mark.django_db

TOO_MANY_EMAILS = (
    "We have sent enough messages for now, to this address or from your network. Please "
    "check your mailbox (and its spam folder), or try again in an hour."
)


def log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_signup_without_consent_is_refused(client, mailoutbox):
    response = client.post(reverse("signup"), signup_data(consent=""))

    assert not User.objects.exists()
    assert response.context["form"].errors == {
        "consent": ["We can only register you with your consent to the processing of your data."]
    }
    # What they typed is still there.
    assertContains(response, 'value="Vyborg District Administration"')
    assert mailoutbox == []


def test_signup_creates_an_unconfirmed_account_without_a_password(client):
    before = timezone.now()

    client.post(reverse("signup"), signup_data())

    user = User.objects.get()
    assert user.consent_version == CONSENT_VERSION
    assert before <= user.consent_given_at <= timezone.now()
    assert (user.email, user.get_full_name(), user.organisation, user.position) == (
        "irina.volkova@example.org",
        "Volkova Irina",
        "Vyborg District Administration",
        "Deputy head",
    )
    assert (user.is_active, user.last_login, user.has_usable_password()) == (False, None, False)


def test_signup_mails_a_link_without_the_name_and_does_not_log_in(client, mailoutbox):
    response = client.post(reverse("signup"), signup_data())

    assertRedirects(response, reverse("signup_done"))
    assert "_auth_user_id" not in client.session
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["irina.volkova@example.org"], "Confirm your registration at the Forum Portal")
    ]
    # Whatever a visitor types as a name never reaches a mailbox not yet confirmed as theirs.
    assert "Volkova" not in mailoutbox[0].body
    assert "Irina" not in mailoutbox[0].body
    assert confirmation_link(mailoutbox[0]).startswith("/accounts/confirm/")


def test_signup_done_page_says_to_check_the_mailbox(client):
    response = client.post(reverse("signup"), signup_data(), follow=True)

    assertContains(response, "<h1>Check your e-mail</h1>", html=True)
    assertContains(
        response,
        "If this address already has an account, the message tells you how to log in or choose "
        "a new password instead.",
    )
    assert "irina.volkova@example.org" not in response.content.decode()


def comparable(response):
    """Status, headers (cookies are apart in the test client) and the page, CSP nonce removed."""
    page, headers = response.content.decode(), dict(response.headers)
    if response.context and "csp_nonce" in response.context:
        nonce = str(response.context["csp_nonce"])
        page = page.replace(nonce, "")
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(nonce, "")
    return response.status_code, headers, page


def test_signup_known_and_unknown_addresses_answer_the_same(db, mailoutbox):
    make_user("irina.volkova@example.org", password=ACCOUNT_PASSWORD)
    known_client, unknown_client = Client(), Client()

    known = known_client.post(reverse("signup"), signup_data(email="IRINA.Volkova@example.org"))
    unknown = unknown_client.post(reverse("signup"), signup_data(email="nobody@example.org"))

    assert comparable(known) == comparable(unknown)
    assert known["Location"] == unknown["Location"] == reverse("signup_done")
    assert known.cookies.keys() == unknown.cookies.keys()
    assert comparable(known_client.get(known["Location"])) == comparable(
        unknown_client.get(unknown["Location"])
    )
    assert "_auth_user_id" not in known_client.session
    assert "_auth_user_id" not in unknown_client.session
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "irina.volkova@example.org",
        "nobody@example.org",
    ]


def test_signup_known_address_mail_has_no_link_to_confirm_and_nothing_changes(
    client, mailoutbox, session
):
    owner = make_user(
        "irina.volkova@example.org",
        password=ACCOUNT_PASSWORD,
        surname="Volkova",
        first_name="Irina",
        organisation="Vyborg District Administration",
    )
    before = User.objects.values().get(pk=owner.pk)
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})

    client.post(
        reverse("signup"),
        signup_data(
            email="Irina.Volkova@EXAMPLE.org",
            surname="Intruder",
            organisation="Somewhere else",
            next=form_url,
        ),
    )

    assert list(User.objects.values()) == [before]
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (
        ["irina.volkova@example.org"],
        "Someone tried to register with your address at the Forum Portal",
    )
    assert "/accounts/confirm/" not in mail.body
    assert "http://testserver/accounts/login/?next=" in mail.body
    assert f"http://testserver{reverse('password_reset')}" in mail.body
    assert "Intruder" not in mail.body


class CountingHasher(MD5PasswordHasher):
    """A fast hasher that counts how often a password is hashed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("email", ["irina.volkova@example.org", "nobody@example.org"])
def test_signup_hashes_no_password_for_known_or_unknown_addresses(client, settings, email):
    # Neither path hashes (the password is chosen behind the link), so neither is slower.
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    make_user("irina.volkova@example.org", password=ACCOUNT_PASSWORD)
    CountingHasher.calls = 0

    client.post(reverse("signup"), signup_data(email=email))

    assert CountingHasher.calls == 0


def test_signup_takeover_second_signup_changes_nothing_and_the_mailbox_owner_sets_the_password(
    mailoutbox,
):
    # Issue 9, item 5, exactly: the owner signs up; before they confirm, someone else signs up
    # with the same address (and a password of their own); the owner opens the newest e-mail.
    owner, attacker = Client(), Client()
    owner.post(reverse("signup"), signup_data())
    attacker.post(
        reverse("signup"),
        signup_data(
            surname="Intruder",
            password1="attackers-passphrase-7",
            password2="attackers-passphrase-7",
        ),
    )

    confirm_signup(owner, confirmation_link(mailoutbox[-1]), password="owners-passphrase-8")

    user = User.objects.get()
    assert (user.surname, user.is_active) == ("Volkova", True)
    assert user.check_password("owners-passphrase-8")
    assert log_in(Client(), user.email, "attackers-passphrase-7").context["form"].errors
    assert log_in(Client(), user.email, "owners-passphrase-8")["Location"] == "/proposals/"


def test_signup_takeover_first_signup_by_someone_else_gives_them_no_password(mailoutbox):
    # The other order: the stranger signs up first; the owner confirms from their mailbox.
    attacker, owner = Client(), Client()
    attacker.post(
        reverse("signup"),
        signup_data(password1="attackers-passphrase-7", password2="attackers-passphrase-7"),
    )
    owner.post(reverse("signup"), signup_data())

    confirm_signup(owner, confirmation_link(mailoutbox[-1]), password="owners-passphrase-8")

    user = User.objects.get()
    assert not user.check_password("attackers-passphrase-7")
    assert user.check_password("owners-passphrase-8")


def test_signup_again_before_confirming_sends_a_new_link_and_answers_the_same(mailoutbox):
    first_client, second_client, fresh_client = Client(), Client(), Client()
    first_client.post(reverse("signup"), signup_data())

    again = second_client.post(reverse("signup"), signup_data(first_name="Irina-Maria"))
    fresh = fresh_client.post(reverse("signup"), signup_data(email="nobody@example.org"))

    assert comparable(again) == comparable(fresh)
    assert [mail.to for mail in mailoutbox] == [
        ["irina.volkova@example.org"],
        ["irina.volkova@example.org"],
        ["nobody@example.org"],
    ]
    user = User.objects.get(email="irina.volkova@example.org")
    assert (user.first_name, user.is_active) == ("Irina", False)
    # The newest link works (and so would the first: both go to the same mailbox).
    response = confirm_signup(second_client, confirmation_link(mailoutbox[1]))
    assertRedirects(response, reverse("profile"))


def test_signup_does_not_revive_a_deactivated_account(client, mailoutbox):
    closed = make_user("irina.volkova@example.org", password=ACCOUNT_PASSWORD)
    closed.last_login = timezone.now()
    closed.is_active = False
    closed.save()
    before = User.objects.values().get(pk=closed.pk)

    response = client.post(reverse("signup"), signup_data())

    assertRedirects(response, reverse("signup_done"))
    assert list(User.objects.values()) == [before]
    assert [mail.subject for mail in mailoutbox] == [
        "Someone tried to register with your address at the Forum Portal"
    ]


def test_signup_page_keeps_next(client, session):
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})

    page = client.get(f"{reverse('signup')}?next={form_url}")

    assertContains(page, f'<input type="hidden" name="next" value="{form_url}">', html=True)


def test_signup_page_has_one_form(client):
    # The page draws the <form>; the form's layout must not nest a second one inside it.
    response = client.get(reverse("signup"))

    assertContains(response, "<form", count=1)
    assertContains(response, 'name="csrfmiddlewaretoken"', count=1)


# --- Names: no links, no essays (issue 9, item 9) ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "surname",
            "URGENT: your forum badge is blocked. Unblock it at https://evil.example.com/",
            "Please shorten this to 50 characters.",
        ),
        (
            "surname",
            "Unblock at evil.example.com",
            "Please write only your name here: letters, spaces and hyphens.",
        ),
        ("first_name", "Irina2", "Please write only your name here: letters, spaces and hyphens."),
        ("patronymic", "x" * 51, "Please shorten this to 50 characters."),
        ("organisation", "See https://evil.example.com", "Please leave links out of this field."),
        ("position", "Visit www.evil.example.com", "Please leave links out of this field."),
        ("organisation", "O" * 201, "Please shorten this to 200 characters."),
    ],
)
def test_signup_refuses_links_and_absurd_lengths_in_names(client, mailoutbox, field, value, error):
    response = client.post(reverse("signup"), signup_data(**{field: value}))

    assert response.context["form"].errors == {field: [error]}
    assert not User.objects.exists()
    assert mailoutbox == []


def test_signup_takes_real_names_with_hyphens_apostrophes_and_initials(client):
    client.post(
        reverse("signup"),
        signup_data(
            surname="Rimsky-Korsakova",
            first_name="Anne  Marie",
            patronymic="D’Arcy",
            organisation="School No. 5, St. Petersburg",
        ),
    )

    user = User.objects.get()
    assert (user.get_full_name(), user.organisation) == (
        "Rimsky-Korsakova Anne Marie D’Arcy",
        "School No. 5, St. Petersburg",
    )


# --- Limits (issue 9, item 9) -------------------------------------------------------------------


def test_signup_fourth_in_an_hour_for_one_address_is_refused_and_sends_nothing(mailoutbox):
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(reverse("signup"), signup_data())
        for n in range(4)
    ]

    assert [answer.get("Location") for answer in answers[:3]] == [reverse("signup_done")] * 3
    assert answers[3].context["form"].non_field_errors() == [TOO_MANY_EMAILS]
    assert len(mailoutbox) == 3


def test_signup_eleventh_from_one_client_is_refused_another_client_goes_on(mailoutbox, settings):
    settings.SIGNUPS_PER_ADDRESS = 10
    for n in range(10):
        Client().post(reverse("signup"), signup_data(email=f"guest{n}@example.org"))

    refused = Client().post(reverse("signup"), signup_data(email="guest10@example.org"))
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("signup"), signup_data(email="guest10@example.org")
    )

    assert refused.context["form"].non_field_errors() == [TOO_MANY_EMAILS]
    assertRedirects(elsewhere, reverse("signup_done"))
    assert len(mailoutbox) == 11


# --- The mail server is down (issue 9, item 12) -------------------------------------------------


@pytest.fixture
def refusing_smtp(settings):
    """An SMTP server address where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return settings


def test_signup_while_the_mail_server_refuses_keeps_the_account_and_says_check_later(
    client, refusing_smtp, mailoutbox, caplog
):
    with caplog.at_level(logging.ERROR, logger="proposals.emails"):
        response = client.post(reverse("signup"), signup_data(), follow=True)

    assert response.redirect_chain == [(reverse("signup_done"), 302)]
    assertContains(response, "No message after an hour? Register again with the same address")
    user = User.objects.get()
    assert (user.email, user.is_active) == ("irina.volkova@example.org", False)
    assert [
        record.getMessage() for record in caplog.records if record.name == "proposals.emails"
    ] == [
        "E-mail 'Confirm your registration at the Forum Portal' to irina.volkova@example.org "
        "not sent (attempt 1); giving up."
    ]


def test_signup_again_once_the_mail_server_is_back_sends_a_working_link(
    client, refusing_smtp, settings, mailoutbox
):
    client.post(reverse("signup"), signup_data())
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    client.post(reverse("signup"), signup_data())
    response = confirm_signup(client, confirmation_link(mailoutbox[-1]))

    assertRedirects(response, reverse("profile"))
    assert User.objects.get().is_active is True
