"""Logging in and out (the limits on failed logins: test_login_throttle.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tests.factories import ACCOUNT_PASSWORD as PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db


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


def test_login_with_the_production_hasher_stores_a_pbkdf2_hash_and_logs_in(
    client, production_password_hasher
):
    """The suite hashes with MD5 for speed; this test runs the hasher the portal really uses."""
    user = make_user("irina.volkova@example.org", password=PASSWORD)

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    assertRedirects(response, reverse("proposals:list"))
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")


def test_logout_by_get_is_refused(participant_client, participant):
    response = participant_client.get(reverse("logout"))

    assert response.status_code == 405
    assert participant_client.session["_auth_user_id"] == str(participant.pk)


def test_logout_by_post_logs_out(participant_client):
    response = participant_client.post(reverse("logout"))

    assertRedirects(response, reverse("sessions:programme"), fetch_redirect_response=False)
    assert "_auth_user_id" not in participant_client.session


def test_logout_without_csrf_token_is_refused(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(participant.pk)
