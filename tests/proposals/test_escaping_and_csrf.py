"""Participants' text is shown as text everywhere; every write needs the CSRF token."""

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal, ProposalEvent
from tests.factories import make_proposal, proposal_data

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


SCRIPT = "<script>alert('x')</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def test_script_in_a_proposal_shows_as_text_on_every_page(
    participant_client, participant, session, moderator
):
    draft = make_proposal(session, participant, title=SCRIPT, wording=SCRIPT, rationale=SCRIPT)
    accepted = make_proposal(
        session,
        participant,
        status=Status.ACCEPTED,
        by=moderator,
        title=SCRIPT,
        wording=SCRIPT,
    )
    Proposal.objects.filter(pk=accepted.pk).update(public_answer=SCRIPT)

    pages = [
        participant_client.get(reverse("proposals:list")),
        participant_client.get(draft.get_absolute_url()),
        participant_client.get(accepted.get_absolute_url()),
        participant_client.get(reverse("proposals:edit", kwargs={"pk": draft.pk})),
        participant_client.get(reverse("proposals:recommendations", kwargs={"slug": session.slug})),
    ]

    for page in pages:
        assertContains(page, SCRIPT_ESCAPED)
        assertNotContains(page, SCRIPT)


def test_script_in_a_duplicate_message_shows_as_text(participant_client, participant, session):
    make_proposal(session, participant, status=Status.SUBMITTED, title=SCRIPT, wording="Same.")

    response = participant_client.post(
        create_url(session), proposal_data(wording="Same.", submit="Submit")
    )

    assertContains(response, SCRIPT_ESCAPED)
    assertNotContains(response, SCRIPT)


def test_script_posted_in_the_form_comes_back_escaped(participant_client, session):
    response = participant_client.post(
        create_url(session),
        proposal_data(title=SCRIPT * 30, wording=SCRIPT, submit="Submit"),
    )

    assert not Proposal.objects.exists()
    assertContains(response, SCRIPT_ESCAPED)
    assertNotContains(response, SCRIPT)


def test_create_without_csrf_token_is_refused(participant, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(create_url(session), proposal_data(submit="Submit"))

    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_withdraw_without_csrf_token_is_refused(participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(reverse("proposals:withdraw", kwargs={"pk": proposal.pk}))

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_create_with_the_csrf_token_of_the_form_goes_through(participant, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    form_page = client.get(create_url(session))
    token = form_page.context["csrf_token"]

    response = client.post(
        create_url(session),
        proposal_data(csrfmiddlewaretoken=str(token), submit="Submit"),
    )

    proposal = Proposal.objects.get()
    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    assert ProposalEvent.objects.filter(proposal=proposal).count() == 1
