"""Bad input in a participant's proposal pages: ids in their URLs, the proposal form.

The strategies and the property: tests/bad_input.py.
"""

import uuid

from django.urls import reverse
from hypothesis import assume, example, given
from hypothesis import strategies as st

from proposals.models import Proposal, ProposalEvent
from tests.bad_input import (
    FAST,
    assert_404_page,
    assert_refused_with_reason,
    has_nul,
    in_path,
    is_pk,
    malformed_id,
    nasty_text,
    raw_bytes,
    raw_query,
    statuses,
)
from tests.factories import make_proposal

Status = Proposal.Status

# --- Proposal URLs with ids ------------------------------------------------------------------


@FAST
@given(pk=malformed_id)
def test_proposal_urls_malformed_or_foreign_id_show_404_and_change_nothing(
    participant_client, participant, session, another_participant, pk
):
    make_proposal(session, participant, title="Own draft")
    foreign = make_proposal(session, another_participant, status=Status.SUBMITTED)
    # Examples share the test's database: earlier examples' drafts are the participant's too.
    own_pks = Proposal.objects.filter(author=participant).values_list("pk", flat=True)
    assume(not any(is_pk(pk, own_pk) for own_pk in own_pks))
    before, events = statuses(), ProposalEvent.objects.count()

    for candidate in (pk, str(foreign.pk)):
        for url in (f"/proposals/{in_path(candidate)}/", f"/proposals/{in_path(candidate)}/edit/"):
            assert_404_page(participant_client.get(url))
        for url in (
            f"/proposals/{in_path(candidate)}/edit/",
            f"/proposals/{in_path(candidate)}/submit/",
            f"/proposals/{in_path(candidate)}/withdraw/",
        ):
            assert_404_page(participant_client.post(url, {"title": "Taken over", "submit": "1"}))

    assert statuses() == before
    assert ProposalEvent.objects.count() == events
    assert not Proposal.objects.filter(title="Taken over").exists()


# --- The proposal form ----------------------------------------------------------------------

addressee = st.one_of(st.sampled_from(Proposal.Addressee.values), nasty_text)
token = st.one_of(st.uuids().map(str), nasty_text)
button = st.sampled_from([{"submit": "Submit"}, {"save_draft": "Save draft"}, {}])


def assert_create_outcome(response, before, events, data):
    """A new proposal stored exactly once, the same one found again, or a refusal with reasons."""
    if response.status_code == 302:
        new = Proposal.objects.exclude(pk__in=before).order_by("pk")
        if not new:  # the token of an earlier example: "already reached us", not stored twice
            existing = Proposal.objects.get(submission_token=uuid.UUID(data["submission_token"]))
            assert response["Location"] == existing.get_absolute_url()
            assert ProposalEvent.objects.count() == events
            return
        [proposal] = new
        assert proposal.title == data["title"].strip()
        if "submit" in data:
            assert proposal.status == Status.SUBMITTED
            assert response["Location"] == proposal.get_absolute_url()
            assert ProposalEvent.objects.count() == events + 1
        else:
            assert proposal.status == Status.DRAFT
            assert response["Location"] == reverse("proposals:edit", args=[proposal.pk])
            assert ProposalEvent.objects.count() == events
        return
    errors = assert_refused_with_reason(response, response.context["form"])
    assert set(Proposal.objects.values_list("pk", flat=True)) == before
    assert ProposalEvent.objects.count() == events
    if has_nul(data["title"], data["wording"], data["rationale"]):
        assert "Null characters are not allowed." in errors


@FAST
@given(
    title=nasty_text,
    wording=nasty_text,
    rationale=nasty_text,
    addressee=addressee,
    token=token,
    button=button,
)
# Was refused with an error on the hidden field, which the participant never sees.
@example(title="T", wording="W", rationale="R", addressee="municipal", token="\x00", button={})
def test_proposal_create_any_text_stores_once_or_explains(
    participant_client, session, title, wording, rationale, addressee, token, button
):
    before = set(Proposal.objects.values_list("pk", flat=True))
    events = ProposalEvent.objects.count()
    data = {
        "title": title,
        "wording": wording,
        "rationale": rationale,
        "addressee": addressee,
        "submission_token": token,
        **button,
    }

    response = participant_client.post(f"/sessions/{session.slug}/proposals/new/", data)

    assert_create_outcome(response, before, events, data)


@FAST
@given(title=raw_bytes, wording=raw_bytes, token=raw_bytes)
def test_proposal_create_raw_bytes_body_stores_once_or_explains(
    participant_client, session, title, wording, token
):
    before = set(Proposal.objects.values_list("pk", flat=True))
    events = ProposalEvent.objects.count()
    body = raw_query(title=title, wording=wording, rationale=b"Because", submission_token=token)

    response = participant_client.post(
        f"/sessions/{session.slug}/proposals/new/",
        body + "&addressee=municipal&save_draft=1",
        content_type="application/x-www-form-urlencoded",
    )

    # What the view read, after Django replaced the bytes that are not UTF-8.
    data = response.wsgi_request.POST.dict()
    assert_create_outcome(response, before, events, data)


@FAST
@given(
    title=nasty_text,
    wording=nasty_text,
    rationale=nasty_text,
    addressee=addressee,
    button=button,
)
def test_proposal_edit_any_text_saves_exactly_or_changes_nothing(
    participant_client, session, participant, title, wording, rationale, addressee, button
):
    proposal = make_proposal(session, participant, title="Before")
    fields = ("title", "wording", "rationale", "addressee", "status")
    stored = {name: getattr(proposal, name) for name in fields}
    data = {"title": title, "wording": wording, "rationale": rationale, "addressee": addressee}

    response = participant_client.post(f"/proposals/{proposal.pk}/edit/", {**data, **button})

    proposal.refresh_from_db()
    if response.status_code == 302:
        assert proposal.title == title.strip()
        assert proposal.wording == wording.strip()
        assert response["Location"] in (
            proposal.get_absolute_url(),
            reverse("proposals:edit", args=[proposal.pk]),
        )
    else:
        errors = assert_refused_with_reason(response, response.context["form"])
        assert {name: getattr(proposal, name) for name in fields} == stored
        if has_nul(title, wording, rationale):
            assert "Null characters are not allowed." in errors
