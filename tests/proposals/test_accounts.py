"""Participants' accounts: sign-up confirmed by e-mail, login, logout, profile, password reset."""

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from proposals.accounts import CONSENT_VERSION, SignupConfirmationTokenGenerator
from proposals.models import User
from tests.factories import make_user

PASSWORD = "a-long-passphrase-1"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_failures_left_over():
    """Failed logins are counted in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def signup_data(**fields):
    data = {
        "email": "Irina.Volkova@Example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "surname": "Volkova",
        "first_name": "Irina",
        "patronymic": "",
        "organisation": "Vyborg District Administration",
        "position": "Deputy head",
        "consent": "on",
    }
    data.update(fields)
    return data


def test_signup_without_consent_is_refused(client, mailoutbox):
    response = client.post(reverse("signup"), signup_data(consent=""))

    assert not User.objects.exists()
    assert response.context["form"].errors == {
        "consent": ["We can only register you with your consent to the processing of your data."]
    }
    # What they typed is still there.
    assertContains(response, 'value="Vyborg District Administration"')
    assert mailoutbox == []


def test_signup_creates_an_unconfirmed_account_with_consent_version_and_time(client):
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
    assert user.check_password(PASSWORD)
    assert (user.is_active, user.last_login) == (False, None)


def test_signup_mails_a_confirmation_link_and_does_not_log_in(client, mailoutbox):
    response = client.post(reverse("signup"), signup_data())

    assertRedirects(response, reverse("signup_done"))
    assert "_auth_user_id" not in client.session
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["irina.volkova@example.org"], "Confirm your registration at the Forum Portal")
    ]
    assert "in the name of Volkova Irina." in mailoutbox[0].body
    assert confirmation_link(mailoutbox[0]).startswith("/accounts/confirm/")


def test_signup_done_page_says_to_check_the_mailbox(client):
    response = client.post(reverse("signup"), signup_data(), follow=True)

    assertContains(response, "<h1>Check your e-mail</h1>", html=True)
    assertContains(
        response,
        "If this address already has an account, the message tells you how to log in or choose "
        "a new password instead.",
    )
    assertNotContains(response, "irina.volkova@example.org")


def comparable(response):
    """Status, headers (cookies are apart in the test client) and the page, CSP nonce removed."""
    page, headers = response.content.decode(), dict(response.headers)
    if response.context and "csp_nonce" in response.context:
        nonce = str(response.context["csp_nonce"])
        page = page.replace(nonce, "")
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(nonce, "")
    return response.status_code, headers, page


def test_signup_known_and_unknown_addresses_answer_the_same(db, mailoutbox):
    make_user("irina.volkova@example.org", password=PASSWORD)
    known_client, unknown_client = Client(), Client()

    known = known_client.post(reverse("signup"), signup_data(email="IRINA.Volkova@example.org"))
    unknown = unknown_client.post(reverse("signup"), signup_data(email="nobody@example.org"))

    assert comparable(known) == comparable(unknown)
    assert known["Location"] == unknown["Location"] == reverse("signup_done")
    assert known.cookies.keys() == unknown.cookies.keys()
    assert comparable(known_client.get(known["Location"])) == comparable(
        unknown_client.get(unknown["Location"])
    )
    # Neither is logged in; each address got one message.
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
        password=PASSWORD,
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
            password1="an-intruders-passphrase-9",
            password2="an-intruders-passphrase-9",
            surname="Intruder",
            organisation="Somewhere else",
            next=form_url,
        ),
    )

    assert list(User.objects.values()) == [before]
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (
        ["irina.volkova@example.org"],
        "Someone tried to register with your address at the Forum Portal",
    )
    assert "/accounts/confirm/" not in mail.body
    assert f"http://testserver{reverse('login')}?next={quote(form_url, safe='')}" in mail.body
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
def test_signup_hashes_the_password_once_for_known_and_unknown_addresses(client, settings, email):
    # The known address must not be answered visibly faster for skipping the slow hash.
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    make_user("irina.volkova@example.org", password=PASSWORD)
    CountingHasher.calls = 0

    client.post(reverse("signup"), signup_data(email=email))

    assert CountingHasher.calls == 1


def test_signup_again_before_confirming_answers_the_same_and_sends_a_new_link(mailoutbox):
    first_client, second_client, fresh_client = Client(), Client(), Client()
    first_client.post(reverse("signup"), signup_data())

    again = second_client.post(
        reverse("signup"),
        signup_data(
            password1="another-long-passphrase-2",
            password2="another-long-passphrase-2",
            first_name="Irina-Maria",
        ),
    )
    fresh = fresh_client.post(reverse("signup"), signup_data(email="nobody@example.org"))

    assert comparable(again) == comparable(fresh)
    assert comparable(second_client.get(again["Location"])) == comparable(
        fresh_client.get(fresh["Location"])
    )
    first_link, second_link = (confirmation_link(mail) for mail in mailoutbox[:2])
    # The latest sign-up's details count, and only its link works.
    user = User.objects.get(email="irina.volkova@example.org")
    assert (user.first_name, user.is_active) == ("Irina-Maria", False)
    assert user.check_password("another-long-passphrase-2")
    assertTemplateUsed(second_client.get(first_link), "registration/signup_confirm_invalid.html")
    assertTemplateUsed(second_client.get(second_link), "registration/signup_confirm.html")


def test_signup_does_not_revive_a_deactivated_account(client, mailoutbox):
    closed = make_user("irina.volkova@example.org", password=PASSWORD)
    closed.last_login = timezone.now() - timedelta(days=30)
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


# --- The confirmation link ---------------------------------------------------------------------


def confirmation_link(mail):
    """The path of the confirmation link in a sign-up e-mail."""
    return next(word for word in mail.body.split() if "/accounts/confirm/" in word).removeprefix(
        "http://testserver"
    )


@pytest.fixture
def link(client, mailoutbox):
    """A fresh sign-up's confirmation link."""
    client.post(reverse("signup"), signup_data())
    return confirmation_link(mailoutbox[-1])


