"""Text written while the login expired: kept for the visitor until they log in again."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from proposals.models import Proposal
from tests.factories import make_proposal, make_user, proposal_data

Status = Proposal.Status


def create_url(session):
    return reverse("proposals:create", kwargs={"slug": session.slug})


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_create_expired_login_keeps_the_text_for_after_login(client, session, settings):
    make_user("olga@example.org", password="a-long-passphrase-1")
    data = proposal_data(title="Kept title", wording="Kept wording.", submit="Submit")

    response = client.post(create_url(session), data)

    assertRedirects(
        response,
        f"{reverse('login')}?next={create_url(session)}",
        fetch_redirect_response=False,
    )
    assert not Proposal.objects.exists()
    login_page = client.get(response.url)
    assert messages_of(login_page) == [
        "Your login has expired. Log in again: the text you wrote has been kept."
    ]

    logged_in = client.post(
        response.url,
        {"username": "olga@example.org", "password": "a-long-passphrase-1"},
    )
    assertRedirects(logged_in, create_url(session), fetch_redirect_response=False)

    form_page = client.get(create_url(session))
    form = form_page.context["form"]
    assert not form.is_bound
    assert {
        name: form.initial[name] for name in ("title", "wording", "rationale", "addressee")
    } == {
        "title": "Kept title",
        "wording": "Kept wording.",
        "rationale": "Approval now takes up to a year.",
        "addressee": "government",
    }
    assert form.initial["submission_token"] == data["submission_token"]
    assertContains(form_page, 'value="Kept title"')
    assertContains(form_page, "Kept wording.")
    assert messages_of(form_page) == [
        "We kept the text you wrote before you had to log in again. Check it and send it."
    ]
    # Shown once: the next visit is a fresh form.
    again = client.get(create_url(session))
    assert "title" not in again.context["form"].initial


def test_edit_expired_login_keeps_the_changed_text(client, participant, session):
    proposal = make_proposal(session, participant, status=Status.SUBMITTED, title="Before")
    edit_url = reverse("proposals:edit", kwargs={"pk": proposal.pk})

    response = client.post(edit_url, proposal_data(title="After", save_draft="Save changes"))

    assertRedirects(response, f"{reverse('login')}?next={edit_url}", fetch_redirect_response=False)
    client.force_login(participant)
    form_page = client.get(edit_url)
    assertContains(form_page, 'value="After"')
    proposal.refresh_from_db()
    assert proposal.title == "Before"
