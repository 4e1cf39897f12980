"""Text written while the login expired: kept for the visitor until they log in again."""

import random

from django.contrib.sessions.models import Session as StoredSession
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from proposals.models import Proposal
from proposals.pending import KEPT_PER_ADDRESS
from tests.factories import make_proposal, make_session, make_user, proposal_data

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


# --- What an anonymous visitor can make the server keep (issue 9, item 6) ----------------------


def stored_sessions():
    return list(StoredSession.objects.all())


def test_pending_text_one_per_visitor_the_latest(client, participant, session, other_session):
    client.post(create_url(session), proposal_data(title="For the first", submit="Submit"))
    client.post(create_url(other_session), proposal_data(title="For the other", submit="Submit"))

    client.force_login(participant)
    first = client.get(create_url(session))
    other = client.get(create_url(other_session))

    assert "title" not in first.context["form"].initial
    assert other.context["form"].initial["title"] == "For the other"
    assert len(stored_sessions()) == 1


def test_pending_text_is_cut_at_twice_each_limit(client, participant, session):
    rng = random.Random(9)
    cyrillic = [chr(code) for code in range(0x0410, 0x0450)]

    def text(n):
        return "".join(rng.choices(cyrillic, k=n))

    client.post(
        create_url(session),
        proposal_data(
            title=text(50_000),
            wording=text(50_000),
            rationale=text(50_000),
            addressee=text(50_000),
            submission_token=text(50_000),
            junk=text(50_000),
            submit="Submit",
        ),
    )

    [stored] = stored_sessions()
    assert len(stored.session_data) < 100_000
    client.force_login(participant)
    kept = client.get(create_url(session)).context["form"].initial
    assert {name: len(kept[name]) for name in ("title", "wording", "rationale", "addressee")} == {
        "title": 2 * Proposal.TITLE_MAX_LENGTH,
        "wording": 2 * Proposal.WORDING_MAX_LENGTH,
        "rationale": 2 * Proposal.RATIONALE_MAX_LENGTH,
        "addressee": 50,
    }
    assert "junk" not in kept


def test_pending_text_for_a_made_up_proposal_id_is_not_kept(client, db):
    url = reverse("proposals:edit", kwargs={"pk": 987654})

    response = client.post(url, proposal_data(title="Nowhere", save_draft="Save changes"))

    # The same answer as for a real proposal: the visitor learns nothing about which ids exist.
    assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)
    assert messages_of(client.get(response.url)) == [
        "Your login has expired. Log in again: the text you wrote has been kept."
    ]
    assert stored_sessions() == []


def test_pending_text_for_an_unpublished_session_is_not_kept(client, forum):
    hidden = make_session(forum, is_published=False)

    response = client.post(create_url(hidden), proposal_data(submit="Submit"))

    assert response.status_code == 404
    assert stored_sessions() == []


def test_pending_edit_text_comes_back_only_to_the_author(
    client, participant, another_participant, session
):
    theirs = make_proposal(session, another_participant, status=Status.SUBMITTED, title="Theirs")
    url = reverse("proposals:edit", kwargs={"pk": theirs.pk})
    client.post(url, proposal_data(title="Posted before login", save_draft="Save changes"))

    client.force_login(participant)
    response = client.get(url)

    assert response.status_code == 404
    assertNotContains(response, "Posted before login", status_code=404)
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_pending_texts_of_one_address_stop_at_the_hourly_cap(client, session):
    for n in range(KEPT_PER_ADDRESS + 3):
        client.cookies.clear()  # a script that sends no cookie makes a new session each time
        response = client.post(create_url(session), proposal_data(title=f"Text {n}"))

        assertRedirects(
            response,
            f"{reverse('login')}?next={create_url(session)}",
            fetch_redirect_response=False,
        )
    assert len(stored_sessions()) == KEPT_PER_ADDRESS
    other_address = client.post(
        create_url(session), proposal_data(title="From elsewhere"), REMOTE_ADDR="192.0.2.7"
    )
    assert other_address.status_code == 302
    assert len(stored_sessions()) == KEPT_PER_ADDRESS + 1
