"""Writing a new proposal: the form, a draft, sending at once, a closed session."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from proposals.models import Proposal
from tests.factories import make_proposal, make_session, proposal_data

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_create_anonymous_goes_to_login_and_back_to_the_form(client, session):
    response = client.get(create_url(session))

    assertRedirects(
        response,
        f"{reverse('login')}?next={create_url(session)}",
        fetch_redirect_response=False,
    )


def test_create_login_page_links_to_signup_keeping_next(client, session):
    response = client.get(f"{reverse('login')}?next={create_url(session)}")

    assertContains(
        response,
        f'<a href="{reverse("signup")}?next={create_url(session)}">Register as a participant</a>',
        html=True,
    )


def test_create_unpublished_session_is_404(participant_client, forum):
    hidden = make_session(forum, is_published=False)

    response = participant_client.get(create_url(hidden))

    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")


def test_create_form_shows_limits_two_buttons_and_a_fresh_token(participant_client, session):
    response = participant_client.get(create_url(session))

    assertContains(response, session.title)
    for limit in (Proposal.TITLE_MAX_LENGTH, Proposal.WORDING_MAX_LENGTH):
        assertContains(response, f"Up to {limit} characters.")
    assertContains(response, f"Up to {Proposal.RATIONALE_MAX_LENGTH} characters.")
    assertContains(
        response,
        '<input type="submit" name="save_draft" value="Save draft" '
        'class="btn btn-outline-primary" id="submit-id-save_draft">',
        html=True,
    )
    assertContains(
        response,
        '<input type="submit" name="submit" value="Submit" class="btn btn-primary" '
        'id="submit-id-submit">',
        html=True,
    )
    token = response.context["form"].initial["submission_token"]
    assert isinstance(token, uuid.UUID)
    assertContains(response, f'value="{token}"')
    # No maxlength: a browser would silently cut a longer pasted text.
    assertNotContains(response, "maxlength")


def test_create_save_draft_stores_a_draft_and_reopens_it(participant_client, participant, session):
    response = participant_client.post(create_url(session), proposal_data(save_draft="Save draft"))

    proposal = Proposal.objects.get()
    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    assert (proposal.author, proposal.session, proposal.status) == (
        participant,
        session,
        Status.DRAFT,
    )
    assert proposal.title == "Cross-border cooperation agreements"
    assert proposal.submitted_at is None
    assert not proposal.events.exists()


def test_create_draft_may_be_incomplete(participant_client, session):
    response = participant_client.post(
        create_url(session),
        proposal_data(wording="", rationale="", addressee="", save_draft="Save draft"),
    )

    proposal = Proposal.objects.get()
    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    assert (proposal.title, proposal.wording, proposal.addressee) == (
        "Cross-border cooperation agreements",
        "",
        "",
    )


def test_create_submit_runs_a_fixed_number_of_queries(
    participant_client,
    participant,
    session,
    another_participant,
    django_assert_num_queries,
):
    """Sending a proposal is the forum's busiest write: its queries are counted (issue 4).

    The session; the visitor's session and account; a savepoint (the transaction in
    production); the author's row lock; the same submission token; the duplicate wording and
    the rate limit together; the proposal and its history; the release."""
    make_proposal(session, participant, status="submitted", wording="An earlier one")
    make_proposal(session, another_participant, status="submitted")

    with django_assert_num_queries(10):
        response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    proposal = Proposal.objects.get(wording=proposal_data()["wording"])
    assert response.headers["Location"] == reverse("proposals:detail", kwargs={"pk": proposal.pk})
    assert (proposal.status, proposal.author) == (Status.SUBMITTED, participant)


def test_create_draft_survives_logout(client, participant, session):
    client.force_login(participant)
    client.post(create_url(session), proposal_data(save_draft="Save draft"))
    client.post(reverse("logout"))

    client.force_login(participant)
    response = client.get(reverse("proposals:list"))

    assert [p.title for p in response.context["proposals"]] == [
        "Cross-border cooperation agreements"
    ]


def test_create_submit_sends_it_with_history(participant_client, participant, session):
    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    proposal = Proposal.objects.get()
    assertRedirects(
        response,
        reverse("proposals:detail", kwargs={"pk": proposal.pk}),
        fetch_redirect_response=False,
    )
    assert proposal.status == Status.SUBMITTED
    assert proposal.submitted_at is not None
    assert [(e.actor, e.from_status, e.to_status) for e in proposal.events.all()] == [
        (participant, Status.DRAFT, Status.SUBMITTED)
    ]
    page = participant_client.get(response.url)
    assert messages_of(page) == [
        "Your proposal has been sent to the moderators. You can follow it here."
    ]


def test_create_submit_incomplete_says_what_is_missing(participant_client, session):
    response = participant_client.post(
        create_url(session), proposal_data(rationale="", addressee="", submit="Submit")
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "rationale": ["Please explain why the recommendation is needed."],
        "addressee": ["Please choose to whom the recommendation is addressed."],
    }


def test_create_text_over_the_limit_is_refused_and_kept(participant_client, session):
    long_wording = "Cooperation " * 300  # 3600 characters
    title = "T" * (Proposal.TITLE_MAX_LENGTH + 1)

    response = participant_client.post(
        create_url(session),
        proposal_data(title=title, wording=long_wording, submit="Submit"),
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "title": ["Please shorten the title to 200 characters (it now has 201)."],
        "wording": ["Please shorten the wording to 3000 characters (it now has 3599)."],
    }
    # Everything typed is still in the form (the wording loses only its trailing space).
    assertContains(response, f'value="{title}"')
    assertContains(response, long_wording.strip())
    assertContains(response, "Approval now takes up to a year.")
    assertContains(response, '<option value="government" selected>', html=False)


def test_create_closed_session_is_refused_with_the_reason(participant_client, session):
    session.accepts_proposals = False
    session.save()

    response = participant_client.post(create_url(session), proposal_data(submit="Submit"))

    assert not Proposal.objects.exists()
    assert response.context["form"].non_field_errors() == ["Proposals for this session are closed."]
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")


def test_create_after_the_deadline_is_refused_even_as_a_draft(participant_client, session):
    session.proposals_deadline = timezone.now() - timedelta(minutes=1)
    session.save()

    response = participant_client.post(create_url(session), proposal_data(save_draft="Save draft"))

    assert not Proposal.objects.exists()
    assert response.context["form"].non_field_errors() == [
        "The deadline for proposals to this session has passed."
    ]
    assertContains(response, "Cross-border cooperation agreements")


def test_create_closed_session_shows_the_reason_instead_of_an_empty_form(
    participant_client, session
):
    session.accepts_proposals = False
    session.save()

    response = participant_client.get(create_url(session))

    assertContains(
        response,
        '<div class="alert alert-warning proposals-closed" role="status">'
        "Proposals for this session are closed.</div>",
        html=True,
    )
    assertNotContains(response, 'name="submit"')


# --- Drafts one participant may keep (issue 9, item 20) ---------------------------------------


def test_create_draft_over_the_limit_is_refused_and_keeps_the_text(
    participant_client, participant, session, settings
):
    settings.PROPOSAL_DRAFT_LIMIT = 2
    drafts = [make_proposal(session, participant) for _ in range(2)]

    response = participant_client.post(
        create_url(session), proposal_data(title="One draft too many", save_draft="Save draft")
    )

    assert set(Proposal.objects.all()) == set(drafts)
    assert response.context["form"].non_field_errors() == [
        "You already keep 2 drafts, the most one participant may keep. Send one of them, or "
        "write this text into one (see “My proposals”), then try again: your text is still "
        "below."
    ]
    assertContains(response, 'value="One draft too many"')
    assertContains(response, "Simplify the approval of municipal cross-border agreements.")


def test_create_draft_limit_default_is_twenty(settings):
    assert settings.PROPOSAL_DRAFT_LIMIT == 20
