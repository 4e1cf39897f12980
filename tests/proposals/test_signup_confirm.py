"""The confirmation link: whoever reads the mailbox chooses the password, which activates the
account and logs in; the link works once, for one account, for three days."""

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import assertContains, assertRedirects, assertTemplateUsed

from proposals.accounts import SignupConfirmationTokenGenerator
from proposals.models import User
from tests.factories import (
    ACCOUNT_PASSWORD,
    confirm_signup,
    confirmation_link,
    make_user,
    signup_data,
)

pytestmark = pytest.mark.django_db


def test_confirm_link_asks_for_a_password_and_changes_nothing_yet(client, signup_link):
    # Opening the link is safe: a mail scanner that follows it does not use it up.
    response = client.get(signup_link)

    assertContains(
        response,
        "You are confirming the account of Volkova Irina with the e-mail address "
        "irina.volkova@example.org.",
    )
    assert list(response.context["form"].fields) == ["new_password1", "new_password2"]
    assertContains(
        response,
        '<button type="submit" class="btn btn-primary">Confirm and log in</button>',
        html=True,
    )
    user = User.objects.get()
    assert (user.is_active, user.last_login, user.has_usable_password()) == (False, None, False)
    assert "_auth_user_id" not in client.session


def test_confirm_activates_sets_the_password_logs_in_and_goes_to_the_profile(client, signup_link):
    response = confirm_signup(client, signup_link)

    assertRedirects(response, reverse("profile"), fetch_redirect_response=False)
    user = User.objects.get()
    assert user.is_active
    assert user.check_password(ACCOUNT_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(response.url)
    assert [str(message) for message in page.context["messages"]] == [
        "Your e-mail address is confirmed. Welcome to the forum!"
    ]


def test_confirm_then_login_with_the_password_works(client, signup_link):
    confirm_signup(client, signup_link)
    client.post(reverse("logout"))

    response = client.post(
        reverse("login"), {"username": "irina.volkova@example.org", "password": ACCOUNT_PASSWORD}
    )

    assertRedirects(response, reverse("proposals:list"))


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short1x", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("48213957601", "This password is entirely numeric."),
        ("irina.volkova", "The password is too similar to the e-mail address."),
    ],
)
def test_confirm_with_a_weak_password_is_refused_with_the_reason(
    client, signup_link, password, error
):
    response = confirm_signup(client, signup_link, password=password)

    assert error in response.context["form"].errors["new_password2"]
    user = User.objects.get()
    assert (user.is_active, user.has_usable_password()) == (False, False)
    assert "_auth_user_id" not in client.session


def test_confirm_follows_next_back_to_the_proposal_form(client, session, mailoutbox):
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})
    client.post(reverse("signup"), signup_data(next=form_url))
    link = confirmation_link(mailoutbox[0])

    page = client.get(link)
    response = confirm_signup(client, link)

    assert link.endswith(f"/?next={quote(form_url, safe='')}")
    assertContains(page, f'<input type="hidden" name="next" value="{form_url}">', html=True)
    assertRedirects(response, form_url)


def test_signup_off_site_next_stays_out_of_the_link(client, mailoutbox):
    client.post(reverse("signup"), signup_data(next="https://evil.example.com/"))
    link = confirmation_link(mailoutbox[0])

    response = confirm_signup(client, link)

    assert "?" not in link
    assertRedirects(response, reverse("profile"))


def test_confirm_ignores_an_off_site_next_added_to_the_link(client, signup_link):
    response = confirm_signup(client, f"{signup_link}?next=https://evil.example.com/")

    assertRedirects(response, reverse("profile"))


def test_confirm_link_works_once(client, signup_link):
    confirm_signup(client, signup_link)
    client.post(reverse("logout"))

    again = confirm_signup(client, signup_link, password="another-long-passphrase-2")

    assertTemplateUsed(again, "registration/signup_confirm_invalid.html")
    assertContains(again, "<h1>This link does not work</h1>", html=True)
    assert "_auth_user_id" not in client.session
    assert User.objects.get().check_password(ACCOUNT_PASSWORD)


def test_confirm_forged_token_is_refused(client, signup_link):
    uid, token = signup_link.strip("/").split("/")[-2:]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")

    response = confirm_signup(
        client, reverse("signup_confirm", kwargs={"uidb64": uid, "token": forged})
    )

    assertTemplateUsed(response, "registration/signup_confirm_invalid.html")
    assert User.objects.get().is_active is False
    assert "_auth_user_id" not in client.session


def test_confirm_token_for_one_account_does_not_confirm_another(client, signup_link):
    other = make_user("nobody@example.org", is_active=False)
    token = signup_link.strip("/").split("/")[-1]
    other_uid = urlsafe_base64_encode(force_bytes(other.pk))

    response = confirm_signup(
        client, reverse("signup_confirm", kwargs={"uidb64": other_uid, "token": token})
    )

    assertTemplateUsed(response, "registration/signup_confirm_invalid.html")
    other.refresh_from_db()
    assert other.is_active is False


class FourDaysAgo(SignupConfirmationTokenGenerator):
    """Issues tokens as Django's generator would have four days ago."""

    def _now(self):
        return datetime.now() - timedelta(days=4)


def test_confirm_expired_link_is_refused_with_a_way_to_a_new_one(client, session, signup_link):
    user = User.objects.get()
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})
    expired = reverse(
        "signup_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": FourDaysAgo().make_token(user),
        },
    )

    response = confirm_signup(client, f"{expired}?next={form_url}")

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


def test_confirm_without_csrf_token_is_refused(signup_link):
    client = Client(enforce_csrf_checks=True)

    response = confirm_signup(client, signup_link)

    assert response.status_code == 403
    assert User.objects.get().is_active is False


def test_login_unconfirmed_account_gets_the_generic_message(client, signup_link):
    unconfirmed = client.post(
        reverse("login"), {"username": "irina.volkova@example.org", "password": ACCOUNT_PASSWORD}
    )
    unknown = client.post(
        reverse("login"), {"username": "nobody@example.org", "password": ACCOUNT_PASSWORD}
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
    response = confirm_signup(client, confirmation_link(mailoutbox[0]))
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
