import pytest

from proposals.models import Proposal, ProposalEvent, TransitionNotAllowed
from tests.factories import make_proposal

Status = Proposal.Status


def test_moderator_persona_has_no_user_permissions(moderator):
    assert moderator.has_perm("proposals.change_proposal")
    assert not moderator.has_perm("proposals.view_user")
    assert not moderator.has_perm("proposals.change_user")
    assert not moderator.has_perm("auth.change_group")
    assert not moderator.has_perm("auth.change_permission")
    assert not moderator.has_perm("proposals.delete_proposal")


def test_proposal_walks_the_allowed_moves_with_history(session, participant, moderator):
    proposal = make_proposal(session, participant, status=Status.ACCEPTED, by=moderator)

    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    assert proposal.decided_at is not None
    assert [
        (e.actor, e.from_status, e.to_status)
        for e in ProposalEvent.objects.filter(proposal=proposal)
    ] == [
        (participant, Status.DRAFT, Status.SUBMITTED),
        (moderator, Status.SUBMITTED, Status.UNDER_REVIEW),
        (moderator, Status.UNDER_REVIEW, Status.ACCEPTED),
    ]


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Status.SUBMITTED, "accept"),
        (Status.SUBMITTED, "reject"),
        (Status.DRAFT, "take_up"),
        (Status.ACCEPTED, "reject"),
        (Status.REJECTED, "accept"),
        (Status.UNDER_REVIEW, "take_up"),
        (Status.WITHDRAWN, "take_up"),
    ],
)
def test_disallowed_move_is_refused_and_not_recorded(session, participant, moderator, status, move):
    proposal = make_proposal(session, participant, status=status, by=moderator)
    events_before = proposal.events.count()

    with pytest.raises(TransitionNotAllowed) as refused:
        getattr(proposal, move)(by=moderator)

    proposal.refresh_from_db()
    assert proposal.status == status
    assert proposal.events.count() == events_before
    assert f"is {Status(status).label.lower()} and cannot become" in str(refused.value)


def test_refusal_reason_matches_what_the_move_says(session, participant, moderator):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Twin towns")

    reason = proposal.refusal_reason(Status.ACCEPTED)

    assert reason == "“Twin towns” is submitted and cannot become accepted."
    with pytest.raises(TransitionNotAllowed, match=reason):
        proposal.accept(by=moderator)
    assert proposal.refusal_reason(Status.UNDER_REVIEW) == ""


def test_merge_into_a_proposal_of_another_session_is_refused(
    session, other_session, participant, moderator
):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)
    elsewhere = make_proposal(other_session, participant, status=Status.UNDER_REVIEW)

    with pytest.raises(TransitionNotAllowed, match="same session"):
        proposal.merge_into(elsewhere, by=moderator)

    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW
    assert proposal.merged_into is None


def test_merge_into_a_withdrawn_proposal_is_refused(session, participant, moderator):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)
    withdrawn = make_proposal(session, participant, status=Status.WITHDRAWN)

    with pytest.raises(TransitionNotAllowed, match="one that is withdrawn"):
        proposal.merge_into(withdrawn, by=moderator)


def test_moderated_by_lists_only_the_moderators_sessions(
    session, other_session, participant, moderator, other_moderator, superuser
):
    mine = make_proposal(session, participant, status=Status.SUBMITTED)
    theirs = make_proposal(other_session, participant, status=Status.SUBMITTED)
    draft = make_proposal(session, participant)

    def visible(user):
        return set(Proposal.objects.moderated_by(user).visible_to_moderators())

    assert visible(moderator) == {mine}
    assert visible(other_moderator) == {theirs}
    assert visible(superuser) == {mine, theirs}
    assert draft not in visible(superuser)
    assert visible(participant) == set()
