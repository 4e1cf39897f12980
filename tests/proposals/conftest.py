"""Fixtures of the proposals admin's tests."""

import pytest

from proposals.models import Proposal
from tests.factories import make_proposal

Status = Proposal.Status
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def proposals(session, other_session, participant, another_participant, moderator):
    """One proposal per status in `session`, and one under review in `other_session`."""
    return {
        "draft": make_proposal(session, participant, title="Unsent draft"),
        "submitted": make_proposal(
            session, participant, status=Status.SUBMITTED, title="Twin towns programme"
        ),
        "under_review": make_proposal(
            session,
            another_participant,
            status=Status.UNDER_REVIEW,
            by=moderator,
            title="Cross-border law",
        ),
        "accepted": make_proposal(
            session, participant, status=Status.ACCEPTED, by=moderator, title="Border fund"
        ),
        "elsewhere": make_proposal(
            other_session,
            participant,
            status=Status.UNDER_REVIEW,
            title="Spatial plan secret",
            moderator_note="Internal to Spatial Development",
        ),
    }


@pytest.fixture
def scripted(session, participant, moderator):
    participant.organisation = "<b>Org</b>"
    participant.save()
    return make_proposal(
        session,
        participant,
        status=Status.UNDER_REVIEW,
        by=moderator,
        title=SCRIPT,
        wording=f"Wording {SCRIPT}",
        rationale=f"Rationale {SCRIPT}",
    )
