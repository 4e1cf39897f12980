"""Bulk moves and merges of proposals, behind a confirmation page."""

from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal, ProposalEvent
from tests.factories import make_proposal, make_user

from .admin_pages import CHANGELIST, messages_of, run_action

Status = Proposal.Status
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def test_bulk_accept_confirmation_lists_changes_and_refusals_without_acting(
    moderator_client, proposals
):
    chosen = [proposals["under_review"], proposals["submitted"]]

    response = run_action(moderator_client, "accept_selected", chosen)

    assertContains(
        response,
        '<ul class="move-changes"><li>“Cross-border law” (Smirnov Oleg, International and '
        "Cross-Border Cooperation): Under review → Accepted</li></ul>",
        html=True,
    )
    assertContains(
        response,
        '<ul class="move-refusals"><li>“Twin towns programme” is submitted and cannot become '
        "accepted.</li></ul>",
        html=True,
    )
    assertContains(
        response,
        f'<input type="hidden" name="_selected_action" value="{proposals["under_review"].pk}">',
        html=True,
    )
    assertNotContains(response, f'value="{proposals["submitted"].pk}"')
    for proposal in chosen:
        proposal.refresh_from_db()
    assert [p.status for p in chosen] == [Status.UNDER_REVIEW, Status.SUBMITTED]


def test_bulk_take_up_after_yes_moves_and_records_each(moderator_client, moderator, session):
    authors = [make_user(), make_user()]
    chosen = [make_proposal(session, a, status=Status.SUBMITTED) for a in authors]

    response = run_action(
        moderator_client, "take_up_selected", chosen, post="yes", note="Batch of Monday"
    )

    assertRedirects(response, CHANGELIST, fetch_redirect_response=False)
    assert messages_of(response) == ["2 proposals are now under review."]
    assert sorted(
        ProposalEvent.objects.filter(to_status=Status.UNDER_REVIEW).values_list(
            "proposal__title", "actor__email", "note"
        )
    ) == sorted((p.title, "didenko@example.org", "Batch of Monday") for p in chosen)


def test_bulk_reject_refuses_what_changed_since_the_confirmation(
    moderator_client, moderator, proposals, django_capture_on_commit_callbacks
):
    chosen = [proposals["under_review"], proposals["accepted"]]

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(moderator_client, "reject_selected", chosen, post="yes")

    assert messages_of(response) == [
        "“Border fund” is accepted and cannot become rejected.",
        "1 proposal is now rejected.",
    ]
    for proposal in chosen:
        proposal.refresh_from_db()
    assert [p.status for p in chosen] == [Status.REJECTED, Status.ACCEPTED]
    assert [m.to for m in mail.outbox] == [["oleg.smirnov@example.org"]]


def test_bulk_note_over_the_limit_shows_the_form_again(moderator_client, proposals):
    proposal = proposals["under_review"]

    response = run_action(
        moderator_client, "accept_selected", [proposal], post="yes", note="x" * 1001
    )

    assertContains(response, "Ensure this value has at most 1000 characters")
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW


def test_merge_confirmation_offers_targets_of_the_same_session_only(
    moderator_client, proposals, session, another_participant
):
    duplicate = make_proposal(
        session, another_participant, status=Status.UNDER_REVIEW, title="Same law again"
    )

    response = run_action(
        moderator_client, "merge_selected", [duplicate, proposals["under_review"]]
    )

    targets = [p.title for p in response.context["form"].fields["target"].queryset]
    assert targets == ["Twin towns programme", "Cross-border law", "Border fund", "Same law again"]
    assertNotContains(response, "Spatial plan secret")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.UNDER_REVIEW


def test_merge_after_yes_merges_into_the_chosen_proposal(
    moderator_client, proposals, session, another_participant, django_capture_on_commit_callbacks
):
    target = proposals["under_review"]
    duplicate = make_proposal(
        session, another_participant, status=Status.UNDER_REVIEW, title="Same law again"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            moderator_client,
            "merge_selected",
            [duplicate, target],
            post="yes",
            target=target.pk,
            note="Duplicate",
        )

    assert messages_of(response) == ["1 proposal merged into “Cross-border law”."]
    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, target)
    assert target.status == Status.UNDER_REVIEW
    assert duplicate.events.last().note == "Duplicate"
    assert [m.subject for m in mail.outbox] == [
        "Your proposal “Same law again” has been merged with another one"
    ]


def test_merge_into_another_sessions_proposal_by_forged_target_is_refused(
    moderator_client, proposals
):
    proposal = proposals["under_review"]

    response = run_action(
        moderator_client,
        "merge_selected",
        [proposal],
        post="yes",
        target=proposals["elsewhere"].pk,
    )

    assertContains(response, "Select a valid choice")
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW


def test_merge_across_sessions_is_refused_with_a_message(superuser_client, proposals):
    response = run_action(
        superuser_client, "merge_selected", [proposals["under_review"], proposals["elsewhere"]]
    )

    assertRedirects(response, CHANGELIST, fetch_redirect_response=False)
    assert messages_of(response) == ["Select proposals of one session to merge them."]


def test_script_in_a_proposal_is_escaped_on_the_confirmation_page(moderator_client, scripted):
    response = run_action(moderator_client, "reject_selected", [scripted])

    assertContains(response, f"“{ESCAPED}”")
    assertNotContains(response, SCRIPT)
