"""“My proposals” and one proposal's page: the author's own only."""

import pytest
from django.urls import reverse
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from proposals.models import Proposal
from tests.factories import make_proposal

Status = Proposal.Status


def test_list_shows_only_my_proposals_with_status_and_answer(
    participant_client,
    participant,
    another_participant,
    session,
    other_session,
    moderator,
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
        (
            e.get_to_status_display(),
            "by you" if e.actor == participant else "by a moderator",
        )
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
