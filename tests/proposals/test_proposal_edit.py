"""The author changes a draft or a sent proposal, until a moderator takes it up."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal, proposal_data

Status = Proposal.Status


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_edit_submitted_proposal_saves_the_changes(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Better title", save_draft="Save changes"),
    )

    assertRedirects(response, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Better title", Status.SUBMITTED)


def test_edit_submitted_proposal_offers_only_save_changes(participant_client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED)

    response = participant_client.get(reverse("proposals:edit", kwargs={"pk": proposal.pk}))

    assertContains(response, 'value="Save changes"')
    assertNotContains(response, 'name="submit"')


def test_edit_draft_with_submit_sends_it(participant_client, participant, session):
    proposal = make_proposal(session, participant)

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(submit="Submit"),
    )

    assertRedirects(response, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert proposal.wording == "Simplify the approval of municipal cross-border agreements."


def test_edit_draft_in_a_closed_session_can_still_be_saved(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant)
    session.accepts_proposals = False
    session.save()

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Still mine", save_draft="Save draft"),
    )

    assertRedirects(response, reverse("proposals:edit", kwargs={"pk": proposal.pk}))
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Still mine", Status.DRAFT)


def test_edit_submitted_proposal_in_a_closed_session_is_refused(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    session.proposals_deadline = timezone.now() - timedelta(hours=1)
    session.save()

    response = participant_client.post(
        reverse("proposals:edit", kwargs={"pk": proposal.pk}),
        proposal_data(title="Late change", save_draft="Save changes"),
    )

    assert response.context["form"].non_field_errors() == [
        "The deadline for proposals to this session has passed."
    ]
    assertContains(response, 'value="Late change"')
    proposal.refresh_from_db()
    assert proposal.title == "Before"


def test_edit_under_review_goes_back_to_the_proposal(
    participant_client, participant, session, moderator
):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)

    response = participant_client.get(reverse("proposals:edit", kwargs={"pk": proposal.pk}))

    assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
    page = participant_client.get(response.url)
    assert messages_of(page) == [
        "A moderator has taken this proposal up: it can no longer be changed."
    ]
    assertNotContains(page, reverse("proposals:edit", kwargs={"pk": proposal.pk}))


def test_edit_taken_up_while_writing_keeps_the_status_and_the_text(
    participant_client, participant, session, moderator
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    edit_url = reverse("proposals:edit", kwargs={"pk": proposal.pk})
    participant_client.get(edit_url)
    Proposal.objects.get(pk=proposal.pk).take_up(by=moderator)

    response = participant_client.post(
        edit_url, proposal_data(title="Written meanwhile", save_draft="Save changes")
    )

    assert response.context["form"].non_field_errors() == [
        "A moderator has just taken this proposal up, so your changes were not saved. "
        "Your text is still below if you want to copy it."
    ]
    assertContains(response, 'value="Written meanwhile"')
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Before", Status.UNDER_REVIEW)


def test_edit_another_participants_proposal_is_404(
    participant_client, another_participant, session
):
    theirs = make_proposal(session, another_participant, status=Status.SUBMITTED, title="Theirs")
    url = reverse("proposals:edit", kwargs={"pk": theirs.pk})

    assert participant_client.get(url).status_code == 404
    response = participant_client.post(url, proposal_data(title="Hijacked", save_draft="Save"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


# --- One author, two tabs (issue 9, item 14) ---------------------------------------------------


def form_data(response, **changes):
    """What the browser posts back from the form page, with the author's changes."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return {**data, **changes}


def test_edit_form_carries_the_updated_at_it_was_loaded_with(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant)

    response = participant_client.get(reverse("proposals:edit", kwargs={"pk": proposal.pk}))

    assertContains(
        response,
        f'<input type="hidden" name="updated_at" value="{proposal.updated_at.isoformat()}" '
        'id="id_updated_at">',
        html=True,
    )


def test_edit_from_a_stale_tab_is_refused_and_shows_both_texts(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    url = reverse("proposals:edit", kwargs={"pk": proposal.pk})
    first_tab = participant_client.get(url)
    second_tab = participant_client.get(url)
    participant_client.post(
        url, form_data(second_tab, title="From the second tab", save_draft="Save changes")
    )

    response = participant_client.post(
        url, form_data(first_tab, title="From the first tab", save_draft="Save changes")
    )

    assert response.context["form"].non_field_errors() == [
        "This proposal was changed (in another window, perhaps) after you opened it, so your "
        "changes were not saved. Your text is below, and under it the text saved now: keep what "
        "you need and save again."
    ]
    assertContains(response, 'value="From the first tab"')
    assertContains(response, "<dt>Short title</dt><dd>From the second tab</dd>", html=True)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("From the second tab", Status.SUBMITTED)


def test_edit_saving_again_after_reading_both_texts_goes_through(
    participant_client, participant, session
):
    proposal = make_proposal(session, participant, title="Before")
    url = reverse("proposals:edit", kwargs={"pk": proposal.pk})
    first_tab = participant_client.get(url)
    participant_client.post(
        url, form_data(participant_client.get(url), title="Second", save_draft="Save draft")
    )
    refused = participant_client.post(
        url, form_data(first_tab, title="First", save_draft="Save draft")
    )

    response = participant_client.post(url, form_data(refused, save_draft="Save draft"))

    assertRedirects(response, url)
    proposal.refresh_from_db()
    assert proposal.title == "First"