def test_confirm_link_asks_to_confirm_and_changes_nothing_yet(client, link):
    # Opening the link is safe: a mail scanner that follows it does not use it up.
    response = client.get(link)

    assertContains(
        response,
        "You are about to confirm the account of Volkova Irina with the e-mail address "
        "irina.volkova@example.org.",
    )
    assertContains(
        response,
        '<button type="submit" class="btn btn-primary">Confirm and log in</button>',
        html=True,
    )
    user = User.objects.get()
    assert (user.is_active, user.last_login) == (False, None)
    assert "_auth_user_id" not in client.session


def test_confirm_activates_logs_in_and_goes_to_the_profile(client, link):
    response = client.post(link, follow=True)

    assert response.redirect_chain == [(reverse("profile"), 302)]
    user = User.objects.get()
    assert user.is_active
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [str(message) for message in response.context["messages"]] == [
        "Your e-mail address is confirmed. Welcome to the forum!"
    ]


def test_confirm_then_login_with_the_password_works(client, link):
    client.post(link)
    client.post(reverse("logout"))

    response = client.post(
        reverse("login"), {"username": "irina.volkova@example.org", "password": PASSWORD}
    )

    assertRedirects(response, reverse("proposals:list"))


def test_confirm_follows_next_back_to_the_proposal_form(client, session, mailoutbox):
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})
    client.post(reverse("signup"), signup_data(next=form_url))
    link = confirmation_link(mailoutbox[0])

    page = client.get(link)
    response = client.post(link)

    assert link.endswith(f"/?next={quote(form_url, safe='')}")
    assertContains(page, f'<input type="hidden" name="next" value="{form_url}">', html=True)
    assertRedirects(response, form_url)


def test_signup_off_site_next_stays_out_of_the_link(client, mailoutbox):
    client.post(reverse("signup"), signup_data(next="https://evil.example.com/"))
    link = confirmation_link(mailoutbox[0])

    response = client.post(link)

    assert "?" not in link
    assertRedirects(response, reverse("profile"))


def test_confirm_ignores_an_off_site_next_added_to_the_link(client, link):
    response = client.post(f"{link}?next=https://evil.example.com/")

    assertRedirects(response, reverse("profile"))


def test_confirm_link_works_once(client, link):
    client.post(link)
    client.post(reverse("logout"))

    again = client.post(link)

    assertTemplateUsed(again, "registration/signup_confirm_invalid.html")
    assertContains(again, "<h1>This link does not work</h1>", html=True)
    assert "_auth_user_id" not in client.session


def test_confirm_forged_token_is_refused(client, link):
    uid, token = link.strip("/").split("/")[-2:]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")

    response = client.post(reverse("signup_confirm", kwargs={"uidb64": uid, "token": forged}))

    assertTemplateUsed(response, "registration/signup_confirm_invalid.html")
    assert User.objects.get().is_active is False
    assert "_auth_user_id" not in client.session


