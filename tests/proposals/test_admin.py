import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal, ProposalEvent
from tests.factories import make_proposal, make_user

Status = Proposal.Status
CHANGELIST = "/admin/proposals/proposal/"


def change_url(proposal):
    return reverse("admin:proposals_proposal_change", args=[proposal.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    """The titles the changelist shows, in order."""
    return [proposal.title for proposal in response.context["cl"].result_list]


def run_action(client, action, proposals, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in proposals], **extra},
    )


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


# --- Who sees what --------------------------------------------------------------------------


def test_changelist_shows_only_the_moderators_sessions_without_drafts(moderator_client, proposals):
    response = moderator_client.get(CHANGELIST)

    assert sorted(listed(response)) == ["Border fund", "Cross-border law", "Twin towns programme"]
    assertNotContains(response, "Spatial plan secret")
    assertNotContains(response, "Unsent draft")
    # The session filter offers only the moderator's own session.
    assertNotContains(response, "Spatial Development")


def test_changelist_for_superuser_shows_every_session(superuser_client, proposals):
    response = superuser_client.get(CHANGELIST)

    assert sorted(listed(response)) == [
        "Border fund",
        "Cross-border law",
        "Spatial plan secret",
        "Twin towns programme",
    ]


def test_changelist_columns_show_status_session_author_and_organisation(
    moderator_client, session, participant
):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Twin towns")

    response = moderator_client.get(CHANGELIST)

    assertContains(
        response,
        f'<th class="field-title"><a href="{change_url(proposal)}">Twin towns</a></th>',
        html=True,
    )
    assertContains(response, '<td class="field-status">Submitted</td>', html=True)
    assertContains(response, f'<td class="field-session nowrap">{session.title}</td>', html=True)
    assertContains(response, '<td class="field-author nowrap">Petrova Anna</td>', html=True)
    assertContains(
        response, '<td class="field-author_organisation">Pskov City Administration</td>', html=True
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Petrova", ["Border fund", "Twin towns programme"]),
        ("oleg.smirnov@example.org", ["Cross-border law"]),
        ("twin", ["Twin towns programme"]),
        ("Spatial", []),
    ],
)
def test_changelist_search_by_title_and_author(moderator_client, proposals, query, expected):
    response = moderator_client.get(CHANGELIST, {"q": query})

    assert sorted(listed(response)) == expected


def test_changelist_filters_by_status(moderator_client, proposals):
    response = moderator_client.get(CHANGELIST, {"status__exact": Status.UNDER_REVIEW})

    assert listed(response) == ["Cross-border law"]


@pytest.mark.parametrize("count", [1, 3])
def test_changelist_query_count_does_not_grow_with_proposals(
    moderator_client, session, participant, django_assert_num_queries, count
):
    for _ in range(count):
        make_proposal(session, make_user(organisation="Org"), status=Status.SUBMITTED)

    with django_assert_num_queries(10):
        response = moderator_client.get(CHANGELIST)

    assert len(listed(response)) == count


def test_change_page_of_another_sessions_proposal_is_refused(moderator_client, proposals):
    elsewhere = proposals["elsewhere"]

    response = moderator_client.get(change_url(elsewhere))

    assertRedirects(response, reverse("admin:index"))
    assert messages_of(response) == [
        f"proposal with ID “{elsewhere.pk}” doesn’t exist. Perhaps it was deleted?"
    ]
    followed = moderator_client.get(reverse("admin:index"))
    assertNotContains(followed, "Spatial plan secret")
    assertNotContains(followed, "Internal to Spatial Development")


def test_history_page_of_another_sessions_proposal_is_refused(moderator_client, proposals):
    response = moderator_client.get(
        reverse("admin:proposals_proposal_history", args=[proposals["elsewhere"].pk])
    )

    assertRedirects(response, reverse("admin:index"))


def test_posting_to_another_sessions_proposal_changes_nothing(moderator_client, proposals):
    elsewhere = proposals["elsewhere"]

    response = moderator_client.post(
        change_url(elsewhere),
        {
            "public_answer": "Hijacked",
            "moderator_note": "",
            "edited_wording": "",
            "_move": "accept",
        },
    )

    assertRedirects(response, reverse("admin:index"))
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.UNDER_REVIEW
    assert elsewhere.public_answer == ""
    assert elsewhere.events.count() == 2


