"""The personal agenda (proposals/agenda.py): stars without JavaScript, /agenda/ in time order,
the private calendar address that follows changes and can be replaced."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from proposals.agenda import AgendaAddress, AgendaEntry
from tests.factories import make_session
from tests.sessions.html import parse

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def star_url(session):
    return f"/sessions/{session.slug}/star/"


def unstar_url(session):
    return f"/sessions/{session.slug}/unstar/"


def starred(user):
    return [entry.session.title for entry in AgendaEntry.objects.of(user).order_by("pk")]


def feed_url(client):
    """The private calendar address as the agenda page shows it, without the host."""
    page = parse(client.get("/agenda/").content.decode())
    return (
        page.find("input", class_="agenda-feed-url")
        .attrs["value"]
        .removeprefix("http://testserver")
    )


def events(response):
    return Calendar.from_ical(response.content).walk("VEVENT")


def agenda_titles(client):
    page = parse(client.get("/agenda/").content.decode())
    return [item.find("a").text for item in page.find_all("li", class_="agenda-item")]


def star_buttons(response):
    """(form action or link, button text) of every star on a page."""
    page = parse(response.content.decode())
    stars = []
    for element in page.find_all(class_="agenda-star"):
        target = element.attrs.get("action") or element.attrs.get("href")
        stars.append((target, element.text))
    return stars


def test_star_adds_the_session_and_goes_back_to_next(participant_client, participant, session):
    response = participant_client.post(star_url(session), {"next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert starred(participant) == [session.title]


def test_star_twice_keeps_one_entry_and_unstar_removes_it(participant_client, participant, session):
    participant_client.post(star_url(session))
    participant_client.post(star_url(session))
    assert starred(participant) == [session.title]

    response = participant_client.post(unstar_url(session), {"next": "/agenda/"})

    assert response["Location"] == "/agenda/"
    assert starred(participant) == []


def test_star_with_a_foreign_next_goes_to_the_session_page(
    participant_client, participant, session
):
    response = participant_client.post(star_url(session), {"next": "https://evil.example/"})

    assert response["Location"] == session.get_absolute_url()


def test_star_without_csrf_token_is_refused(participant, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post(star_url(session))

    assert response.status_code == 403
    assert starred(participant) == []


def test_star_by_get_changes_nothing(participant_client, participant, session):
    response = participant_client.get(star_url(session))

    assert response.status_code == 405
    assert starred(participant) == []


def test_unpublished_session_cannot_be_starred(participant_client, participant, forum):
    hidden = make_session(forum, is_published=False)

    response = participant_client.post(star_url(hidden))

    assert response.status_code == 404
    assert starred(participant) == []


def test_anonymous_star_is_a_link_to_log_in_and_come_back(client, session):
    page = client.get(session.get_absolute_url())
    programme = client.get("/")

    assert star_buttons(page) == [
        (f"/accounts/login/?next=/sessions/{session.slug}/", "☆ Add to my agenda")
    ]
    assert star_buttons(programme) == [("/accounts/login/?next=/", "☆ Add to my agenda")]


def test_anonymous_post_to_star_goes_to_log_in_with_the_page_to_come_back_to(client, session):
    response = client.post(star_url(session), {"next": "/"})

    assert response["Location"] == "/accounts/login/?next=/"


def test_anonymous_pages_with_stars_are_the_same_bytes_for_everyone(session):
    first = Client().get("/")
    second = Client().get("/")

    assert first.content == second.content
    assert not first.cookies


def test_signed_in_pages_show_the_visitors_own_stars(
    participant_client, another_participant_client, session, other_session
):
    participant_client.post(star_url(session))

    programme = participant_client.get("/")
    page = participant_client.get(session.get_absolute_url())
    others = another_participant_client.get("/")

    assert star_buttons(programme) == [
        (unstar_url(session), "★ In my agenda (remove)"),
        (star_url(other_session), "☆ Add to my agenda"),
    ]
    assert star_buttons(page) == [(unstar_url(session), "★ In my agenda (remove)")]
    assert star_buttons(others) == [
        (star_url(session), "☆ Add to my agenda"),
        (star_url(other_session), "☆ Add to my agenda"),
    ]


def test_a_star_changes_the_pages_etag(participant_client, session):
    before = participant_client.get(session.get_absolute_url())
    participant_client.post(star_url(session))

    after = participant_client.get(session.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert star_buttons(after) == [(unstar_url(session), "★ In my agenda (remove)")]


def test_agenda_lists_starred_published_sessions_in_time_order(
    participant_client, participant, forum
):
    late = make_session(forum, title="Late", starts_at=datetime(2019, 10, 29, 15, tzinfo=MOSCOW))
    early = make_session(forum, title="Early", starts_at=datetime(2019, 10, 28, 9, tzinfo=MOSCOW))
    hidden = make_session(forum, title="Hidden")
    make_session(forum, title="Not starred")
    for session in (late, early, hidden):
        participant_client.post(star_url(session))
    hidden.is_published = False
    hidden.save()

    assert agenda_titles(participant_client) == ["Early", "Late"]


def test_agenda_needs_a_login(client):
    response = client.get("/agenda/")

    assert response["Location"] == "/accounts/login/?next=/agenda/"


def test_another_participants_agenda_is_unreachable(
    participant_client, another_participant_client, session
):
    participant_client.post(star_url(session))
    mine = feed_url(participant_client)

    assert agenda_titles(another_participant_client) == []
    theirs = feed_url(another_participant_client)
    assert theirs != mine
    assert events(Client().get(theirs)) == []


def test_private_feed_follows_a_time_and_room_change(participant_client, client, session):
    participant_client.post(star_url(session))
    url = feed_url(participant_client)
    [before] = events(client.get(url))

    session.starts_at = datetime(2019, 10, 29, 12, 0, tzinfo=MOSCOW)
    session.ends_at = session.starts_at + timedelta(hours=1, minutes=30)
    session.room = "5.B1"
    session.save()
    response = client.get(url)
    [after] = events(response)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert str(after["UID"]) == str(before["UID"])
    assert (after.decoded("DTSTART"), after.decoded("DTEND"), str(after["LOCATION"])) == (
        datetime(2019, 10, 29, 12, 0, tzinfo=MOSCOW),
        datetime(2019, 10, 29, 13, 30, tzinfo=MOSCOW),
        "Room 5.B1, Saint Petersburg",
    )
    assert str(after["DESCRIPTION"]).startswith("Moderator: Didenko Aleksei\n")


def test_private_feed_answers_304_to_a_current_copy(participant_client, client, session):
    participant_client.post(star_url(session))
    url = feed_url(participant_client)
    first = client.get(url)

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")


def test_new_address_revokes_the_old_one(participant_client, participant, client, session):
    participant_client.post(star_url(session))
    old = feed_url(participant_client)

    response = participant_client.post("/agenda/new-address/")
    new = feed_url(participant_client)

    assert response["Location"] == "/agenda/"
    assert new != old
    assert client.get(old).status_code == 404
    assert [str(event["SUMMARY"]) for event in events(client.get(new))] == [session.title]
    assert new == AgendaAddress.objects.get(user=participant).get_absolute_url()


def test_wrong_token_is_404(client, participant_client):
    feed_url(participant_client)

    response = client.get("/agenda/not-the-secret/calendar.ics")

    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


@pytest.mark.parametrize("count", [1, 3])
def test_agenda_page_and_feed_queries_do_not_grow_with_the_stars(
    participant_client, client, forum, count, django_assert_num_queries
):
    for _ in range(count):
        participant_client.post(star_url(make_session(forum)))
    url = feed_url(participant_client)

    # Session and user; the address; the forum (navigation); the sessions; the stars.
    with django_assert_num_queries(6):
        participant_client.get("/agenda/")
    # The address with its user; the sessions, then participations, organisers, materials.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(events(response)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_signed_in_programme_queries_do_not_grow_with_the_stars(
    participant_client, forum, count, django_assert_num_queries
):
    sessions = [make_session(forum) for _ in range(count)]
    for session in sessions:
        participant_client.post(star_url(session))
    participant_client.get("/")  # the fragments are cached

    # Session and user, the programme version, the stars: no programme query (the fragments).
    with django_assert_num_queries(4):
        response = participant_client.get("/")
    assert [text for _target, text in star_buttons(response)] == ["★ In my agenda (remove)"] * count


def test_russian_star_and_agenda(participant_client, session):
    participant_client.post(star_url(session))

    page = participant_client.get(session.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru")
    agenda = parse(participant_client.get("/agenda/", HTTP_ACCEPT_LANGUAGE="ru").content.decode())

    assert star_buttons(page) == [(unstar_url(session), "★ В моём расписании (убрать)")]
    assert agenda.find("h1").text == "Моё расписание"
