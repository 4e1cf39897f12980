"""The participant's side of proposals: write, save, send, follow, change, withdraw."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from proposals.models import Proposal, ProposalEvent
from tests.factories import make_proposal, make_session, make_user

Status = Proposal.Status

SCRIPT = "<script>alert('x')</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


def proposal_data(**fields):
    data = {
        "title": "Cross-border cooperation agreements",
        "wording": "Simplify the approval of municipal cross-border agreements.",
        "rationale": "Approval now takes up to a year.",
        "addressee": Proposal.Addressee.GOVERNMENT,
        "submission_token": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


# --- Writing a new proposal -------------------------------------------------------------------


def test_create_anonymous_goes_to_login_and_back_to_the_form(client, session):
    response = client.get(create_url(session))

    assertRedirects(
        response, f"{reverse('login')}?next={create_url(session)}", fetch_redirect_response=False
    )


def test_create_login_page_links_to_signup_keeping_next(client, session):
    response = client.get(f"{reverse('login')}?next={create_url(session)}")

    assertContains(
        response,
        f'<a href="{reverse("signup")}?next={create_url(session)}">Register as a participant</a>',
        html=True,
    )


def test_create_unpublished_session_is_404(participant_client, forum):
    hidden = make_session(forum, is_published=False)

    response = participant_client.get(create_url(hidden))

    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")


def test_create_form_shows_limits_two_buttons_and_a_fresh_token(participant_client, session):
    response = participant_client.get(create_url(session))

    assertContains(response, session.title)
    for limit in (Proposal.TITLE_MAX_LENGTH, Proposal.WORDING_MAX_LENGTH):
        assertContains(response, f"Up to {limit} characters.")
    assertContains(response, f"Up to {Proposal.RATIONALE_MAX_LENGTH} characters.")
    assertContains(
        response,
        '<input type="submit" name="save_draft" value="Save draft" '
        'class="btn btn-outline-primary" id="submit-id-save_draft">',
        html=True,
    )
    assertContains(
        response,
        '<input type="submit" name="submit" value="Submit" class="btn btn-primary" '
        'id="submit-id-submit">',
        html=True,
    )
    token = response.context["form"].initial["submission_token"]
    assert isinstance(token, uuid.UUID)
    assertContains(response, f'value="{token}"')
    # No maxlength: a browser would silently cut a longer pasted text.
    assertNotContains(response, "maxlength")


def test_create_save_draft_stores_a_draft_and_reopens_it(participant_client, participant, session):
    response = participant_client.post(create_url(session), proposal_data(save_draft="Save draft"))

    proposal = Proposal.objects.get()
    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    assert (proposal.author, proposal.session, proposal.status) == (
        participant,
        session,
        Status.DRAFT,
    )
    assert proposal.title == "Cross-border cooperation agreements"
    assert proposal.submitted_at is None
    assert not proposal.events.exists()


def test_create_draft_may_be_incomplete(participant_client, session):
    response = participant_client.post(
        create_url(session),
        proposal_data(wording="", rationale="", addressee="", save_draft="Save draft"),
    )

    proposal = Proposal.objects.get()
    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    assert (proposal.title, proposal.wording, proposal.addressee) == (
        "Cross-border cooperation agreements",
        "",
        "",
    )


def test_create_submit_runs_a_fixed_number_of_queries(
    participant_client, participant, session, another_participant, django_assert_num_queries
):
    """Sending a proposal is the forum's busiest write: its queries are counted (issue 4).

    The session; the visitor's session and account; a savepoint (the transaction in
    production); the author's row lock; the same submission token; the duplicate wording and
    the rate limit together; the proposal and its history; the release."""
    make_proposal(session, participant, status="submitted", wording="An earlier one")
    make_proposal(session, another_participant, status="submitted")

    with django_assert_num_queries(10):
        response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    proposal = Proposal.objects.get(wording=proposal_data()["wording"])
    assert response.headers["Location"] == reverse("proposals:detail", kwargs={"pk": proposal.pk})
    assert (proposal.status, proposal.author) == (Status.SUBMITTED, participant)


def test_create_draft_survives_logout(client, participant, session):
    client.force_login(participant)
    client.post(create_url(session), proposal_data(save_draft="Save draft"))
    client.post(reverse("logout"))

    client.force_login(participant)
    response = client.get(reverse("proposals:list"))

    assert [p.title for p in response.context["proposals"]] == [
        "Cross-border cooperation agreements"
    ]


def test_create_submit_sends_it_with_history(participant_client, participant, session):
    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    proposal = Proposal.objects.get()
    assertRedirects(
        response,
        reverse("proposals:detail", kwargs={"pk": proposal.pk}),
        fetch_redirect_response=False,
    )
    assert proposal.status == Status.SUBMITTED
    assert proposal.submitted_at is not None
    assert [(e.actor, e.from_status, e.to_status) for e in proposal.events.all()] == [
        (participant, Status.DRAFT, Status.SUBMITTED)
    ]
    page = participant_client.get(response.url)
    assert messages_of(page) == [
        "Your proposal has been sent to the moderators. You can follow it here."
    ]


def test_create_submit_incomplete_says_what_is_missing(participant_client, session):
    response = participant_client.post(
        create_url(session), proposal_data(rationale="", addressee="", submit="Submit")
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "rationale": ["Please explain why the recommendation is needed."],
        "addressee": ["Please choose to whom the recommendation is addressed."],
    }


def test_create_text_over_the_limit_is_refused_and_kept(participant_client, session):
    long_wording = "Cooperation " * 300  # 3600 characters
    title = "T" * (Proposal.TITLE_MAX_LENGTH + 1)

    response = participant_client.post(
        create_url(session), proposal_data(title=title, wording=long_wording, submit="Submit")
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "title": ["Please shorten the title to 200 characters (it now has 201)."],
        "wording": ["Please shorten the wording to 3000 characters (it now has 3599)."],
    }
    # Everything typed is still in the form (the wording loses only its trailing space).
    assertContains(response, f'value="{title}"')
    assertContains(response, long_wording.strip())
    assertContains(response, "Approval now takes up to a year.")
    assertContains(response, '<option value="government" selected>', html=False)


def test_create_closed_session_is_refused_with_the_reason(participant_client, session):
    session.accepts_proposals = False
    session.save()

    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    assert not Proposal.objects.exists()
    assert response.context["form"].non_field_errors() == ["Proposals for this session are closed."]
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")


def test_create_after_the_deadline_is_refused_even_as_a_draft(participant_client, session):
    session.proposals_deadline = timezone.now() - timedelta(minutes=1)
    session.save()

    response = participant_client.post(create_url(session), proposal_data(save_draft="Save draft"))

    assert not Proposal.objects.exists()
    assert response.context["form"].non_field_errors() == [
        "The deadline for proposals to this session has passed."
    ]
    assertContains(response, "Cross-border cooperation agreements")


def test_create_closed_session_shows_the_reason_instead_of_an_empty_form(
    participant_client, session
):
    session.accepts_proposals = False
    session.save()

    response = participant_client.get(create_url(session))

    assertContains(
        response,
        '<div class="alert alert-warning proposals-closed" role="status">'
        "Proposals for this session are closed.</div>",
        html=True,
    )
    assertNotContains(response, 'name="submit"')


def test_create_rate_limit_says_when_the_next_one_can_go(
    participant_client, participant, session, settings
):
    settings.PROPOSAL_RATE_LIMIT = 2
    first = make_proposal(session, participant, status=Status.SUBMITTED)
    make_proposal(session, participant, status=Status.WITHDRAWN)
    first.refresh_from_db()

    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    free_at = timezone.localtime(first.submitted_at + timedelta(hours=1))
    assert Proposal.objects.count() == 2
    assert response.context["form"].non_field_errors() == [
        "You have sent 2 proposals to this session recently, the most it takes from one "
        f"participant at a time. You can send the next one after {free_at:%H:%M}."
    ]
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")


def test_create_rate_limit_counts_only_this_session_and_this_hour(
    participant_client, participant, session, other_session, settings
):
    settings.PROPOSAL_RATE_LIMIT = 2
    make_proposal(other_session, participant, status=Status.SUBMITTED)
    old = make_proposal(session, participant, status=Status.SUBMITTED)
    Proposal.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(hours=2))
    make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    new = Proposal.objects.get(title="Cross-border cooperation agreements")
    assertRedirects(response, new.get_absolute_url())
    assert new.status == Status.SUBMITTED


def test_create_rate_limit_leaves_drafts_alone(participant_client, participant, session, settings):
    settings.PROPOSAL_RATE_LIMIT = 1
    make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.post(create_url(session), proposal_data(save_draft="Save draft"))

    draft = Proposal.objects.get(status=Status.DRAFT)
    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": draft.pk}))


def test_create_identical_wording_is_caught_and_points_to_the_first(
    participant_client, participant, session
):
    first = make_proposal(
        session,
        participant,
        status=Status.SUBMITTED,
        title="My first one",
        wording="Simplify the approval of municipal cross-border agreements.",
    )

    response = participant_client.post(
        create_url(session),
        proposal_data(
            title="Again",
            wording="  SIMPLIFY the approval of\nmunicipal   cross-border agreements. ",
            submit="Submit",
        ),
    )

    assert list(Proposal.objects.all()) == [first]
    assert response.context["form"].non_field_errors() == [
        "You have already sent a proposal with this wording to this session: “My first one”. "
        "There is no need to send it again."
    ]
    assertContains(
        response,
        f'<p class="alert alert-info duplicate-of">Your earlier proposal: '
        f'<a href="{first.get_absolute_url()}">My first one</a></p>',
        html=True,
    )


def test_create_identical_wording_of_a_withdrawn_proposal_may_be_sent_again(
    participant_client, participant, session
):
    make_proposal(
        session,
        participant,
        status=Status.WITHDRAWN,
        wording="Simplify the approval of municipal cross-border agreements.",
    )

    participant_client.post(create_url(session), proposal_data(submit="Submit"))

    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 1


def test_create_identical_wording_of_another_participant_is_fine(
    participant_client, another_participant, session
):
    make_proposal(
        session,
        another_participant,
        status=Status.SUBMITTED,
        wording="Simplify the approval of municipal cross-border agreements.",
    )

    participant_client.post(create_url(session), proposal_data(submit="Submit"))

    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 2


def test_create_same_token_twice_stores_one_proposal(participant_client, session):
    data = proposal_data(submit="Submit")

    first = participant_client.post(create_url(session), data)
    second = participant_client.post(create_url(session), data)

    proposal = Proposal.objects.get()
    assert proposal.submission_token == uuid.UUID(data["submission_token"])
    assertRedirects(first, proposal.get_absolute_url(), fetch_redirect_response=False)
    assertRedirects(second, proposal.get_absolute_url(), fetch_redirect_response=False)
    assert proposal.events.count() == 1
    page = participant_client.get(proposal.get_absolute_url())
    assert messages_of(page) == [
        "Your proposal has been sent to the moderators. You can follow it here.",
        "This proposal had already reached us; it was not stored twice.",
    ]


def test_create_same_token_after_a_failed_validation_stores_it_once(participant_client, session):
    data = proposal_data(rationale="", submit="Submit")
    participant_client.post(create_url(session), data)

    participant_client.post(create_url(session), {**data, "rationale": "Now with reasons."})
    participant_client.post(create_url(session), {**data, "rationale": "Now with reasons."})

    assert list(Proposal.objects.values_list("rationale", flat=True)) == ["Now with reasons."]


def test_create_token_of_another_participant_asks_to_send_again(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, submission_token=uuid.uuid4())

    response = participant_client.post(
        create_url(session),
        proposal_data(submission_token=str(theirs.submission_token), submit="Submit"),
    )

    assert list(Proposal.objects.all()) == [theirs]
    assert response.context["form"].non_field_errors() == [
        "Something went wrong while saving. Please send the form again."
    ]
    fresh = response.context["form"].data["submission_token"]
    assert fresh != str(theirs.submission_token)
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")
    # The fresh token goes through.
    participant_client.post(
        create_url(session), proposal_data(submission_token=fresh, submit="Submit")
    )
    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 1


# --- A login that expired in the middle of writing --------------------------------------------


def test_create_expired_login_keeps_the_text_for_after_login(client, session, settings):
    make_user("olga@example.org", password="a-long-passphrase-1")
    data = proposal_data(title="Kept title", wording="Kept wording.", submit="Submit")

    response = client.post(create_url(session), data)

    assertRedirects(
        response, f"{reverse('login')}?next={create_url(session)}", fetch_redirect_response=False
    )
    assert not Proposal.objects.exists()
    login_page = client.get(response.url)
    assert messages_of(login_page) == [
        "Your login has expired. Log in again: the text you wrote has been kept."
    ]

    logged_in = client.post(
        response.url,
        {"username": "olga@example.org", "password": "a-long-passphrase-1"},
    )
    assertRedirects(logged_in, create_url(session), fetch_redirect_response=False)

    form_page = client.get(create_url(session))
    form = form_page.context["form"]
    assert not form.is_bound
    assert {
        name: form.initial[name] for name in ("title", "wording", "rationale", "addressee")
    } == {
        "title": "Kept title",
        "wording": "Kept wording.",
        "rationale": "Approval now takes up to a year.",
        "addressee": "government",
    }
    assert form.initial["submission_token"] == data["submission_token"]
    assertContains(form_page, 'value="Kept title"')
    assertContains(form_page, "Kept wording.")
    assert messages_of(form_page) == [
        "We kept the text you wrote before you had to log in again. Check it and send it."
    ]
    # Shown once: the next visit is a fresh form.
    again = client.get(create_url(session))
    assert "title" not in again.context["form"].initial


def test_edit_expired_login_keeps_the_changed_text(client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    edit_url = reverse("proposals:edit", kwargs={"pk": proposal.pk})

    response = client.post(edit_url, proposal_data(title="After", save_draft="Save changes"))

    assertRedirects(response, f"{reverse('login')}?next={edit_url}", fetch_redirect_response=False)
    client.force_login(participant)
    form_page = client.get(edit_url)
    assertContains(form_page, 'value="After"')
    proposal.refresh_from_db()
    assert proposal.title == "Before"


# --- Changing, sending and withdrawing ---------------------------------------------------------


def test_edit_submitted_proposal_saves_the_changes(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Better title", save_draft="Save changes"),
    )

    assertRedirects(response, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Better title", Status.SUBMITTED)


def test_edit_submitted_proposal_offers_only_save_changes(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.get(reverse("proposals:edit", kwargs={"pk": proposal.pk}))

    assertContains(response, 'value="Save changes"')
    assertNotContains(response, 'name="submit"')


def test_edit_draft_with_submit_sends_it(participant_client, participant, session):
    proposal = make_proposal(session, participant)

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}), proposal_data(submit="Submit")
    )

    assertRedirects(response, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert proposal.wording == "Simplify the approval of municipal cross-border agreements."


def test_edit_draft_in_a_closed_session_can_still_be_saved(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant)
    session.accepts_proposals = False
    session.save()

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Still mine", save_draft="Save draft"),
    )

    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Still mine", Status.DRAFT)


def test_edit_submitted_proposal_in_a_closed_session_is_refused(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    session.proposals_deadline = timezone.now() - timedelta(hours=1)
    session.save()

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Late change", save_draft="Save changes"),
    )

    assert response.context["form"].non_field_errors() == [
        "The deadline for proposals to this session has passed."
    ]
    assertContains(response, 'value="Late change"')
    proposal.refresh_from_db()
    assert proposal.title == "Before"


def test_edit_under_review_goes_back_to_the_proposal(
    participant_client, participant, session, moderator
):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)

    response = participant_client.get(reverse("proposals:edit", kwargs={"pk": proposal.pk}))

    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    page = participant_client.get(response.url)
    assert messages_of(page) == [
        "A moderator has taken this proposal up: it can no longer be changed."
    ]
    assertNotContains(page, reverse("proposals:edit", kwargs={"pk": proposal.pk}))


def test_edit_taken_up_while_writing_keeps_the_status_and_the_text(
    participant_client, participant, session, moderator
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    edit_url = reverse("proposals:edit", kwargs={"pk": proposal.pk})
    participant_client.get(edit_url)
    Proposal.objects.get(pk=proposal.pk).take_up(by=moderator)

    response = participant_client.post(
        edit_url, proposal_data(title="Written meanwhile", save_draft="Save changes")
    )

    assert response.context["form"].non_field_errors() == [
        "A moderator has just taken this proposal up, so your changes were not saved. "
        "Your text is still below if you want to copy it."
    ]
    assertContains(response, 'value="Written meanwhile"')
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Before", Status.UNDER_REVIEW)


def test_edit_another_participants_proposal_is_404(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, status=Status.SUBMITTED, title="Theirs")
    url = reverse("proposals:edit", kwargs={"pk": theirs.pk})

    assert participant_client.get(url).status_code == 404
    response = participant_client.post(url, proposal_data(title="Hijacked", save_draft="Save"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_submit_draft_sends_it(participant_client, participant, session):
    proposal = make_proposal(session, participant)

    response = participant_client.post(reverse("proposals:submit", kwargs={"pk": proposal.pk}))

    assertRedirects(response, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert [(e.actor, e.to_status) for e in proposal.events.all()] == [
        (participant, Status.SUBMITTED)
    ]


def test_submit_twice_sends_it_once(participant_client, participant, session):
    proposal = make_proposal(session, participant)
    url = reverse("proposals:submit", kwargs={"pk": proposal.pk})

    participant_client.post(url)
    response = participant_client.post(url)

    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    assert proposal.events.count() == 1
    assert messages_of(participant_client.get(response.url))[-1] == (
        "This proposal has already been sent."
    )


def test_submit_incomplete_draft_shows_what_is_missing(participant_client, participant, session):
    proposal = make_proposal(session, participant, rationale="", addressee="")

    response = participant_client.post(reverse("proposals:submit", kwargs={"pk": proposal.pk}))

    assert response.context["form"].errors == {
        "rationale": ["Please explain why the recommendation is needed."],
        "addressee": ["Please choose to whom the recommendation is addressed."],
    }
    assert response.context["action"] == reverse("proposals:edit", kwargs={"pk": proposal.pk})
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_submit_draft_in_a_closed_session_is_refused(participant_client, participant, session):
    proposal = make_proposal(session, participant)
    session.accepts_proposals = False
    session.save()

    response = participant_client.post(reverse("proposals:submit", kwargs={"pk": proposal.pk}))

    assert response.context["form"].non_field_errors() == ["Proposals for this session are closed."]
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_submit_needs_post(participant_client, participant, session):
    proposal = make_proposal(session, participant)

    response = participant_client.get(reverse("proposals:submit", kwargs={"pk": proposal.pk}))

    assert response.status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_submit_another_participants_draft_is_404(participant_client, another_participant, session):
    theirs = make_proposal(session, another_participant)

    response = participant_client.post(reverse("proposals:submit", kwargs={"pk": theirs.pk}))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


def test_withdraw_submitted_proposal(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.post(reverse("proposals:withdraw", kwargs={"pk": proposal.pk}))

    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN
    assert proposal.events.last().actor == participant
    assert messages_of(participant_client.get(response.url)) == [
        "Your proposal has been withdrawn."
    ]


def test_withdraw_under_review_is_refused_with_the_reason(
    participant_client, participant, session, moderator
):
    proposal = make_proposal(
        session, participant, status=Status.UNDER_REVIEW, by=moderator, title="Ports"
    )

    response = participant_client.post(reverse("proposals:withdraw", kwargs={"pk": proposal.pk}))

    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW
    assert messages_of(participant_client.get(response.url)) == [
        "“Ports” is under review and cannot become withdrawn."
    ]


def test_withdraw_needs_post(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.get(reverse("proposals:withdraw", kwargs={"pk": proposal.pk}))

    assert response.status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_withdraw_another_participants_proposal_is_404(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, status=Status.SUBMITTED)

    response = participant_client.post(reverse("proposals:withdraw", kwargs={"pk": theirs.pk}))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_withdraw_anonymous_goes_to_login(client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    url = reverse("proposals:withdraw", kwargs={"pk": proposal.pk})

    response = client.post(url)

    assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


# --- Following one's proposals -----------------------------------------------------------------


def test_list_shows_only_my_proposals_with_status_and_answer(
    participant_client, participant, another_participant, session, other_session, moderator
):
    make_proposal(session, participant, title="Draft one")
    answered = make_proposal(
        session, participant, status=Status.UNDER_REVIEW, by=moderator, title="Answered"
    )
    Proposal.objects.filter(pk=answered.pk).update(public_answer="Thank you, we will discuss it.")
    make_proposal(other_session, participant, status=Status.SUBMITTED, title="Elsewhere")
    make_proposal(session, another_participant, status=Status.SUBMITTED, title="Not mine")

    response = participant_client.get(reverse("proposals:list"))

    assert [
        (p.title, p.session.title, p.get_status_display()) for p in response.context["proposals"]
    ] == [
        ("Elsewhere", "Spatial Development", "Submitted"),
        ("Answered", "International and Cross-Border Cooperation", "Under review"),
        ("Draft one", "International and Cross-Border Cooperation", "Draft"),
    ]
    assertContains(response, "Thank you, we will discuss it.")
    assertNotContains(response, "Not mine")


def test_list_empty_says_how_to_start(participant_client):
    response = participant_client.get(reverse("proposals:list"))

    assertContains(
        response,
        '<p class="empty-state">You have not written any proposals yet. Open a session in the '
        "programme and press “Proposal”.</p>",
        html=True,
    )


def test_list_anonymous_goes_to_login(client):
    response = client.get(reverse("proposals:list"))

    assertRedirects(
        response,
        f"{reverse('login')}?next={reverse('proposals:list')}",
        fetch_redirect_response=False,
    )


@pytest.mark.parametrize("count", [1, 10])
def test_list_query_count_is_fixed(
    participant_client, participant, session, count, django_assert_num_queries
):
    for _ in range(count):
        make_proposal(session, participant, status=Status.SUBMITTED)

    # session + user, forum in the header, the proposals with their sessions.
    with django_assert_num_queries(4):
        response = participant_client.get(reverse("proposals:list"))

    assert len(response.context["proposals"]) == count


def test_detail_shows_text_answer_and_history(participant_client, participant, session, moderator):
    proposal = make_proposal(
        session,
        participant,
        status=Status.ACCEPTED,
        by=moderator,
        title="Ports",
        wording="Open the ports.\nAll of them.",
        public_answer="Accepted into the recommendations.",
        moderator_note="Internal: check with the ministry.",
    )

    response = participant_client.get(proposal.get_absolute_url())

    assertContains(response, "<h1>Ports</h1>", html=True)
    assertContains(
        response,
        '<div class="proposal-wording"><p>Open the ports.<br>All of them.</p></div>',
        html=True,
    )
    assertContains(response, "<p>Accepted into the recommendations.</p>", html=True)
    assertNotContains(response, "Internal: check with the ministry.")
    history = [
        (e.get_to_status_display(), "by you" if e.actor == participant else "by a moderator")
        for e in proposal.events.all()
    ]
    assert history == [
        ("Submitted", "by you"),
        ("Under review", "by a moderator"),
        ("Accepted", "by a moderator"),
    ]
    assertContains(response, "(by you)", count=1)
    assertContains(response, "(by a moderator)", count=2)
    assertNotContains(response, moderator.email)
    assertNotContains(response, 'action="' + reverse("proposals:withdraw", args=[proposal.pk]))


def test_detail_of_a_submitted_proposal_offers_edit_and_withdraw(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.get(proposal.get_absolute_url())

    assertContains(
        response,
        f'<a class="btn btn-outline-primary" href="/proposals/{proposal.pk}/edit/">Edit</a>',
        html=True,
    )
    assertContains(response, f'action="/proposals/{proposal.pk}/withdraw/"')
    assertNotContains(response, f'action="/proposals/{proposal.pk}/submit/"')


def test_detail_of_a_draft_offers_edit_and_submit(participant_client, participant, session):
    proposal = make_proposal(session, participant)

    response = participant_client.get(proposal.get_absolute_url())

    assertContains(response, f'action="/proposals/{proposal.pk}/submit/"')
    assertNotContains(response, f'action="/proposals/{proposal.pk}/withdraw/"')


def test_detail_another_participants_proposal_is_404(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, status=Status.SUBMITTED)

    response = participant_client.get(theirs.get_absolute_url())

    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertNotContains(response, theirs.title, status_code=404)


def test_detail_anonymous_goes_to_login(client, participant, session):
    proposal = make_proposal(session, participant)

    response = client.get(proposal.get_absolute_url())

    assertRedirects(
        response,
        f"{reverse('login')}?next={proposal.get_absolute_url()}",
        fetch_redirect_response=False,
    )


def test_detail_moderator_of_the_session_gets_404_on_the_public_site(
    client, participant, session, moderator
):
    # Moderators work in the admin; the participant pages are for the author only.
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    client.force_login(moderator)

    assert client.get(proposal.get_absolute_url()).status_code == 404


# --- The session page and the draft recommendations -------------------------------------------


def test_session_page_proposal_button_leads_to_the_form(client, session):
    response = client.get(session.get_absolute_url())

    assertContains(
        response,
        f'<a class="btn btn-primary btn-lg proposal-cta" href="{create_url(session)}">Proposal</a>',
        html=True,
    )
    assertContains(
        response,
        f'<a class="recommendations-link" href="/sessions/{session.slug}/recommendations/">'
        "Draft recommendations of this session</a>",
        html=True,
    )


def test_session_page_closed_shows_the_reason_instead_of_the_button(client, session):
    session.proposals_deadline = timezone.now() - timedelta(days=1)
    session.save()

    response = client.get(session.get_absolute_url())

    assertContains(
        response,
        '<p class="proposals-closed alert alert-secondary mb-0" role="status">'
        "The deadline for proposals to this session has passed.</p>",
        html=True,
    )
    assertNotContains(response, create_url(session))


def test_nav_shows_my_proposals_to_a_logged_in_participant(participant_client, client, session):
    response = participant_client.get(session.get_absolute_url())

    assertContains(response, '<a class="nav-link" href="/proposals/">My proposals</a>', html=True)


def test_nav_hides_my_proposals_from_anonymous_visitors(client, session):
    assertNotContains(client.get(session.get_absolute_url()), "My proposals")


def _accepted(session, author, moderator, **fields):
    return make_proposal(session, author, status=Status.ACCEPTED, by=moderator, **fields)


def test_recommendations_group_accepted_proposals_by_addressee(
    client, participant, another_participant, session, other_session, moderator, other_moderator
):
    _accepted(
        session,
        participant,
        moderator,
        wording="Municipal wording.",
        addressee=Proposal.Addressee.MUNICIPAL,
    )
    _accepted(
        session,
        another_participant,
        moderator,
        wording="Author's government wording.",
        edited_wording="Edited government wording.",
        addressee=Proposal.Addressee.GOVERNMENT,
    )
    _accepted(
        session,
        participant,
        moderator,
        wording="Federal Assembly wording.",
        addressee=Proposal.Addressee.FEDERAL_ASSEMBLY,
    )
    make_proposal(session, participant, status=Status.REJECTED, by=moderator, wording="Rejected.")
    make_proposal(session, participant, status=Status.SUBMITTED, wording="Waiting.")
    _accepted(other_session, participant, other_moderator, wording="Other session.")

    response = client.get(reverse("proposals:recommendations", kwargs={"slug": session.slug}))

    assert [
        (label, [p.recommendation_wording for p in proposals])
        for label, proposals in response.context["groups"]
    ] == [
        ("Federal Assembly of the Russian Federation", ["Federal Assembly wording."]),
        ("Government of the Russian Federation", ["Edited government wording."]),
        ("Municipalities", ["Municipal wording."]),
    ]
    assertContains(
        response,
        '<p class="recommendation-author small text-secondary">Proposed by Smirnov Oleg, '
        "Kaliningrad Regional Duma</p>",
        html=True,
    )
    assertContains(
        response,
        '<p class="recommendation-author small text-secondary">Proposed by Petrova Anna, '
        "Pskov City Administration</p>",
        html=True,
        count=2,
    )
    for hidden in ("Author&#x27;s government wording.", "Rejected.", "Waiting.", "Other session."):
        assertNotContains(response, hidden)


def test_recommendations_empty_says_so(client, session):
    response = client.get(reverse("proposals:recommendations", kwargs={"slug": session.slug}))

    assertContains(
        response,
        '<p class="empty-state">No proposals have been accepted for this session yet.</p>',
        html=True,
    )


def test_recommendations_of_an_unpublished_session_are_404(client, forum):
    hidden = make_session(forum, is_published=False)

    response = client.get(reverse("proposals:recommendations", kwargs={"slug": hidden.slug}))

    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")


@pytest.mark.parametrize("count", [1, 10])
def test_recommendations_query_count_is_fixed(
    client, session, moderator, count, django_assert_max_num_queries
):
    for _ in range(count):
        _accepted(session, make_user(), moderator)

    # The session, the forum in the header, the accepted proposals with their authors.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("proposals:recommendations", kwargs={"slug": session.slug}))

    assert sum(len(proposals) for _label, proposals in response.context["groups"]) == count


# --- Escaping and CSRF -------------------------------------------------------------------------


def test_script_in_a_proposal_shows_as_text_on_every_page(
    participant_client, participant, session, moderator
):
    draft = make_proposal(session, participant, title=SCRIPT, wording=SCRIPT, rationale=SCRIPT)
    accepted = _accepted(session, participant, moderator, title=SCRIPT, wording=SCRIPT)
    Proposal.objects.filter(pk=accepted.pk).update(public_answer=SCRIPT)

    pages = [
        participant_client.get(reverse("proposals:list")),
        participant_client.get(draft.get_absolute_url()),
        participant_client.get(accepted.get_absolute_url()),
        participant_client.get(reverse("proposals:edit", kwargs={"pk": draft.pk})),
        participant_client.get(reverse("proposals:recommendations", kwargs={"slug": session.slug})),
    ]

    for page in pages:
        assertContains(page, SCRIPT_ESCAPED)
        assertNotContains(page, SCRIPT)


def test_script_in_a_duplicate_message_shows_as_text(participant_client, participant, session):
    make_proposal(session, participant, status=Status.SUBMITTED, title=SCRIPT, wording="Same.")

    response = participant_client.post(
        create_url(session), proposal_data(wording="Same.", submit="Submit")
    )

    assertContains(response, SCRIPT_ESCAPED)
    assertNotContains(response, SCRIPT)


def test_script_posted_in_the_form_comes_back_escaped(participant_client, session):
    response = participant_client.post(
        create_url(session), proposal_data(title=SCRIPT * 30, wording=SCRIPT, submit="Submit")
    )

    assert not Proposal.objects.exists()
    assertContains(response, SCRIPT_ESCAPED)
    assertNotContains(response, SCRIPT)


def test_create_without_csrf_token_is_refused(participant, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(create_url(session), proposal_data(submit="Submit"))

    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_withdraw_without_csrf_token_is_refused(participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(reverse("proposals:withdraw", kwargs={"pk": proposal.pk}))

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_create_with_the_csrf_token_of_the_form_goes_through(participant, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    form_page = client.get(create_url(session))
    token = form_page.context["csrf_token"]

    response = client.post(
        create_url(session), proposal_data(csrfmiddlewaretoken=str(token), submit="Submit")
    )

    proposal = Proposal.objects.get()
    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    assert ProposalEvent.objects.filter(proposal=proposal).count() == 1


# --- Parallel requests on PostgreSQL ------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"
)


def _post_in_parallel(user, url, payloads):
    """POST each payload from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(payloads))
    statuses = []

    def post(data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_create_double_click_in_parallel_stores_one_proposal(session):
    author = make_user()
    data = proposal_data(submit="Submit")

    statuses = _post_in_parallel(author, create_url(session), [data] * 4)

    assert statuses == [302] * 4
    proposal = Proposal.objects.get()
    assert proposal.status == Status.SUBMITTED
    assert proposal.events.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_create_parallel_submissions_stop_at_the_rate_limit(session, settings):
    settings.PROPOSAL_RATE_LIMIT = 2
    author = make_user()
    payloads = [proposal_data(wording=f"Wording {n}.", submit="Submit") for n in range(5)]

    statuses = _post_in_parallel(author, create_url(session), payloads)

    assert sorted(statuses) == [200, 200, 200, 302, 302]
    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 2
