"""Bad input in the admin: changelist queries, bulk actions, object URLs, exports, the change page.

The strategies and the property: tests/bad_input.py.
"""

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from proposals.models import Proposal, ProposalEvent, User
from tests.bad_input import (
    FAST,
    MALFORMED_IDS,
    admin_reads_as,
    assert_404_page,
    assert_refused_with_reason,
    has_nul,
    in_path,
    is_pk,
    malformed_id,
    messages_of,
    nasty_text,
    raw_bytes,
    raw_query,
    statuses,
    without_old_messages,
)
from tests.factories import make_proposal

Status = Proposal.Status


@pytest.fixture
def moderation(session, other_session, participant, another_participant, moderator):
    """Proposals in the moderator's session and one in another, under review."""
    return {
        "submitted": make_proposal(session, participant, status=Status.SUBMITTED, title="Mine"),
        "under_review": make_proposal(
            session, another_participant, status=Status.UNDER_REVIEW, by=moderator
        ),
        "elsewhere": make_proposal(
            other_session,
            participant,
            status=Status.UNDER_REVIEW,
            title="Spatial plan secret",
        ),
    }


# --- The admin: changelist queries, bulk actions, object URLs, exports ----------------------

CHANGELIST = "/admin/proposals/proposal/"
changelist_param = st.sampled_from(
    [
        "o",
        "p",
        "e",
        "all",
        "status__exact",
        "addressee__exact",
        "session__id__exact",
        "submitted_at__year",
        "submitted_at__month",
        "submitted_at__day",
        "author__password__startswith",
        "_to_field",
    ]
)


@FAST
@given(
    q=nasty_text,
    params=st.dictionaries(changelist_param, st.one_of(malformed_id, nasty_text), max_size=3),
)
# Each of these was a server error before forum_portal/admin.py.
@example(q="x" * 100_000, params={})  # SQLite: "LIKE or GLOB pattern too complex"
@example(q="", params={"submitted_at__year": str(2**70)})  # OverflowError in datetime()
@example(q="", params={"addressee__exact": "a\x00"})  # PostgreSQL refuses NUL characters
def test_admin_changelist_any_query_shows_moderators_list(client, moderator, moderation, q, params):
    client.force_login(moderator)

    response = client.get(CHANGELIST, {"q": q, **params}, follow=True)

    if response.status_code == 400:  # a lookup the admin refuses outright (password, _to_field)
        assert set(params) & {"author__password__startswith", "_to_field"}
        return
    if "e" in params and response.context.get("title") == "Database error":
        # Django's answer to a bad filter on a URL already marked ?e=…: no list at all.
        assertContains(response, "Something’s wrong with your database installation.")
        return
    assertContains(response, "Select proposal to change")
    # Whatever the query, never another session's proposal.
    assert "Spatial plan secret" not in response.content.decode()
    if "\x00" in q and not response.redirect_chain:
        assert "Null characters are not allowed." in messages_of(response)
    elif len(q) > 200 and not response.redirect_chain:
        assert "Only the first 200 characters of the search were used." in messages_of(response)


@FAST
@given(q=raw_bytes)
def test_admin_changelist_raw_bytes_search_shows_list(client, moderator, moderation, q):
    client.force_login(moderator)

    response = client.get(CHANGELIST + "?" + raw_query(q=q), follow=True)

    assertContains(response, "Select proposal to change")
    assert "Spatial plan secret" not in response.content.decode()


ACTIONS = [
    "take_up_selected",
    "accept_selected",
    "reject_selected",
    "merge_selected",
    "export_csv",
    "export_docx",
    "delete_selected",
]
NOT_A_KEY = [value for value in MALFORMED_IDS if value not in ("-1", "0", " 1", "١", "1;")]


@FAST
@given(
    action=st.one_of(st.sampled_from(ACTIONS), nasty_text),
    bad=st.lists(st.one_of(st.sampled_from(NOT_A_KEY), nasty_text), min_size=1, max_size=3),
    with_real=st.booleans(),
    index=st.one_of(st.just("0"), malformed_id),
    post=st.sampled_from(["yes", "no", ""]),
    note=nasty_text,
)
@example(  # was a server error: "Field 'id' expected a number"
    action="accept_selected", bad=["1e9"], with_real=True, index="0", post="yes", note=""
)
def test_admin_action_malformed_selection_changes_nothing(
    client, moderator, moderation, action, bad, with_real, index, post, note
):
    without_old_messages(client).force_login(moderator)
    # At least one value that is no primary key at all (not a whole number in range).
    assume(any(not (v.strip().lstrip("-").isdigit() and abs(int(v)) < 2**63) for v in bad))
    selected = [*bad, *([str(moderation["submitted"].pk)] if with_real else [])]
    before, events = statuses(), ProposalEvent.objects.count()

    response = client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": selected,
            "index": index,
            "post": post,
            "note": note,
            "target": selected[0],
        },
    )

    assert statuses() == before
    assert ProposalEvent.objects.count() == events
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert messages_of(response) in (
        ["The selection was not understood. No items have been changed."],
        ["No action selected."],
    )


