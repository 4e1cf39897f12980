"""A form sent twice (a double click, a browser retry, in parallel) is stored once."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal, make_user, proposal_data

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_create_same_token_twice_stores_one_proposal(participant_client, session):
    data = proposal_data(submit="Submit")

    first = participant_client.post(create_url(session), data)
    second = participant_client.post(create_url(session), data)

    proposal = Proposal.objects.get()
    assert proposal.submission_token == uuid.UUID(data["submission_token"])
    assertRedirects(first, proposal.get_absolute_url(), fetch_redirect_response=False)
    assertRedirects(second, proposal.get_absolute_url(), fetch_redirect_response=False)
    assert proposal.events.count() == 1
    page = participant_client.get(proposal.get_absolute_url())
    assert messages_of(page) == [
        "Your proposal has been sent to the moderators. You can follow it here.",
        "This proposal had already reached us; it was not stored twice.",
    ]


def test_create_same_token_after_a_failed_validation_stores_it_once(participant_client, session):
    data = proposal_data(rationale="", submit="Submit")
    participant_client.post(create_url(session), data)

    participant_client.post(create_url(session), {**data, "rationale": "Now with reasons."})
    participant_client.post(create_url(session), {**data, "rationale": "Now with reasons."})

    assert list(Proposal.objects.values_list("rationale", flat=True)) == ["Now with reasons."]


def test_create_token_of_another_participant_asks_to_send_again(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, submission_token=uuid.uuid4())

    response = participant_client.post(
        create_url(session),
        proposal_data(submission_token=str(theirs.submission_token), submit="Submit"),
    )

    assert list(Proposal.objects.all()) == [theirs]
    assert response.context["form"].non_field_errors() == [
        "Something went wrong while saving. Please send the form again."
    ]
    fresh = response.context["form"].data["submission_token"]
    assert fresh != str(theirs.submission_token)
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")
    # The fresh token goes through.
    participant_client.post(
        create_url(session), proposal_data(submission_token=fresh, submit="Submit")
    )
    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 1


# --- Parallel requests on PostgreSQL ---------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real parallel connections (PostgreSQL)",
)


def _post_in_parallel(user, url, payloads):
    """POST each payload from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(payloads))
    statuses = []

    def post(data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_create_double_click_in_parallel_stores_one_proposal(session):
    author = make_user()
    data = proposal_data(submit="Submit")

    statuses = _post_in_parallel(author, create_url(session), [data] * 4)

    assert statuses == [302] * 4
    proposal = Proposal.objects.get()
    assert proposal.status == Status.SUBMITTED
    assert proposal.events.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_create_parallel_submissions_stop_at_the_rate_limit(session, settings):
    settings.PROPOSAL_RATE_LIMIT = 2
    author = make_user()
    payloads = [proposal_data(wording=f"Wording {n}.", submit="Submit") for n in range(5)]

    statuses = _post_in_parallel(author, create_url(session), payloads)

    assert sorted(statuses) == [200, 200, 200, 302, 302]
    assert Proposal.objects.filter(status=Status.SUBMITTED).count() == 2
