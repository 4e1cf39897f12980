"""The author's rules, on the model itself (proposals/submission.py): what every caller gets."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal, ProposalEvent
from proposals.submission import SubmissionRefused, normalise_wording
from tests.factories import make_proposal, make_session

Status = Proposal.Status


def check_sending(session, author, wording, **kwargs):
    return Proposal.objects.check_sending(
        session=session, author_id=author.pk, wording=wording, **kwargs
    )


def new_proposal(session, author, **fields):
    fields.setdefault("title", "Twin towns")
    fields.setdefault("wording", "Support twin-town agreements of border municipalities.")
    fields.setdefault("rationale", "They bring joint projects and funding.")
    fields.setdefault("addressee", Proposal.Addressee.MUNICIPAL)
    return Proposal(session=session, author=author, **fields)


def test_normalise_wording_ignores_case_and_white_space():
    assert normalise_wording("  Open\tthe PORTS\n\nnow. ") == normalise_wording(
        "open the ports now."
    )
    assert normalise_wording("Open the ports now.") != normalise_wording("Open the port now.")


def test_check_sending_lets_a_first_proposal_go(session, participant):
    assert check_sending(session, participant, "Anything.") is None


def test_check_sending_deadline_passed(session, participant):
    session.proposals_deadline = timezone.now() - timedelta(seconds=1)

    with pytest.raises(SubmissionRefused) as refused:
        check_sending(session, participant, "Anything.")

    assert (refused.value.message, refused.value.code, refused.value.duplicate) == (
        "The deadline for proposals to this session has passed.",
        "closed",
        None,
    )


def test_check_sending_deadline_ahead_is_open(session, participant):
    session.proposals_deadline = timezone.now() + timedelta(hours=1)

    assert check_sending(session, participant, "Anything.") is None


@pytest.mark.parametrize(
    ("status", "is_duplicate"),
    [
        (Status.DRAFT, False),
        (Status.SUBMITTED, True),
        (Status.UNDER_REVIEW, True),
        (Status.ACCEPTED, True),
        (Status.REJECTED, True),
        (Status.WITHDRAWN, False),
    ],
)
def test_check_sending_duplicate_by_status(session, participant, moderator, status, is_duplicate):
    earlier = make_proposal(
        session, participant, status=status, by=moderator, title="Earlier", wording="Same words."
    )

    if not is_duplicate:
        assert check_sending(session, participant, "same  WORDS.") is None
        return
    with pytest.raises(SubmissionRefused) as refused:
        check_sending(session, participant, "same  WORDS.")
    assert (refused.value.message, refused.value.duplicate) == (
        "You have already sent a proposal with this wording to this session: “Earlier”. "
        "There is no need to send it again.",
        earlier,
    )


def test_check_sending_does_not_count_the_proposal_itself(session, participant):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, wording="Mine.")

    assert check_sending(session, participant, "Mine.", exclude=proposal) is None


def test_check_sending_rate_limit_reached(session, participant, settings):
    settings.PROPOSAL_RATE_LIMIT = 3
    sent = [make_proposal(session, participant, status=Status.SUBMITTED) for _ in range(3)]
    oldest = Proposal.objects.get(pk=sent[0].pk)

    with pytest.raises(SubmissionRefused) as refused:
        check_sending(session, participant, "New.")

    free_at = timezone.localtime(oldest.submitted_at + timedelta(hours=1))
    assert refused.value.message == (
        "You have sent 3 proposals to this session recently, the most it takes from one "
        f"participant at a time. You can send the next one after {free_at:%H:%M}."
    )
    assert (refused.value.code, refused.value.duplicate) == ("rate_limit", None)


def test_check_sending_rate_window_from_settings(session, participant, settings):
    settings.PROPOSAL_RATE_LIMIT = 1
    settings.PROPOSAL_RATE_WINDOW = timedelta(minutes=10)
    earlier = make_proposal(session, participant, status=Status.SUBMITTED)
    Proposal.objects.filter(pk=earlier.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=11)
    )

    assert check_sending(session, participant, "New.") is None


# --- store_new: a new proposal, as a draft or sent at once -------------------------------------


def test_store_new_sent_at_once_has_its_history(session, participant):
    proposal, created = new_proposal(session, participant).store_new(send=True)

    proposal.refresh_from_db()
    assert created
    assert (proposal.status, proposal.submitted_at is not None) == (Status.SUBMITTED, True)
    assert [(e.actor, e.from_status, e.to_status) for e in proposal.events.all()] == [
        (participant, Status.DRAFT, Status.SUBMITTED)
    ]


def test_store_new_same_token_gives_back_the_stored_proposal(session, participant):
    token = uuid.uuid4()
    first, _ = new_proposal(session, participant, submission_token=token).store_new(send=True)

    again, created = new_proposal(session, participant, submission_token=token).store_new(send=True)

    assert (again, created) == (first, False)
    assert list(Proposal.objects.all()) == [first]


def test_store_new_draft_in_a_closed_session_is_refused(session, participant):
    session.accepts_proposals = False
    session.save()

    with pytest.raises(SubmissionRefused, match="Proposals for this session are closed."):
        new_proposal(session, participant).store_new(send=False)

    assert not Proposal.objects.exists()


def test_store_new_sent_repeating_a_wording_is_refused(session, participant):
    earlier = make_proposal(session, participant, status=Status.SUBMITTED, wording="Same.")

    with pytest.raises(SubmissionRefused) as refused:
        new_proposal(session, participant, wording="SAME.").store_new(send=True)

    assert refused.value.duplicate == earlier
    assert list(Proposal.objects.all()) == [earlier]


def test_store_new_draft_over_the_limit_is_refused(session, participant, settings):
    settings.PROPOSAL_DRAFT_LIMIT = 2
    drafts = [make_proposal(session, participant) for _ in range(2)]

    with pytest.raises(SubmissionRefused) as refused:
        new_proposal(session, participant).store_new(send=False)

    assert refused.value.code == "draft_limit"
    assert refused.value.message == (
        "You already keep 2 drafts, the most one participant may keep. Send one of them, or "
        "write this text into one (see “My proposals”), then try again: your text is still "
        "below."
    )
    assert set(Proposal.objects.all()) == set(drafts)


def test_store_new_draft_limit_counts_only_drafts_of_open_sessions(
    forum, session, participant, another_participant, settings
):
    settings.PROPOSAL_DRAFT_LIMIT = 2
    closed = make_session(forum, accepts_proposals=False)
    past = make_session(forum, proposals_deadline=timezone.now() - timedelta(minutes=1))
    make_proposal(closed, participant)
    make_proposal(past, participant)
    make_proposal(session, participant, status=Status.SUBMITTED)
    make_proposal(session, another_participant)
    make_proposal(session, participant)

    proposal, created = new_proposal(session, participant).store_new(send=False)

    assert created
    assert proposal.status == Status.DRAFT


def test_store_new_sent_at_once_is_not_held_by_the_draft_limit(session, participant, settings):
    settings.PROPOSAL_DRAFT_LIMIT = 1
    make_proposal(session, participant)

    proposal, created = new_proposal(session, participant).store_new(send=True)

    assert (created, proposal.status) == (True, Status.SUBMITTED)


# --- submit(): a saved draft, under the same rules --------------------------------------------


def test_submit_repeating_a_sent_wording_is_refused(session, participant):
    """submit() itself applies the rules: no caller can send around them."""
    earlier = make_proposal(session, participant, status=Status.SUBMITTED, wording="Same.")
    draft = make_proposal(session, participant, wording="Same.")

    with pytest.raises(SubmissionRefused) as refused:
        draft.submit(by=participant)

    assert refused.value.duplicate == earlier
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.events.exists()


def test_submit_in_a_closed_session_is_refused(session, participant):
    draft = make_proposal(session, participant)
    session.accepts_proposals = False
    session.save()

    with pytest.raises(SubmissionRefused, match="Proposals for this session are closed."):
        Proposal.objects.get(pk=draft.pk).submit(by=participant)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_incomplete_draft_is_refused(session, participant):
    draft = make_proposal(session, participant, rationale="  ", addressee="")

    with pytest.raises(SubmissionRefused) as refused:
        draft.submit(by=participant)

    assert refused.value.code == "incomplete"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_author_state_methods_are_never_run_from_a_template():
    assert [
        name
        for name in (
            "store_new",
            "save_by_author",
            "submit",
            "withdraw",
            "take_up",
            "accept",
            "reject",
            "merge_into",
        )
        if not getattr(Proposal, name).alters_data
    ] == []


# --- save_by_author(): the author's change ------------------------------------------------------


def test_save_by_author_writes_only_the_authors_fields(session, participant, moderator):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    Proposal.objects.filter(pk=proposal.pk).update(moderator_note="Ask the ministry.")
    proposal.title = "Changed"

    proposal.save_by_author(by=participant)

    proposal.refresh_from_db()
    assert (proposal.title, proposal.status, proposal.moderator_note) == (
        "Changed",
        Status.SUBMITTED,
        "Ask the ministry.",
    )


def test_save_by_author_taken_up_meanwhile_is_refused(session, participant, moderator):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    Proposal.objects.get(pk=proposal.pk).take_up(by=moderator)
    proposal.title = "Late"

    with pytest.raises(SubmissionRefused) as refused:
        proposal.save_by_author(by=participant)

    assert refused.value.code == "taken_up"
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Before", Status.UNDER_REVIEW)


def test_save_by_author_from_a_stale_copy_is_refused_with_the_saved_one(session, participant):
    proposal = make_proposal(session, participant, title="First tab")
    seen = proposal.updated_at
    other_tab = Proposal.objects.get(pk=proposal.pk)
    other_tab.title = "Second tab"
    other_tab.save_by_author(by=participant, seen=seen)
    proposal.title = "First tab, changed"

    with pytest.raises(SubmissionRefused) as refused:
        proposal.save_by_author(by=participant, seen=seen)

    assert refused.value.code == "stale"
    assert refused.value.saved.title == "Second tab"
    proposal.refresh_from_db()
    assert proposal.title == "Second tab"


def test_save_by_author_send_moves_a_draft_with_its_history(session, participant):
    draft = make_proposal(session, participant)
    draft.wording = "A new wording."

    draft.save_by_author(by=participant, send=True, seen=draft.updated_at)

    draft.refresh_from_db()
    assert (draft.wording, draft.status) == ("A new wording.", Status.SUBMITTED)
    assert list(
        ProposalEvent.objects.filter(proposal=draft).values_list("from_status", "to_status")
    ) == [(Status.DRAFT, Status.SUBMITTED)]
