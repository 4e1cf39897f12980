"""Participants' accounts: sign-up with consent, login and logout, profile, password reset."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.forms import CONSENT_VERSION
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


def test_signup_without_consent_is_refused(client):
    response = client.post(reverse("signup"), signup_data(consent=""))

    assert not User.objects.exists()
    assert response.context["form"].errors == {
        "consent": ["We can only register you with your consent to the processing of your data."]
    }
    # What they typed is still there.
    assertContains(response, 'value="Vyborg District Administration"')


def test_signup_records_consent_version_and_time(client):
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


def test_signup_logs_in_and_goes_to_the_profile(client):
    response = client.post(reverse("signup"), signup_data())

    assertRedirects(response, reverse("profile"))
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_signup_email_taken_in_another_case_is_refused(client):
    make_user("irina.volkova@example.org")

    response = client.post(reverse("signup"), signup_data(email="IRINA.VOLKOVA@example.ORG"))

    assert User.objects.count() == 1
    assert response.context["form"].errors == {
        "email": ["This e-mail address is already registered. Log in, or reset your password."]
    }


def test_signup_follows_next_back_to_the_proposal_form(client, session):
    form_url = reverse("proposals:create", kwargs={"slug": session.slug})

    page = client.get(f"{reverse('signup')}?next={form_url}")
    response = client.post(reverse("signup"), signup_data(next=form_url))

    assertContains(page, f'<input type="hidden" name="next" value="{form_url}">', html=True)
    assertRedirects(response, form_url)


def test_signup_ignores_an_off_site_next(client):
    response = client.post(reverse("signup"), signup_data(next="https://evil.example.com/"))

    assertRedirects(response, reverse("profile"))


def test_signup_page_has_one_form(client):
    # The page draws the <form>; the form's layout must not nest a second one inside it.
    response = client.get(reverse("signup"))

    assertContains(response, "<form", count=1)
    assertContains(response, 'name="csrfmiddlewaretoken"', count=1)


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
