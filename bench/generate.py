"""Fill an empty, migrated database with a large forum for the benchmark.

Usage: DATABASE_URL=… python bench/generate.py [--sessions 300]

At 300 sessions: 3,000 people, 5,000 participations, 600 materials, 200 organisations, and the
participants who post proposals in the benchmark. Smaller forums keep the same proportions.
Deterministic (a fixed random seed), bulk inserts, then one programme-version bump (bulk
inserts send no signals).
"""

import argparse
import os
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from sessions.models import (  # noqa: E402
    Forum,
    Material,
    Organisation,
    Participation,
    Person,
    ProgrammeVersion,
    Session,
    SessionOrganiser,
)

MOSCOW = ZoneInfo("Europe/Moscow")
SURNAMES = ["Ivanov", "Petrova", "Smirnov", "Kuznetsova", "Popov", "Vasilieva", "Sokolov",
            "Mikhailova", "Novikov", "Fedorova", "Morozov", "Volkova", "Alekseev", "Lebedeva",
            "Semenov", "Egorova", "Pavlov", "Kozlova", "Stepanov", "Nikolaeva"]  # fmt: skip
FIRST_NAMES = ["Aleksei", "Anna", "Dmitry", "Elena", "Sergei", "Olga", "Igor", "Maria",
               "Pavel", "Natalia", "Andrei", "Irina"]  # fmt: skip
PATRONYMICS = ["Ivanovich", "Petrovna", "Sergeevich", "Aleksandrovna", "Nikolaevich", ""]
TOPICS = ["Strategic Planning", "Cross-Border Cooperation", "Urban Mobility",
          "Digital Regions", "Spatial Development", "Municipal Finance", "Rural Development",
          "Climate Adaptation", "Public Participation", "Tourism Clusters", "Higher Education",
          "Healthcare Access"]  # fmt: skip
ROOMS = ["Congress Hall", "1.A1", "2.B3", "3.C5", "4.G9", "5.D2", "6.E7", "7.F1"]
PARAGRAPH = (
    "The participants of the session will discuss how {topic} shapes the long-term strategies "
    "of regions and municipalities, which instruments proved themselves over the last decade, "
    "and what the federal law on strategic planning should say about it in the next edition."
)


def generate(n_sessions, n_participants=64, seed=2019):
    rng = random.Random(seed)
    scale = n_sessions / 300
    n_people = int(3000 * scale)
    n_participations = int(5000 * scale)
    n_materials = int(600 * scale)
    n_organisations = max(10, int(200 * scale))

    forum = Forum.objects.create(
        name="XXV All-Russia Forum of Strategic Planning Leaders",
        edition=25,
        starts_on=date(2026, 10, 26),
        ends_on=date(2026, 10, 28),
        city="Saint Petersburg",
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"{rng.choice(TOPICS)} Agency No. {n}") for n in range(n_organisations)
    )
    people = Person.objects.bulk_create(
        Person(
            surname=(surname := rng.choice(SURNAMES)),
            first_name=(first := rng.choice(FIRST_NAMES)),
            patronymic=rng.choice(PATRONYMICS),
            slug=f"{surname}-{first}-{n}".lower(),
        )
        for n in range(n_people)
    )
    formats = list(Session.Format)
    sessions = []
    for n in range(n_sessions):
        topic = rng.choice(TOPICS)
        day = n % 3
        starts = datetime(2026, 10, 26 + day, 9, 0, tzinfo=MOSCOW) + timedelta(
            minutes=30 * (n // 3 % 20)
        )
        sessions.append(
            Session(
                forum=forum,
                title=f"{topic}: Session {n + 1}",
                slug=f"session-{n + 1}",
                format=formats[n % len(formats)],
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                room=ROOMS[n % len(ROOMS)],
                summary="\n".join(PARAGRAPH.format(topic=topic.lower()) for _ in range(3)),
                # One in twenty is still a draft: the public pages must leave it out.
                is_published=n % 20 != 19,
            )
        )
    sessions = Session.objects.bulk_create(sessions)

    participations = []
    per_session = n_participations // n_sessions
    extra = n_participations - per_session * n_sessions
    for index, session in enumerate(sessions):
        count = per_session + (1 if index < extra else 0)
        for order, person in enumerate(rng.sample(people, count)):
            participations.append(
                Participation(
                    session=session,
                    person=person,
                    role=Participation.Role.MODERATOR if order < 2 else Participation.Role.SPEAKER,
                    organisation=rng.choice(organisations),
                    position="Head of the strategic planning office",
                    report_title="" if order < 2 else f"Report {order} on {session.title}",
                    order=order,
                    is_confirmed=rng.random() < 0.95,
                )
            )
    Participation.objects.bulk_create(participations, batch_size=1000)
    SessionOrganiser.objects.bulk_create(
        SessionOrganiser(session=session, organisation=organisation, order=order)
        for session in sessions
        for order, organisation in enumerate(rng.sample(organisations, 2))
    )
    Material.objects.bulk_create(
        Material(
            session=sessions[n % n_sessions],
            title=f"Material {n + 1}",
            kind=Material.Kind.CONCEPT if n < n_sessions else Material.Kind.PRESENTATION,
            url=f"https://example.org/materials/{n + 1}.pdf",
            order=n // n_sessions,
        )
        for n in range(n_materials)
    )
    User = get_user_model()
    participants = [
        User(
            email=f"bench{n}@example.org",
            surname=f"Bench{n}",
            first_name="Anna",
            organisation="Benchmark City Administration",
        )
        for n in range(n_participants)
    ]
    for user in participants:
        user.set_unusable_password()
    User.objects.bulk_create(participants)
    ProgrammeVersion.bump()
    return {
        "sessions": len(sessions),
        "people": len(people),
        "participations": len(participations),
        "materials": n_materials,
        "organisations": len(organisations),
        "participants": n_participants,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300)
    args = parser.parse_args()
    if Session.objects.exists():
        sys.exit("generate.py: this database already holds a programme; give it an empty one.")
    with transaction.atomic():
        counts = generate(args.sessions)
    print(", ".join(f"{value} {name}" for name, value in counts.items()))


if __name__ == "__main__":
    main()