def test_confirm_token_for_one_account_does_not_confirm_another(client, link):
    other = make_user("nobody@example.org", password=PASSWORD, is_active=False)
    token = link.strip("/").split("/")[-1]
    other_uid = urlsafe_base64_encode(force_bytes(other.pk))

    response = client.post(reverse("signup_confirm", kwargs={"uidb64": other_uid, "token": token}))

    assertTemplateUsed(response, "registration/signup_confirm_invalid.html")
    other.refresh_from_db()
    assert other.is_active is False


class FourDaysAgo(SignupConfirmationTokenGenerator):
    """Issues tokens as Django's generator would have four days ago."""

    def _now(self):
        return datetime.now() - timedelta(days=4)


def test_confirm_expired_link_is_refused_with_a_way_to_a_new_one(client, session, link):
    user = User.objects.get()
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})
    expired = reverse(
        "signup_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": FourDaysAgo().make_token(user),
        },
    )

    response = client.post(f"{expired}?next={form_url}")

    assertContains(
        response,
        "The confirmation link has expired, has already been used, or was copied incompletely.",
    )
    assertContains(
        response,
        f'<a class="btn btn-primary" href="{reverse("signup")}?next={form_url}">'
        "Ask for a new link</a>",
        html=True,
    )
    user.refresh_from_db()
    assert user.is_active is False


@pytest.mark.parametrize("uidb64", ["!!!", "AAAA", urlsafe_base64_encode(b"99999999999999999999")])
def test_confirm_malformed_account_id_shows_the_invalid_page(client, uidb64):
    response = client.get(reverse("signup_confirm", kwargs={"uidb64": uidb64, "token": "x-y"}))

    assertTemplateUsed(response, "registration/signup_confirm_invalid.html")


def test_confirm_without_csrf_token_is_refused(link):
    client = Client(enforce_csrf_checks=True)

    response = client.post(link)

    assert response.status_code == 403
    assert User.objects.get().is_active is False


def test_login_unconfirmed_account_gets_the_generic_message(client, link):
    unconfirmed = client.post(
        reverse("login"), {"username": "irina.volkova@example.org", "password": PASSWORD}
    )
    unknown = client.post(
        reverse("login"), {"username": "nobody@example.org", "password": PASSWORD}
    )

    assert (
        unconfirmed.context["form"].errors
        == unknown.context["form"].errors
        == {
            "__all__": [
                "Please enter a correct e-mail address and password. Note that both fields may be "
                "case-sensitive."
            ]
        }
    )
    assert "_auth_user_id" not in client.session


def test_pending_proposal_text_survives_signup_and_confirmation(client, session, mailoutbox):
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})
    # A visitor whose login had expired sends the form; the text waits in their session.
    client.post(
        form_url,
        {
            "title": "Kept title",
            "wording": "Kept wording.",
            "rationale": "Kept rationale.",
            "addressee": "government",
            "submission_token": "",
            "submit": "Submit",
        },
    )

    client.post(reverse("signup"), signup_data(next=form_url))
    response = client.post(confirmation_link(mailoutbox[0]))
    form_page = client.get(response.url)

    assertRedirects(response, form_url, fetch_redirect_response=False)
    assert {
        name: form_page.context["form"].initial[name]
        for name in ("title", "wording", "rationale", "addressee")
    } == {
        "title": "Kept title",
        "wording": "Kept wording.",
        "rationale": "Kept rationale.",
        "addressee": "government",
    }
    assertContains(form_page, 'value="Kept title"')


def test_login_accepts_the_email_in_any_case(client):
    user = make_user("irina.volkova@example.org", password=PASSWORD)

    response = client.post(
        reverse("login"), {"username": "Irina.Volkova@EXAMPLE.org", "password": PASSWORD}
    )

    assertRedirects(response, reverse("proposals:list"))
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_follows_next(client, session):
    make_user("irina.volkova@example.org", password=PASSWORD)
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})

    response = client.post(
        f"{reverse('login')}?next={form_url}",
        {"username": "irina.volkova@example.org", "password": PASSWORD, "next": form_url},
    )

    assertRedirects(response, form_url)


def test_login_ignores_an_off_site_next(client):
    make_user("irina.volkova@example.org", password=PASSWORD)

    response = client.post(
        reverse("login"),
        {
            "username": "irina.volkova@example.org",
            "password": PASSWORD,
            "next": "https://evil.example.com/steal",
        },
    )

    assertRedirects(response, reverse("proposals:list"))