@FAST
@given(
    action=st.sampled_from(ACTIONS),
    ids=st.lists(st.sampled_from(["-1", "0", " 1", "١", str(2**62)]), min_size=1, max_size=3),
    note=nasty_text,
)
def test_admin_action_other_sessions_ids_change_nothing(
    client, moderator, moderation, action, ids, note
):
    """Ids that parse but are not the moderator's: another session's proposal, none at all."""
    client.force_login(moderator)
    elsewhere = moderation["elsewhere"]
    selected = [*ids, str(elsewhere.pk)]
    before, history = statuses(), ProposalEvent.objects.filter(proposal=elsewhere).count()

    response = client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": selected,
            "index": "0",
            "post": "yes",
            "note": note,
            "target": str(elsewhere.pk),
        },
        follow=True,
    )

    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.UNDER_REVIEW
    assert ProposalEvent.objects.filter(proposal=elsewhere).count() == history
    if action != "delete_selected":
        assert statuses() == before or " 1" in ids or "١" in ids
    assert Proposal.objects.filter(pk=elsewhere.pk).exists()
    # A CSV export or a page: never another session's proposal.
    assert b"Spatial plan secret" not in response.content


@FAST
@given(pk=malformed_id, suffix=st.sampled_from(["change/", "history/", "delete/", ""]))
def test_admin_object_urls_unknown_id_say_it_does_not_exist(
    client, moderator, superuser, moderation, pk, suffix
):
    known = {p.pk for p in Proposal.objects.all()} | set(User.objects.values_list("pk", flat=True))
    assume(not admin_reads_as(pk, known))
    assume(pk.strip("/. ") and not pk.startswith("."))
    for user, url in (
        (moderator, f"/admin/proposals/proposal/{in_path(pk)}/{suffix}"),
        (superuser, f"/admin/proposals/user/{in_path(pk)}/{suffix}"),
        (superuser, f"/admin/forum_sessions/session/{in_path(pk)}/{suffix}"),
    ):
        client.force_login(user)
        response = client.get(url, follow=True)
        if response.status_code == 404:
            assert_404_page(response)
        elif response.status_code == 400:  # Django refuses to redirect to a URL this long
            assert len(url) > 2048
            assertContains(response, "Bad Request", status_code=400)
        elif response.status_code == 403:  # moderators may not delete proposals at all
            assert (user, suffix) == (moderator, "delete/")
            assertContains(response, "403 Forbidden", status_code=403)
        else:
            assert response.redirect_chain[-1][0] == "/admin/"
            assertContains(response, "doesn’t exist. Perhaps it was deleted?")


@FAST
@given(pk=malformed_id, kind=st.one_of(st.sampled_from(["csv", "docx"]), nasty_text))
def test_admin_export_urls_unknown_session_or_kind_show_404(
    client, moderator, session, other_session, pk, kind
):
    assume(not (is_pk(pk, session.pk) and kind in ("csv", "docx")))
    assume("/" not in pk + kind and pk.strip(". ") and kind.strip())
    client.force_login(moderator)

    url = f"/admin/proposals/proposal/export/{in_path(pk)}.{in_path(kind)}"
    response = client.get(url, follow=True)

    if response.status_code == 400:  # Django refuses to redirect to a URL this long
        assert len(url) > 2048
        assertContains(response, "Bad Request", status_code=400)
    elif response.redirect_chain:  # no export URL matched: the admin's catch-all
        assertContains(response, "doesn’t exist. Perhaps it was deleted?")
    else:
        assert_404_page(response)
    # Another session's export, with a valid kind, is a 404 too.
    assert_404_page(client.get(f"/admin/proposals/proposal/export/{other_session.pk}.csv"))


@FAST
@given(
    edited=nasty_text,
    note=nasty_text,
    answer=nasty_text,
    transition_note=nasty_text,
    move=st.one_of(st.sampled_from(["", "delete", "__class__", "save", "merge_into"]), nasty_text),
)
def test_admin_proposal_change_any_text_saves_exactly_or_changes_nothing(
    client, moderator, moderation, edited, note, answer, transition_note, move
):
    assume(move not in ("take_up", "accept", "reject"))
    without_old_messages(client).force_login(moderator)
    proposal = moderation["under_review"]
    proposal.refresh_from_db()
    fields = ("edited_wording", "moderator_note", "public_answer", "status")
    stored = {name: getattr(proposal, name) for name in fields}
    events = ProposalEvent.objects.count()

    response = client.post(
        f"/admin/proposals/proposal/{proposal.pk}/change/",
        {
            "edited_wording": edited,
            "moderator_note": note,
            "public_answer": answer,
            "transition_note": transition_note,
            "loaded_updated_at": proposal.updated_at.isoformat(),
            "_move": move,
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    proposal.refresh_from_db()
    assert ProposalEvent.objects.count() == events
    assert proposal.status == Status.UNDER_REVIEW
    if response.status_code == 302:
        assert response["Location"] == f"/admin/proposals/proposal/{proposal.pk}/change/"
        assert proposal.edited_wording == edited.strip()
        assert proposal.public_answer == answer.strip()
        assert messages_of(response) == ["Unknown status change."]
    else:
        errors = assert_refused_with_reason(response, response.context["adminform"].form)
        assert {name: getattr(proposal, name) for name in fields} == stored
        if has_nul(edited, note, answer, transition_note):
            assert "Null characters are not allowed." in errors
