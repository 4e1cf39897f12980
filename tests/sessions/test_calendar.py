"""The calendars (sessions/calendar.py): parsed with icalendar, the seed round table's facts in
them, stable UIDs, only published sessions and confirmed people, served from the page cache."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from sessions.models import Participation, Session
from tests.factories import add_participation, make_person, make_session

from .html import parse

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
SITE = "https://forum.example.org"
SEED_URL = f"{SITE}/sessions/international-and-cross-border-intermunicipal-cooperation/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def events(response):
    """The VEVENTs of a calendar response, parsed by icalendar."""
    calendar = Calendar.from_ical(response.content)
    return [component for component in calendar.walk("VEVENT")]


def by_summary(response):
    return {str(event["SUMMARY"]): event for event in events(response)}


def test_session_calendar_carries_the_seed_round_table(client, demo):
    response = client.get(f"{demo.get_absolute_url()}calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="international-and-cross-border-intermunicipal-cooperation.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "International and Cross-Border Intermunicipal Cooperation"
    assert event.decoded("DTSTART") == datetime(2019, 10, 28, 17, 15, tzinfo=MOSCOW)
    assert event.decoded("DTEND") == datetime(2019, 10, 28, 19, 15, tzinfo=MOSCOW)
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert str(event["LOCATION"]) == "Room 4.G9, Saint Petersburg"
    assert str(event["URL"]) == SEED_URL
    assert str(event["UID"]) == f"session-{demo.pk}@forum.example.org"
    assert event.decoded("LAST-MODIFIED") == demo.updated_at
    assert event.decoded("DTSTAMP") == demo.updated_at


def test_session_calendar_describes_moderator_and_the_13_reporters(client, demo):
    reporters = [p.person.full_name for p in Session.objects.with_people().get(pk=demo.pk).speakers]

    [event] = events(client.get(f"{demo.get_absolute_url()}calendar.ics"))

    assert len(reporters) == 13
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Moderator: Didenko Aleksei",
        f"Reporters: {', '.join(reporters)}",
        "",
        SEED_URL,
    ]


def test_programme_calendar_lists_the_published_sessions_of_the_edition(client, demo):
    published = list(
        Session.objects.published().in_forum(demo.forum).values_list("title", flat=True)
    )

    response = client.get("/calendar.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(event["SUMMARY"]) for event in events(response)] == published
    seed = by_summary(response)[demo.title]
    assert (seed.decoded("DTSTART"), str(seed["LOCATION"])) == (
        datetime(2019, 10, 28, 17, 15, tzinfo=MOSCOW),
        "Room 4.G9, Saint Petersburg",
    )
    assert str(seed["DESCRIPTION"]).startswith("Moderator: Didenko Aleksei\n")


def test_unpublished_session_is_absent_from_the_calendars(client, session):
    hidden = make_session(session.forum, title="Closed meeting", is_published=False)

    programme = client.get("/calendar.ics")
    single = client.get(f"{hidden.get_absolute_url()}calendar.ics")

    assert [str(event["SUMMARY"]) for event in events(programme)] == [session.title]
    assert single.status_code == 404
    assert "Closed meeting" not in single.content.decode()


def test_unconfirmed_people_are_absent_from_the_description(client, session):
    add_participation(session, make_person("Hidden", "Person"), is_confirmed=False)
    add_participation(session, make_person("Shown", "Person"))

    [event] = events(client.get(f"{session.get_absolute_url()}calendar.ics"))

    assert str(event["DESCRIPTION"]).splitlines()[:2] == [
        "Moderator: Didenko Aleksei",
        "Reporter: Shown Person",
    ]


def test_uid_stays_when_the_session_is_edited(client, session):
    before = events(client.get("/calendar.ics"))[0]

    session.title = "A new title"
    session.room = "5.B1"
    session.starts_at += timedelta(hours=1)
    session.ends_at += timedelta(hours=1)
    session.save()
    after = events(client.get("/calendar.ics"))[0]

    assert str(after["UID"]) == str(before["UID"]) == f"session-{session.pk}@forum.example.org"
    assert (str(after["SUMMARY"]), str(after["LOCATION"])) == (
        "A new title",
        "Room 5.B1, Saint Petersburg",
    )
    assert after.decoded("DTSTART") == datetime(2019, 10, 28, 11, 0, tzinfo=MOSCOW)


def test_time_change_shows_at_the_next_request_of_a_cached_feed(client, session):
    url = f"{session.get_absolute_url()}calendar.ics"
    first = client.get(url)

    session.starts_at = datetime(2019, 10, 29, 15, 0, tzinfo=MOSCOW)
    session.ends_at = datetime(2019, 10, 29, 16, 30, tzinfo=MOSCOW)
    session.save()
    [event] = events(client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]))

    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        datetime(2019, 10, 29, 15, 0, tzinfo=MOSCOW),
        datetime(2019, 10, 29, 16, 30, tzinfo=MOSCOW),
    )


@pytest.mark.parametrize("path", ["/calendar.ics", "/sessions/{slug}/calendar.ics"])
def test_repeated_request_is_answered_304(client, session, path, django_assert_num_queries):
    url = path.format(slug=session.slug)
    first = client.get(url)

    with django_assert_num_queries(1):  # the programme version, on the fast path
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == first["ETag"]


def test_signed_in_visitor_gets_the_same_calendar_and_a_304(participant_client, client, session):
    anonymous = client.get("/calendar.ics")
    first = participant_client.get("/calendar.ics")
    again = participant_client.get("/calendar.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.content == anonymous.content
    assert again.status_code == 304


def test_calendar_addresses_come_from_site_url_not_the_host(session):
    first = Client(HTTP_HOST="localhost").get("/calendar.ics")
    second = Client(HTTP_HOST="127.0.0.1").get("/calendar.ics")

    assert first.content == second.content
    [event] = events(second)
    assert (str(event["UID"]), str(event["URL"])) == (
        f"session-{session.pk}@forum.example.org",
        f"{SITE}/sessions/{session.slug}/",
    )


def add_sessions(forum, count):
    for n in range(count):
        extra = make_session(forum, title=f"Extra {n}")
        add_participation(extra, make_person(), role=Participation.Role.MODERATOR)
        add_participation(extra, make_person())


@pytest.mark.parametrize("count", [1, 3])
def test_programme_calendar_queries_do_not_grow_with_the_sessions(
    client, forum, count, django_assert_num_queries
):
    add_sessions(forum, count)

    # The fast path's version read, the programme version and forum, the sessions, then their
    # participations, organisers and materials.
    with django_assert_num_queries(6):
        response = client.get("/calendar.ics")

    assert len(events(response)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_session_calendar_queries_do_not_grow_with_the_people(
    client, session, count, django_assert_num_queries
):
    for _ in range(count):
        add_participation(session, make_person())

    with django_assert_num_queries(6):
        response = client.get(f"{session.get_absolute_url()}calendar.ics")

    assert len(str(events(response)[0]["DESCRIPTION"]).split(", ")) == count


def test_russian_calendar_is_translated(client, session):
    [event] = events(client.get("/calendar.ics", HTTP_ACCEPT_LANGUAGE="ru"))

    assert str(event["LOCATION"]) == "Зал 4.G9, Saint Petersburg"
    assert str(event["DESCRIPTION"]).startswith("Модератор: Didenko Aleksei\n")


def test_session_page_and_programme_link_their_calendars(client, session):
    page = parse(client.get(session.get_absolute_url()).content.decode())
    programme = parse(client.get("/").content.decode())

    assert [a.attrs["href"] for a in page.find_all("a", class_="calendar-link")] == [
        f"/sessions/{session.slug}/calendar.ics"
    ]
    assert [a.attrs["href"] for a in programme.find_all("a", class_="calendar-link")] == [
        "/calendar.ics",
        f"/sessions/{session.slug}/calendar.ics",
    ]
