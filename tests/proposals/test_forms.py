"""The proposal form on its own: what it takes and how it checks the input (the rules are the
model's: tests/proposals/test_submission.py)."""

import pytest

from proposals.forms import ProposalForm
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


def test_form_valid_input_is_a_new_proposal_of_the_session_and_author(session, participant):
    token = "7a9c1f44-0b7e-4a8e-9d2b-2f1b6f0e8a11"
    form = make_form(session, participant, form_data(submission_token=token))
    assert form.is_valid(), form.errors

    proposal = form.instance

    assert (proposal.pk, proposal.session, proposal.author, str(proposal.submission_token)) == (
        None,
        session,
        participant,
        token,
    )
    assert proposal.status == Status.DRAFT  # storing and sending are the model's moves
    assert not Proposal.objects.exists()


def test_form_of_a_saved_proposal_carries_its_updated_at(session, participant):
    proposal = make_proposal(session, participant)

    form = make_form(session, participant, instance=proposal)

    assert form["updated_at"].value() == proposal.updated_at.isoformat()


@pytest.mark.parametrize("value", ["", "yesterday", "2026-12-01T10:00:00", "\x00" * 3])
def test_form_mangled_updated_at_only_costs_the_check(session, participant, value):
    proposal = make_proposal(session, participant)

    form = make_form(
        session,
        participant,
        form_data(action=ProposalForm.SAVE_DRAFT, updated_at=value),
        instance=proposal,
    )

    assert form.errors == {}
    assert form.cleaned_data["updated_at"] is None


@pytest.mark.parametrize("token", ["", "not-a-uuid", "x" * 5000])
def test_form_mangled_token_does_not_cost_the_text(session, participant, token):
    form = make_form(session, participant, form_data(submission_token=token))

    assert form.errors == {}
    assert form.instance.submission_token is None
