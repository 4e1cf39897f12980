"""The proposal form's rules, on their own: limits, drafts, closed sessions, duplicates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.forms import ProposalForm, normalise_wording, submission_refusal
from proposals.models import Proposal
from tests.factories import make_proposal

Status = Proposal.Status


def form_data(action=ProposalForm.SUBMIT, **fields):
    data = {
        "title": "Twin towns",
        "wording": "Support twin-town agreements of border municipalities.",
        "rationale": "They bring joint projects and funding.",
        "addressee": Proposal.Addressee.MUNICIPAL,
        action: "1",
    }
    data.update(fields)
    return data


def make_form(session, author, data=None, **kwargs):
    return ProposalForm(data, session=session, author=author, **kwargs)


def test_form_fields_are_exactly_the_authors_own(session, participant):
    form = make_form(session, participant)

    assert list(form.fields) == ["title", "wording", "rationale", "addressee", "submission_token"]


def test_form_help_texts_state_the_limits(session, participant):
    form = make_form(session, participant)

    assert {name: form.fields[name].help_text for name in ("title", "wording", "rationale")} == {
        "title": "Up to 200 characters.",
        "wording": "Up to 3000 characters.",
        "rationale": "Up to 6000 characters.",
    }


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("title", 200, "Please shorten the title to 200 characters (it now has 201)."),
        ("wording", 3000, "Please shorten the wording to 3000 characters (it now has 3001)."),
        ("rationale", 6000, "Please shorten the rationale to 6000 characters (it now has 6001)."),
    ],
)
def test_form_text_one_over_the_limit_is_refused(session, participant, field, limit, message):
    form = make_form(session, participant, form_data(**{field: "я" * (limit + 1)}))

    assert form.errors == {field: [message]}


def test_form_text_exactly_at_the_limit_is_accepted(session, participant):
    form = make_form(
        session,
        participant,
        form_data(
            title="t" * Proposal.TITLE_MAX_LENGTH,
            wording="w" * Proposal.WORDING_MAX_LENGTH,
            rationale="r" * Proposal.RATIONALE_MAX_LENGTH,
        ),
    )

    assert form.errors == {}


def test_form_limits_apply_to_drafts_too(session, participant):
    form = make_form(
        session, participant, form_data(action=ProposalForm.SAVE_DRAFT, title="t" * 201)
    )

    assert list(form.errors) == ["title"]


def test_form_draft_needs_only_a_title(session, participant):
    form = make_form(
        session,
        participant,
        form_data(action=ProposalForm.SAVE_DRAFT, title="", wording="", rationale="", addressee=""),
    )

    assert form.errors == {"title": ["Please give your proposal a short title."]}


def test_form_unknown_addressee_is_refused(session, participant):
    form = make_form(session, participant, form_data(addressee="president"))

    assert form.errors == {"addressee": ["Please choose one of the listed addressees."]}


def test_form_save_sets_session_author_and_token(session, participant):
    token = "7a9c1f44-0b7e-4a8e-9d2b-2f1b6f0e8a11"
    form = make_form(session, participant, form_data(submission_token=token))
    assert form.is_valid(), form.errors

    proposal = form.save()

    proposal.refresh_from_db()
    assert (proposal.session, proposal.author, str(proposal.submission_token)) == (
        session,
        participant,
        token,
    )
    assert proposal.status == Status.DRAFT  # sending is the view's move, through submit()


def test_form_save_of_an_existing_proposal_keeps_a_status_changed_meanwhile(
    session, participant, moderator
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    form = make_form(
        session,
        participant,
        form_data(action=ProposalForm.SAVE_DRAFT, title="Changed"),
        instance=proposal,
    )
    assert form.is_valid(), form.errors
    Proposal.objects.get(pk=proposal.pk).take_up(by=moderator)

    form.save()

    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Changed", Status.UNDER_REVIEW)


def test_form_closed_session_refuses_a_new_draft(session, participant):
    session.accepts_proposals = False

    form = make_form(session, participant, form_data(action=ProposalForm.SAVE_DRAFT))

    assert form.errors == {"__all__": ["Proposals for this session are closed."]}


def test_normalise_wording_ignores_case_and_white_space():
    assert normalise_wording("  Open\tthe PORTS\n\nnow. ") == normalise_wording(
        "open the ports now."
    )
    assert normalise_wording("Open the ports now.") != normalise_wording("Open the port now.")


def test_submission_refusal_none_for_a_first_proposal(session, participant):
    assert submission_refusal(session=session, author=participant, wording="Anything.") is None


def test_submission_refusal_deadline_passed(session, participant):
    session.proposals_deadline = timezone.now() - timedelta(seconds=1)

    refusal = submission_refusal(session=session, author=participant, wording="Anything.")

    assert refusal == ("The deadline for proposals to this session has passed.", None)


def test_submission_refusal_deadline_ahead_is_open(session, participant):
    session.proposals_deadline = timezone.now() + timedelta(hours=1)

    assert submission_refusal(session=session, author=participant, wording="Anything.") is None


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
def test_submission_refusal_duplicate_by_status(
    session, participant, moderator, status, is_duplicate
):
    earlier = make_proposal(
        session, participant, status=status, by=moderator, title="Earlier", wording="Same words."
    )

    refusal = submission_refusal(session=session, author=participant, wording="same  WORDS.")

    if is_duplicate:
        assert refusal == (
            "You have already sent a proposal with this wording to this session: “Earlier”. "
            "There is no need to send it again.",
            earlier,
        )
    else:
        assert refusal is None


def test_submission_refusal_does_not_count_the_proposal_itself(session, participant):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, wording="Mine.")

    assert (
        submission_refusal(session=session, author=participant, wording="Mine.", exclude=proposal)
        is None
    )


def test_submission_refusal_rate_limit_reached(session, participant, settings):
    settings.PROPOSAL_RATE_LIMIT = 3
    sent = [make_proposal(session, participant, status=Status.SUBMITTED) for _ in range(3)]
    oldest = Proposal.objects.get(pk=sent[0].pk)

    message, existing = submission_refusal(session=session, author=participant, wording="New.")

    free_at = timezone.localtime(oldest.submitted_at + timedelta(hours=1))
    assert message == (
        "You have sent 3 proposals to this session recently, the most it takes from one "
        f"participant at a time. You can send the next one after {free_at:%H:%M}."
    )
    assert existing is None


def test_submission_refusal_rate_window_from_settings(session, participant, settings):
    settings.PROPOSAL_RATE_LIMIT = 1
    settings.PROPOSAL_RATE_WINDOW = timedelta(minutes=10)
    earlier = make_proposal(session, participant, status=Status.SUBMITTED)
    Proposal.objects.filter(pk=earlier.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=11)
    )

    assert submission_refusal(session=session, author=participant, wording="New.") is None


@pytest.mark.parametrize("token", ["", "not-a-uuid", "x" * 5000])
def test_form_mangled_token_does_not_cost_the_text(session, participant, token):
    form = make_form(session, participant, form_data(submission_token=token))

    assert form.errors == {}
    assert form.save().submission_token is None
