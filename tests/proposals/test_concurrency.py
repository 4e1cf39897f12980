"""Two moderators acting on one proposal at the same moment, on real parallel connections."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from proposals.models import Proposal, ProposalEvent, TransitionNotAllowed
from tests.factories import make_forum, make_person, make_proposal, make_session, make_user

Status = Proposal.Status

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL: SQLite has no row locks (select_for_update) and allows one "
        "writer at a time, so it cannot show two moderators racing",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(proposal_pk, moves):
    """Run each (method name, actor) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(moves))
    outcomes = {}

    def act(name, actor):
        try:
            proposal = Proposal.objects.get(pk=proposal_pk)
            barrier.wait(timeout=10)
            getattr(proposal, name)(by=actor)
            outcomes[name] = "done"
        except TransitionNotAllowed as refusal:
            outcomes[name] = refusal
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_accept_and_reject_at_once_end_in_one_status_with_one_event(attempt):
    # Built in code: a transactional test starts from an empty database.
    session = make_session(make_forum())
    first = make_user(person=make_person(), is_staff=True)
    second = make_user(person=make_person(), is_staff=True)
    proposal = make_proposal(session, make_user(), status=Status.UNDER_REVIEW, by=first)
    events_before = proposal.events.count()

    outcomes = race(proposal.pk, [("accept", first), ("reject", second)])

    assert sorted(outcomes) == ["accept", "reject"]
    winners = [name for name, outcome in outcomes.items() if outcome == "done"]
    losers = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert len(winners) == 1
    [refusal] = losers
    assert isinstance(refusal, TransitionNotAllowed)
    won = {"accept": Status.ACCEPTED, "reject": Status.REJECTED}[winners[0]]
    assert str(refusal) == (
        f"“{proposal.title}” is {won.label.lower()} and cannot become "
        f"{({Status.ACCEPTED, Status.REJECTED} - {won}).pop().label.lower()}."
    )
    proposal.refresh_from_db()
    assert proposal.status == won
    new_events = ProposalEvent.objects.filter(proposal=proposal).order_by("pk")[events_before:]
    assert [(e.from_status, e.to_status) for e in new_events] == [(Status.UNDER_REVIEW, won)]
    assert new_events[0].actor == (first if won == Status.ACCEPTED else second)
