"""The participant's profile: name, organisation and position; never the e-mail or consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from proposals.accounts import CONSENT_VERSION

pytestmark = pytest.mark.django_db


def test_profile_saves_name_organisation_and_position(participant_client, participant):
    response = participant_client.post(
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


def test_profile_page_has_one_form(participant_client):
    response = participant_client.get(reverse("profile"))

    # The header's logout button and the profile form.
    assertContains(response, "<form", count=2)


def test_profile_refuses_a_link_in_the_name_and_keeps_the_old_one(participant_client, participant):
    response = participant_client.post(
        reverse("profile"),
        {
            "surname": "Visit https://evil.example.com",
            "first_name": "Anna",
            "organisation": "Pskov City Administration",
            "position": "x" * 201,
        },
    )

    assert response.context["form"].errors == {
        "surname": ["Please write only your name here: letters, spaces and hyphens."],
        "position": ["Please shorten this to 200 characters."],
    }
    participant.refresh_from_db()
    assert (participant.surname, participant.position) == (
        "Petrova",
        "Head of the international relations office",
    )