def test_logout_by_get_is_refused(client, participant):
    client.force_login(participant)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(participant.pk)


def test_logout_by_post_logs_out(client, participant):
    client.force_login(participant)

    response = client.post(reverse("logout"))

    assertRedirects(response, reverse("sessions:programme"), fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


def test_logout_without_csrf_token_is_refused(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(participant.pk)


def test_profile_saves_name_organisation_and_position(client, participant):
    client.force_login(participant)

    response = client.post(
        reverse("profile"),
        {
            "surname": "Petrova-Smirnova",
            "first_name": "Anna",
            "patronymic": "Sergeevna",
            "organisation": "Pskov Regional Administration",
            "position": "Adviser",
        },
    )

    assertRedirects(response, reverse("profile"))
    participant.refresh_from_db()
    assert (participant.get_full_name(), participant.organisation, participant.position) == (
        "Petrova-Smirnova Anna Sergeevna",
        "Pskov Regional Administration",
        "Adviser",
    )


def test_profile_cannot_change_email_or_consent(client, participant):
    participant.consent_version = CONSENT_VERSION
    participant.consent_given_at = timezone.now() - timedelta(days=3)
    participant.save()
    given_at = participant.consent_given_at
    client.force_login(participant)

    client.post(
        reverse("profile"),
        {
            "surname": "Petrova",
            "first_name": "Anna",
            "email": "someone.else@example.org",
            "consent_version": "forged",
            "is_staff": "on",
        },
    )

    participant.refresh_from_db()
    assert (participant.email, participant.consent_version, participant.is_staff) == (
        "anna.petrova@example.org",
        CONSENT_VERSION,
        False,
    )
    assert participant.consent_given_at == given_at


def test_profile_anonymous_goes_to_login(client):
    response = client.get(reverse("profile"))

    assertRedirects(
        response, f"{reverse('login')}?next={reverse('profile')}", fetch_redirect_response=False
    )


def test_profile_page_has_one_form(client, participant):
    client.force_login(participant)

    response = client.get(reverse("profile"))

    # The header's logout button and the profile form.
    assertContains(response, "<form", count=2)


@pytest.fixture
def irina(db):
    """A participant who logs in with a password (the shared persona has none)."""
    return make_user(
        "irina.volkova@example.org", password=PASSWORD, surname="Volkova", first_name="Irina"
    )


def test_password_reset_sends_a_link_to_a_known_address(client, irina, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "Irina.Volkova@example.org"})

    assertRedirects(response, reverse("password_reset_done"))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["irina.volkova@example.org"]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_password_reset_link_lets_the_participant_choose_a_new_password(client, irina, mailoutbox):
    client.post(reverse("password_reset"), {"email": irina.email})
    link = next(
        word for word in mailoutbox[0].body.split() if "/accounts/reset/" in word
    ).removeprefix("http://testserver")

    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "another-long-passphrase-2",
            "new_password2": "another-long-passphrase-2",
        },
    )

    assertRedirects(response, reverse("password_reset_complete"))
    irina.refresh_from_db()
    assert irina.check_password("another-long-passphrase-2")


def test_password_reset_says_the_same_for_an_unknown_address(client, irina, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": irina.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    # The very same page, but for the per-response CSP nonce.
    assert known.content.decode().replace(
        str(known.context["csp_nonce"]), ""
    ) == unknown.content.decode().replace(str(unknown.context["csp_nonce"]), "")
    assertContains(unknown, "If an account is registered with this address, we have sent it a link")
    assert len(mailoutbox) == 1
    assertNotContains(unknown, "nobody@example.org")


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short1x", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("48213957601", "This password is entirely numeric."),
        ("irina.volkova", "The password is too similar to the e-mail address."),
    ],
)
def test_signup_with_a_weak_password_is_refused_with_the_reason(
    client, mailoutbox, password, error
):
    response = client.post(reverse("signup"), signup_data(password1=password, password2=password))

    assert not User.objects.exists()
    assert error in response.context["form"].errors["password2"]
    assertContains(response, 'value="Vyborg District Administration"')
    assert mailoutbox == []


def test_password_change_refuses_a_weak_password_and_keeps_the_old_one(client):
    user = make_user(email="anna@example.org", password=PASSWORD)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert "This password is too common." in response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
