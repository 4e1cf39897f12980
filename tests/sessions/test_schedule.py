"""/schedule.xml and /schedule.json: the frab/c3voc schedule that conference apps read."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from sessions.models import Participation
from sessions.schedule import session_guid
from tests.factories import MOSCOW, add_participation, make_person, make_session

from .seed import SEED_MODERATOR, SEED_REPORTERS

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(Path(__file__).parent / "data/schedule.xml.xsd"))
# Structure only, no format checker: the schema says an event's "start" is a date-time, while
# frab, pretalx and the apps write "17:15" (as the XSD does).
JSON_SCHEMA = jsonschema.Draft6Validator(
    json.loads((Path(__file__).parent / "data/schedule.schema.json").read_text())
)
SEED_PEOPLE = [SEED_MODERATOR, *SEED_REPORTERS]
# Anonymous, cold cache: the version for the fast path, the forum with the version, then the
# sessions with their forum, people, organisers and materials.
SCHEDULE_QUERIES = 6


def schedule_xml(client):
    response = client.get("/schedule.xml")
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content)


def schedule_json(client):
    response = client.get("/schedule.json")
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.content)


def events_json(data):
    return [
        event
        for day in data["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_schedule_xml_of_the_demo_validates_against_the_c3voc_schema(client, demo):
    document = schedule_xml(client)

    assert SCHEMA.validate(document), SCHEMA.error_log


def test_schedule_json_of_the_demo_validates_against_the_c3voc_schema(client, demo):
    data = schedule_json(client)

    assert [error.message for error in JSON_SCHEMA.iter_errors(data)] == []


def test_schedule_xml_seed_round_table_facts(client, demo):
    document = schedule_xml(client)
    (event,) = document.xpath(f"//event[slug='{demo.slug}']")

    assert document.findtext("conference/time_zone_name") == "Europe/Moscow"
    assert document.findtext("conference/start") == "2019-10-28"
    assert event.get("guid") == session_guid(demo)
    assert event.getparent().get("name") == "4.G9"
    assert event.getparent().getparent().get("date") == "2019-10-28"
    assert [event.findtext(name) for name in ("date", "start", "duration", "room", "track")] == [
        "2019-10-28T17:15:00+03:00",
        "17:15",
        "02:00",
        "4.G9",
        "Round table",
    ]
    assert [p.text for p in event.findall("persons/person")] == SEED_PEOPLE
    assert event.findtext("url") == f"http://localhost:8000/sessions/{demo.slug}/"
    assert [a.text for a in event.findall("attachments/attachment")] == [
        m.title for m in demo.materials.all()
    ]


def test_schedule_json_seed_round_table_facts(client, demo):
    data = schedule_json(client)
    conference = data["schedule"]["conference"]
    (event,) = [e for e in events_json(data) if e["slug"] == demo.slug]

    assert (conference["title"], conference["time_zone_name"], conference["daysCount"]) == (
        "XVIII All-Russia Forum of Strategic Planning Leaders",
        "Europe/Moscow",
        len(conference["days"]),
    )
    assert [d["index"] for d in conference["days"]] == list(range(1, len(conference["days"]) + 1))
    assert datetime.fromisoformat(event["date"]) == datetime(2019, 10, 28, 17, 15, tzinfo=MOSCOW)
    assert (event["start"], event["duration"], event["room"]) == ("17:15", "02:00", "4.G9")
    assert [(p["public_name"], p["role"]) for p in event["persons"]] == [
        ("Didenko Aleksei", "moderator")
    ] + [(name, "speaker") for name in SEED_REPORTERS]
    assert event["links"] == [{"url": event["url"], "title": demo.title}]


def test_schedule_leaves_out_unpublished_sessions_and_unconfirmed_people(client, session):
    hidden = make_session(session.forum, title="Hidden", is_published=False)
    add_participation(session, make_person("Unconfirmed", "Ivan"), is_confirmed=False)

    xml = schedule_xml(client)
    data = schedule_json(client)

    assert xml.xpath("//event/title/text()") == [session.title]
    assert [e["title"] for e in events_json(data)] == [session.title]
    assert xml.xpath("//person/text()") == ["Didenko Aleksei"]
    assert hidden.slug not in json.dumps(data)
    assert [error.message for error in JSON_SCHEMA.iter_errors(data)] == []
    assert SCHEMA.validate(xml), SCHEMA.error_log


def test_schedule_guid_is_stable_across_changes(client, session):
    before = schedule_xml(client).xpath("//event/@guid")
    session.title, session.room = "Renamed", "5.A1"
    session.starts_at += timedelta(hours=1)
    session.ends_at += timedelta(hours=1)
    session.save()

    after = schedule_xml(client)

    assert after.xpath("//event/@guid") == before
    assert after.xpath("//event/room/text()") == ["5.A1"]
    assert after.xpath("//event/start/text()") == ["11:00"]


def test_schedule_repeat_request_is_not_modified_and_a_change_shows(client, session):
    first = client.get("/schedule.xml")
    repeat = client.get("/schedule.xml", headers={"if-none-match": first.headers["ETag"]})
    session.title = "Moved on"
    session.save()
    changed = client.get("/schedule.xml", headers={"if-none-match": first.headers["ETag"]})

    assert repeat.status_code == 304
    assert repeat.content == b""
    assert changed.status_code == 200
    assert etree.fromstring(changed.content).xpath("//event/title/text()") == ["Moved on"]


def test_schedule_without_a_forum_is_not_found(client, db):
    response = client.get("/schedule.xml")

    assert response.status_code == 404
    assert b"<schedule" not in response.content


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("path", ["/schedule.xml", "/schedule.json"])
def test_schedule_queries_do_not_grow_with_sessions(client, forum, django_assert_num_queries,
                                                    count, path):  # fmt: skip
    for n in range(count):
        session = make_session(forum, title=f"Session {n}")
        add_participation(session, role=Participation.Role.MODERATOR)
        add_participation(session)

    with django_assert_num_queries(SCHEDULE_QUERIES):
        response = client.get(path)

    assert response.content.count(b"Session ") >= count
