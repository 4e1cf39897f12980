"""Small builders for test data: every test states the few fields it cares about."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sessions.models import Forum, Material, Organisation, Participation, Person, Session

MOSCOW = ZoneInfo("Europe/Moscow")
_counter = itertools.count(1)


def make_forum(**fields):
    fields.setdefault("name", "XVIII All-Russia Forum of Strategic Planning Leaders")
    fields.setdefault("edition", 18)
    fields.setdefault("starts_on", date(2019, 10, 28))
    fields.setdefault("ends_on", date(2019, 10, 29))
    fields.setdefault("city", "Saint Petersburg")
    return Forum.objects.create(**fields)


def make_session(forum=None, *, starts_at=None, duration=timedelta(hours=2), **fields):
    n = next(_counter)
    forum = forum or Forum.objects.current() or make_forum()
    starts_at = starts_at or datetime(2019, 10, 28, 10, 0, tzinfo=MOSCOW)
    fields.setdefault("title", f"Session {n}")
    fields.setdefault("slug", f"session-{n}")
    fields.setdefault("room", "4.G9")
    fields.setdefault("summary", "First paragraph.\nSecond paragraph.")
    fields.setdefault("is_published", True)
    return Session.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + duration, **fields
    )


def make_person(surname=None, first_name="Ivan", **fields):
    n = next(_counter)
    surname = surname or f"Surname{n}"
    fields.setdefault("slug", f"{surname.lower()}-{first_name.lower()}-{n}")
    return Person.objects.create(surname=surname, first_name=first_name, **fields)


def make_organisation(name=None):
    return Organisation.objects.create(name=name or f"Organisation {next(_counter)}")


def add_participant(session, person=None, *, role=Participation.Role.SPEAKER, **fields):
    fields.setdefault("is_confirmed", True)
    return Participation.objects.create(
        session=session, person=person or make_person(), role=role, **fields
    )


def add_material(session, **fields):
    fields.setdefault("title", f"Material {next(_counter)}")
    if not fields.get("file"):
        fields.setdefault("url", "https://example.org/material.pdf")
    return Material.objects.create(session=session, **fields)