def test_bulk_action_on_another_sessions_proposal_does_nothing(other_moderator_client, proposals):
    mine = proposals["under_review"]

    response = run_action(other_moderator_client, "accept_selected", [mine], post="yes")

    assertRedirects(response, CHANGELIST, fetch_redirect_response=False)
    mine.refresh_from_db()
    assert mine.status == Status.UNDER_REVIEW
    assert mine.events.count() == 2
    assert mail.outbox == []


def test_add_page_is_closed_to_everyone(client, superuser, moderator):
    client.force_login(moderator)
    assert client.get("/admin/proposals/proposal/add/").status_code == 403
    client.force_login(superuser)
    assert client.get("/admin/proposals/proposal/add/").status_code == 403


def test_user_admin_is_closed_to_moderators(moderator_client, participant):
    for url in (
        "/admin/proposals/user/",
        f"/admin/proposals/user/{participant.pk}/change/",
        f"/admin/proposals/user/{participant.pk}/password/",
        "/admin/auth/group/",
    ):
        response = moderator_client.get(url)
        assert response.status_code == 403, url
        assertNotContains(response, "anna.petrova@example.org", status_code=403)

    index = moderator_client.get(reverse("admin:index"))
    assertNotContains(index, "/admin/proposals/user/")
    assertNotContains(index, "/admin/auth/group/")
    assertContains(index, CHANGELIST)


def test_staff_with_user_rights_cannot_make_anyone_superuser(client, participant):
    clerk = make_user("clerk@example.org", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__in=("view_user", "change_user")))
    client.force_login(clerk)

    response = client.post(
        f"/admin/proposals/user/{clerk.pk}/change/",
        {
            "email": "clerk@example.org",
            "surname": clerk.surname,
            "first_name": "Anna",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    assertRedirects(response, "/admin/proposals/user/", fetch_redirect_response=False)
    clerk.refresh_from_db()
    assert clerk.is_superuser is False
    assert list(clerk.groups.all()) == []


# --- The change page --------------------------------------------------------------------------


def form_data(page):
    """What a browser sends from a change page: its fields as shown, hidden ones included."""
    form = page.context["adminform"].form
    sent = {field.html_name: field.value() or "" for field in form}
    for inline in page.context["inline_admin_formsets"]:
        for inline_form in (inline.formset.management_form, *inline.formset.forms):
            for field in inline_form.hidden_fields():
                sent[field.html_name] = field.value()
    return sent


def edit(client, proposal, **data):
    """Open the change page and post it as a browser does, with our edits."""
    page = client.get(change_url(proposal))
    return client.post(change_url(proposal), {**form_data(page), **data})


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


@pytest.fixture
def superuser_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


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
    moderator_client, superuser, superuser_client, proposals, django_capture_on_commit_callbacks
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


# --- Bulk actions -----------------------------------------------------------------------------


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


def test_action_post_without_csrf_token_is_refused(moderator, proposals):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    proposal = proposals["under_review"]

    response = run_action(client, "accept_selected", [proposal], post="yes")

    assertContains(response, "CSRF verification failed", status_code=403)
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW


def test_change_page_post_without_csrf_token_is_refused(moderator, proposals):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    proposal = proposals["under_review"]

    response = client.post(
        change_url(proposal),
        {
            "public_answer": "Forged",
            "_move": "reject",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assertContains(response, "CSRF verification failed", status_code=403)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.public_answer) == (Status.UNDER_REVIEW, "")


# --- Escaping -----------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


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


def test_script_in_a_proposal_is_escaped_in_the_changelist(moderator_client, scripted):
    response = moderator_client.get(CHANGELIST)

    assertContains(response, ESCAPED)
    assertContains(response, "&lt;b&gt;Org&lt;/b&gt;")
    assertNotContains(response, SCRIPT)
    assertNotContains(response, "<b>Org</b>")


def test_script_in_a_proposal_is_escaped_on_the_change_page(moderator_client, scripted):
    response = moderator_client.get(change_url(scripted))

    assertContains(response, f"Wording {ESCAPED}")
    assertContains(response, f"Rationale {ESCAPED}")
    assertNotContains(response, SCRIPT)


def test_script_in_a_proposal_is_escaped_on_the_confirmation_page(moderator_client, scripted):
    response = run_action(moderator_client, "reject_selected", [scripted])

    assertContains(response, f"“{ESCAPED}”")
    assertNotContains(response, SCRIPT)
