"""The programme as a conference-app feed: the frab/c3voc schedule (XML and JSON).

Giggity, ConfClerk and the c3voc tools read this format; tests/sessions/data/schedule.xml.xsd is
the c3voc schema the XML is checked against. Both documents are built from one dictionary
(`schedule_data`, the JSON's shape), so XML and JSON never say different things. Only
published sessions and confirmed people appear: the sessions come from
`Session.objects.published().with_people()`, whose people are the confirmed ones.
"""

import json
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

# A fixed namespace: a session's guid depends on its primary key alone, so an app that stored
# it recognises the session after a change of title, time, room or slug.
GUID_NAMESPACE = uuid.UUID("b41a8126-dfaa-4fa8-be07-e1393e920fd9")
# Sessions carry no language of their own: the programme is entered in the portal's language.
PROGRAMME_LANGUAGE = settings.LANGUAGE_CODE
# The grid apps draw the day on; our sessions start on the quarter hour.
TIMESLOT = "00:15"
SCHEDULE_SCHEMA = "https://c3voc.de/schedule/schema.json"


def session_guid(session):
    """The session's stable UUID in feeds."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"session:{session.pk}"))


def room_guid(name):
    """A room's stable UUID in feeds: from its name, as rooms have no table of their own."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"room:{name}"))


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def hours_minutes(delta):
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local_iso(moment):
    """ "2019-10-28T17:15:00+03:00": the forum's time zone, with its offset written out."""
    return timezone.localtime(moment).isoformat()


def day_bounds(day):
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def event_data(session):
    """One session as a schedule event (the JSON's shape)."""
    people = list(session.moderators) + list(session.speakers)
    url = absolute(session.get_absolute_url())
    return {
        "id": session.pk,
        "guid": session_guid(session),
        "date": local_iso(session.starts_at),
        "start": f"{timezone.localtime(session.starts_at):%H:%M}",
        "duration": hours_minutes(session.ends_at - session.starts_at),
        "room": session.room or _("No room"),
        "slug": session.slug,
        "url": url,
        "title": session.title,
        "subtitle": "",
        "track": str(session.get_format_display()),
        "type": session.format,
        "language": PROGRAMME_LANGUAGE,
        "abstract": (session.paragraphs or [""])[0],
        "description": "\n\n".join(session.paragraphs),
        "persons": [
            {"id": p.person_id, "public_name": p.person.full_name, "role": p.role} for p in people
        ],
        "links": [{"url": url, "title": session.title}],
        "attachments": [
            {"url": absolute(m.get_absolute_url()), "title": m.title} for m in session.material_list
        ],
    }


def schedule_data(forum, sessions, version):
    """The schedule of `forum` (sessions from `published().with_people()`, in time order)."""
    by_day = {}
    for session in sessions:
        by_day.setdefault(session.day, []).append(session)
    forum_days = {
        forum.starts_on + timedelta(days=n)
        for n in range((forum.ends_on - forum.starts_on).days + 1)
    }
    days = []
    for index, day in enumerate(sorted(forum_days | set(by_day)), start=1):
        rooms = {}
        for session in by_day.get(day, []):
            rooms.setdefault(session.room or _("No room"), []).append(event_data(session))
        start, end = day_bounds(day)
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": dict(sorted(rooms.items())),
            }
        )
    room_names = sorted({name for day in days for name in day["rooms"]})
    return {
        "$schema": SCHEDULE_SCHEMA,
        "generator": {"name": "forum-portal"},
        "schedule": {
            "version": str(version),
            "base_url": absolute("/"),
            "conference": {
                "acronym": f"forum{forum.edition}",
                "title": forum.name,
                "start": forum.starts_on.isoformat(),
                "end": forum.ends_on.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": settings.TIME_ZONE,
                "rooms": [{"name": name, "guid": room_guid(name)} for name in room_names],
                "days": days,
            },
        },
    }


def schedule_json(data):
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = str(text)
    return element


EVENT_TEXTS = (
    "date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track", "type",
    "language", "abstract", "description",
)  # fmt: skip


def schedule_xml(data):
    """The same schedule as frab XML (c3voc schedule.xml.xsd)."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = etree.Element("schedule")
    sub(root, "generator", name=data["generator"]["name"])
    sub(root, "version", schedule["version"])
    head = sub(root, "conference")
    for name in ("title", "acronym", "start", "end"):
        sub(head, name, conference[name])
    sub(head, "days", conference["daysCount"])
    sub(head, "timeslot_duration", conference["timeslot_duration"])
    sub(head, "base_url", schedule["base_url"])
    sub(head, "time_zone_name", conference["time_zone_name"])
    for day in conference["days"]:
        day_element = sub(
            root,
            "day",
            index=day["index"],
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room, events in day["rooms"].items():
            room_element = sub(day_element, "room", name=room)
            for event in events:
                element = sub(room_element, "event", id=event["id"], guid=event["guid"])
                for name in EVENT_TEXTS:
                    sub(element, name, event[name])
                persons = sub(element, "persons")
                for person in event["persons"]:
                    sub(persons, "person", person["public_name"], id=person["id"])
                links = sub(element, "links")
                for link in event["links"]:
                    sub(links, "link", link["title"], href=link["url"])
                attachments = sub(element, "attachments")
                for attachment in event["attachments"]:
                    sub(attachments, "attachment", attachment["title"], href=attachment["url"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
