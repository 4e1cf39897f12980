"""The way in from the session page, and a session's draft recommendations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from proposals.models import Proposal
from tests.factories import make_proposal, make_session, make_user

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


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
    client,
    participant,
    another_participant,
    session,
    other_session,
    moderator,
    other_moderator,
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
    for hidden in (
        "Author&#x27;s government wording.",
        "Rejected.",
        "Waiting.",
        "Other session.",
    ):
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
