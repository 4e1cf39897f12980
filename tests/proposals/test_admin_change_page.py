"""The proposal change page: the moderator's fields, status buttons, stale saves, history."""

from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal

from .admin_pages import CHANGELIST, change_url, edit, form_data, messages_of

Status = Proposal.Status
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def test_change_page_saves_moderator_fields_but_never_the_authors_text(moderator_client, proposals):
    proposal = proposals["under_review"]

    response = edit(
        moderator_client,
        proposal,
        title="Rewritten by moderator",
        wording="Rewritten wording",
        status=Status.ACCEPTED,
        author=proposals["elsewhere"].author_id,
        edited_wording="Shorter wording for the editors.",
        moderator_note="Check with the Ministry.",
        public_answer="Thank you.",
    )

    assertRedirects(response, CHANGELIST, fetch_redirect_response=False)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("Cross-border law", Status.UNDER_REVIEW)
    assert proposal.wording.startswith("Wording of proposal")
    assert proposal.author.email == "oleg.smirnov@example.org"
    assert proposal.edited_wording == "Shorter wording for the editors."
    assert proposal.moderator_note == "Check with the Ministry."
    assert proposal.public_answer == "Thank you."


def test_change_page_offers_only_the_allowed_moves(moderator_client, proposals):
    submitted = moderator_client.get(change_url(proposals["submitted"]))
    under_review = moderator_client.get(change_url(proposals["under_review"]))
    accepted = moderator_client.get(change_url(proposals["accepted"]))

    take_up = '<button type="submit" name="_move" value="take_up" class="button">'
    accept = '<button type="submit" name="_move" value="accept" class="button">'
    assertContains(submitted, take_up + "Take up for review</button>", html=True)
    assertNotContains(submitted, 'value="accept"')
    assertContains(under_review, accept + "Accept</button>", html=True)
    assertNotContains(under_review, 'value="take_up"')
    assertNotContains(accepted, 'name="_move"')


def test_accept_button_saves_the_answer_and_emails_it(
    moderator_client, moderator, proposals, django_capture_on_commit_callbacks
):
    proposal = proposals["under_review"]

    with django_capture_on_commit_callbacks(execute=True):
        response = edit(
            moderator_client,
            proposal,
            public_answer="Included in the recommendations to the Government.",
            transition_note="Agreed at the round table.",
            _move="accept",
        )

    assertRedirects(response, change_url(proposal), fetch_redirect_response=False)
    assert messages_of(response) == ["Saved; “Cross-border law” is now accepted."]
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    assert proposal.public_answer == "Included in the recommendations to the Government."
    event = proposal.events.last()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        moderator,
        Status.UNDER_REVIEW,
        Status.ACCEPTED,
        "Agreed at the round table.",
    )
    [message] = mail.outbox
    assert message.to == ["oleg.smirnov@example.org"]
    assert "Included in the recommendations to the Government." in message.body


def test_disallowed_move_button_shows_the_reason_and_keeps_the_edits(
    moderator_client, proposals, django_capture_on_commit_callbacks
):
    proposal = proposals["submitted"]

    with django_capture_on_commit_callbacks(execute=True):
        response = edit(moderator_client, proposal, moderator_note="Looks good", _move="accept")

    assertRedirects(response, change_url(proposal), fetch_redirect_response=False)
    assert messages_of(response) == [
        "“Twin towns programme” is submitted and cannot become accepted."
    ]
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert proposal.moderator_note == "Looks good"
    assert proposal.events.count() == 1
    assert mail.outbox == []


STALE = (
    "Someone else saved this proposal after you opened it, so nothing was saved. Your text is "
    "kept below, and under each field that differs, the text saved now: keep what you need and "
    "save again."
)


