"""The proposals admin: who sees and may change what; forged and cross-site requests."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal, make_user

from .admin_pages import CHANGELIST, change_url, listed, messages_of, run_action

Status = Proposal.Status
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


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


def test_script_in_a_proposal_is_escaped_in_the_changelist(moderator_client, scripted):
    response = moderator_client.get(CHANGELIST)

    assertContains(response, ESCAPED)
    assertContains(response, "&lt;b&gt;Org&lt;/b&gt;")
    assertNotContains(response, SCRIPT)
    assertNotContains(response, "<b>Org</b>")
