"""The rules for sending, as the new-proposal form shows them: the rate limit, a repeated
wording (the rules themselves: test_submission.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal, proposal_data

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


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