def test_stale_change_form_is_refused_keeping_both_texts(
    moderator_client, superuser_client, proposals
):
    """Last save won: a form opened before the superuser saved blanked their answer and note."""
    proposal = proposals["under_review"]
    page = moderator_client.get(change_url(proposal))
    edit(superuser_client, proposal, public_answer="Thank you.", moderator_note="Ask the Ministry.")

    response = moderator_client.post(
        change_url(proposal), {**form_data(page), "edited_wording": "Shorter wording."}
    )

    form = response.context["adminform"].form
    assert form.errors == {
        "__all__": [STALE],
        "edited_wording": ["Saved now: empty"],
        "moderator_note": ["Saved now: “Ask the Ministry.”"],
        "public_answer": ["Saved now: “Thank you.”"],
    }
    assertContains(response, STALE)
    assert [form[name].value() for name in ("edited_wording", "public_answer")] == [
        "Shorter wording.",
        "",
    ]
    proposal.refresh_from_db()
    assert (proposal.edited_wording, proposal.moderator_note, proposal.public_answer) == (
        "",
        "Ask the Ministry.",
        "Thank you.",
    )


def test_refused_stale_form_saved_again_saves_what_the_moderator_kept(
    moderator_client, superuser_client, proposals
):
    proposal = proposals["under_review"]
    page = moderator_client.get(change_url(proposal))
    edit(superuser_client, proposal, public_answer="Thank you.")
    refused = moderator_client.post(
        change_url(proposal), {**form_data(page), "edited_wording": "Shorter wording."}
    )

    response = moderator_client.post(
        change_url(proposal), {**form_data(refused), "public_answer": "Thank you, both."}
    )

    assertRedirects(response, CHANGELIST, fetch_redirect_response=False)
    proposal.refresh_from_db()
    assert (proposal.edited_wording, proposal.public_answer) == (
        "Shorter wording.",
        "Thank you, both.",
    )


def test_stale_change_form_move_button_changes_nothing(
    moderator_client, superuser, proposals, django_capture_on_commit_callbacks
):
    proposal = proposals["under_review"]
    page = moderator_client.get(change_url(proposal))
    proposal.accept(by=superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            change_url(proposal),
            {**form_data(page), "public_answer": "Sorry, no.", "_move": "reject"},
        )

    assert response.context["adminform"].form.non_field_errors() == [STALE]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.public_answer) == (Status.ACCEPTED, "")
    assert proposal.events.count() == 3
    assert mail.outbox == []


def test_change_form_post_without_the_loaded_version_is_refused(moderator_client, proposals):
    proposal = proposals["under_review"]
    page = moderator_client.get(change_url(proposal))
    data = form_data(page)
    del data["loaded_updated_at"]

    response = moderator_client.post(change_url(proposal), {**data, "public_answer": "Hi"})

    assert response.context["adminform"].form.non_field_errors() == [STALE]
    proposal.refresh_from_db()
    assert proposal.public_answer == ""


def test_history_inline_lists_every_move_read_only(moderator_client, proposals):
    response = moderator_client.get(change_url(proposals["accepted"]))

    rows = [
        (row.actor.get_full_name(), row.get_from_status_display(), row.get_to_status_display())
        for row in response.context["inline_admin_formsets"][0].formset.queryset
    ]
    assert rows == [
        ("Petrova Anna", "Draft", "Submitted"),
        ("Didenko Aleksei", "Submitted", "Under review"),
        ("Didenko Aleksei", "Under review", "Accepted"),
    ]
    assertContains(response, '<td class="field-actor_name"><p>Didenko Aleksei</p></td>', html=True)
    assertContains(response, '<td class="field-to_status"><p>Accepted</p></td>', html=True)
    assertNotContains(response, 'name="events-0-note"')
    assertNotContains(response, "Add another status change")
    # No link into the user admin, which moderators cannot open.
    assertNotContains(response, "/admin/proposals/user/")


def test_script_in_a_proposal_is_escaped_on_the_change_page(moderator_client, scripted):
    response = moderator_client.get(change_url(scripted))

    assertContains(response, f"Wording {ESCAPED}")
    assertContains(response, f"Rationale {ESCAPED}")
    assertNotContains(response, SCRIPT)
