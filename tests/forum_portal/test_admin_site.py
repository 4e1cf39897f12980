import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal
from tests.factories import (
    add_participation,
    make_person,
    make_proposal,
    make_session,
    make_user,
)


def test_admin_pages_carry_the_portal_name_for_moderators(moderator_client, moderator):
    response = moderator_client.get("/admin/")
    assert Group.objects.filter(name="Moderators", user=moderator).exists()
    assert "<title>Proposals and programme | Forum Portal moderation</title>" in response.text
    assert "Forum Portal · moderation" in response.text
    assert "Django administration" not in response.text


# --- "View on site" (/admin/r/<type>/<id>/) shows only what the admin shows this user ---------


def on_site(obj):
    """Where "view on site" leads: the object's page, as an absolute URL."""
    return f"http://testserver{obj.get_absolute_url()}"


def view_on_site(client, obj):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(f"/admin/r/{content_type.pk}/{obj.pk}/")


def assert_404_page(response, *hidden):
    assertContains(response, "There is no page at this address", status_code=404)
    for text in hidden:
        assertNotContains(response, text, status_code=404)


@pytest.fixture
def unpublished(forum):
    return make_session(
        forum, title="Closed rehearsal", slug="closed-rehearsal", is_published=False
    )


@pytest.fixture
def clerk(client, db):
    """Staff who may view sessions and people in the admin, not change them."""
    clerk = make_user("clerk@example.org", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=("view_session", "view_person"))
    )
    client.force_login(clerk)
    return clerk


def test_view_on_site_tells_a_moderator_nothing_of_proposals_existing_or_not(
    client, moderator, session, participant
):
    own = make_proposal(session, participant, status=Proposal.Status.SUBMITTED)
    client.force_login(moderator)

    content_type = ContentType.objects.get_for_model(Proposal).pk

    # The same answer for the moderator's own session's proposal and for no proposal at all.
    assert_404_page(view_on_site(client, own))
    assert_404_page(client.get(f"/admin/r/{content_type}/{own.pk + 1000}/"))


def test_view_on_site_hides_unpublished_sessions_from_a_moderator(
    moderator_client, session, unpublished
):
    assert_404_page(view_on_site(moderator_client, unpublished), "closed-rehearsal")
    # Sessions are not in a moderator's admin at all, published or not.
    assert_404_page(view_on_site(moderator_client, session), session.slug)


def test_view_on_site_for_view_only_staff_leads_to_published_pages_only(
    client, clerk, session, unpublished
):
    speaker = add_participation(session).person
    offstage = make_person("Hidden", slug="hidden-person")

    assertRedirects(view_on_site(client, session), on_site(session), fetch_redirect_response=False)
    assertRedirects(view_on_site(client, speaker), on_site(speaker), fetch_redirect_response=False)
    assert_404_page(view_on_site(client, unpublished), "closed-rehearsal")
    assert_404_page(view_on_site(client, offstage), "hidden-person")


def test_view_on_site_for_a_superuser_leads_to_unpublished_pages_too(superuser_client, unpublished):
    response = view_on_site(superuser_client, unpublished)

    assertRedirects(response, on_site(unpublished), fetch_redirect_response=False)


# --- Autocomplete searches refuse bad input like the lists ------------------------------------


def autocomplete_people(client, term):
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": term,
            "app_label": "forum_sessions",
            "model_name": "participation",
            "field_name": "person",
        },
    )
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize("term", ["\x00", "Didenko\x00", "\x00Didenko"])
def test_autocomplete_search_with_a_nul_finds_nothing_instead_of_failing(
    superuser_client, session, term
):
    """On PostgreSQL a NUL in the search was a server error (a NUL cannot be in a query)."""
    assert autocomplete_people(superuser_client, term) == []
    assert autocomplete_people(superuser_client, "Didenko") == ["Didenko Aleksei"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/group/?name=%00",
        "/admin/django_tasks_database/dbtaskresult/?status__exact=%00",
        "/admin/django_tasks_database/dbtaskresult/?queue_name=%00",
    ],
)
def test_admins_of_other_apps_refuse_a_nul_in_a_filter_as_ours_do(superuser_client, url):
    """Django's and django-tasks-db's admins: on PostgreSQL a NUL in a filter was a server error.

    Refused as Django refuses any bad filter: back to the whole list with ?e=1.
    """
    response = superuser_client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?e=1")
