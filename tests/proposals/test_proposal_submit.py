"""Sending a saved draft, and taking a sent proposal back."""

from django.urls import reverse
from pytest_django.asserts import assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal

Status = Proposal.Status


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


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
