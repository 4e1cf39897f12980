"""Bad input in the account pages: sign-up, login, profile, password reset and change.

The strategies and the property: tests/bad_input.py.
"""

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from hypothesis import assume, given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from proposals.models import User
from tests.bad_input import (
    FAST,
    any_text,
    assert_404_page,
    assert_refused_with_reason,
    control_text,
    has_nul,
    in_path,
    malformed_slug,
    nasty_text,
)

# --- Accounts: sign-up, login, profile, password reset and change ---------------------------

email_like = st.one_of(
    nasty_text,
    st.emails().map(str),
    st.tuples(any_text, control_text).map(lambda parts: f"{parts[0]}@example.org{parts[1]}"),
)


@FAST
@given(
    email=email_like,
    password=nasty_text,
    surname=nasty_text,
    first_name=nasty_text,
    organisation=nasty_text,
    consent=st.booleans(),
)
def test_signup_any_input_explains_or_writes_at_most_one_account(
    client, participant, email, password, surname, first_name, organisation, consent
):
    """Holds for the direct and the e-mail-confirmed sign-up; their success paths are tested
    in tests/proposals/test_accounts.py."""
    users = User.objects.count()
    data = {
        "email": email,
        "password1": password,
        "password2": password,
        "surname": surname,
        "first_name": first_name,
        "organisation": organisation,
        "position": organisation,
        **({"consent": "on"} if consent else {}),
    }

    response = client.post("/accounts/signup/", data)

    if response.status_code == 302:
        assert User.objects.count() - users in (0, 1)
    else:
        assert_refused_with_reason(response, response.context["form"])
        assert User.objects.count() == users
    if has_nul(email, surname, first_name, organisation) or not consent:
        assert response.status_code == 200
    # Never a second account for the participant's address, in any case or spacing.
    assert User.objects.filter(email__iexact=participant.email).count() == 1


@FAST
@given(username=st.one_of(email_like, st.just("anna.petrova@example.org")), password=nasty_text)
def test_login_any_input_refuses_with_message(client, participant, username, password):
    participant.set_password("correct horse battery staple")
    participant.save()
    cache.clear()  # the failed-login counters: each example starts unthrottled

    response = client.post("/accounts/login/", {"username": username, "password": password})

    assert_refused_with_reason(response, response.context["form"])
    assert SESSION_KEY not in client.session


@FAST
@given(
    surname=nasty_text,
    first_name=nasty_text,
    patronymic=nasty_text,
    organisation=nasty_text,
    position=nasty_text,
)
def test_profile_any_text_saves_exactly_or_changes_nothing(
    participant_client, participant, surname, first_name, patronymic, organisation, position
):
    fields = ("surname", "first_name", "patronymic", "organisation", "position", "email")
    participant.refresh_from_db()
    stored = {name: getattr(participant, name) for name in fields}
    data = {
        "surname": surname,
        "first_name": first_name,
        "patronymic": patronymic,
        "organisation": organisation,
        "position": position,
        "email": "taken.over@example.org",  # not a field of the form: ignored
    }

    response = participant_client.post("/accounts/profile/", data)

    participant.refresh_from_db()
    if response.status_code == 302:
        assert response["Location"] == "/accounts/profile/"
        assert participant.surname == surname.strip()
        assert participant.position == position.strip()
        assert participant.email == "anna.petrova@example.org"
    else:
        errors = assert_refused_with_reason(response, response.context["form"])
        assert {name: getattr(participant, name) for name in fields} == stored
        if has_nul(surname, first_name, patronymic, organisation, position):
            assert "Null characters are not allowed." in errors


@FAST
@given(email=email_like)
def test_password_reset_any_input_mails_only_real_accounts(client, participant, email):
    mail.outbox.clear()

    response = client.post("/accounts/password_reset/", {"email": email})

    if response.status_code == 302:
        assert response["Location"] == "/accounts/password_reset/done/"
    else:
        assert_refused_with_reason(response, response.context["form"])
    assert all(message.to == [participant.email] for message in mail.outbox)


@FAST
@given(uidb64=malformed_slug, token=malformed_slug)
def test_emailed_links_any_uid_or_token_say_the_link_is_invalid(client, participant, uidb64, token):
    """The password reset link, and the sign-up confirmation link where it exists."""
    assume(uidb64.strip() and token.strip())
    response = client.get(f"/accounts/reset/{in_path(uidb64)}/{in_path(token)}/", follow=True)
    if response.status_code == 404:
        assert_404_page(response)
    else:
        assertContains(response, "This link has expired or has already been used.")

    try:
        confirm = reverse("signup_confirm", args=["x", "y"]).removesuffix("x/y/")
    except NoReverseMatch:
        return
    users = list(User.objects.values_list("pk", "is_active"))
    for method in (client.get, client.post):
        response = method(f"{confirm}{in_path(uidb64)}/{in_path(token)}/")
        if response.status_code == 404:
            assert_404_page(response)
        else:
            assertContains(response, "link")
    assert list(User.objects.values_list("pk", "is_active")) == users


KNOWN_PASSWORD = "correct horse battery staple"


@FAST
@given(
    old=st.one_of(st.just(KNOWN_PASSWORD), nasty_text),
    new1=nasty_text,
    new2=st.one_of(st.none(), nasty_text),
)
def test_password_change_any_input_changes_exactly_or_nothing(client, participant, old, new1, new2):
    participant.set_password(KNOWN_PASSWORD)
    participant.save()
    client.force_login(participant)
    data = {
        "old_password": old,
        "new_password1": new1,
        "new_password2": new1 if new2 is None else new2,
    }

    response = client.post("/accounts/password_change/", data)

    participant.refresh_from_db()
    if response.status_code == 302:
        assert response["Location"] == "/accounts/password_change/done/"
        assert participant.check_password(new1)
    else:
        assert_refused_with_reason(response, response.context["form"])
        assert participant.check_password(KNOWN_PASSWORD)
