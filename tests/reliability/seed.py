"""Accounts and a round table in a fresh, migrated database, for a portal run by `make serve`.

Run in a subprocess with that database's DATABASE_URL (the test process's Django points at its
own test database): `python -m tests.reliability.seed USERS PASSWORD`. Prints what it made as JSON.
"""

import json
import sys

import django
from django.contrib.auth.hashers import make_password


def seed(n_users, password):
    # Models load only after django.setup(), which runs below in this subprocess's __main__.
    from proposals.models import User  # noqa: PLC0415
    from tests.factories import make_forum, make_session, make_user  # noqa: PLC0415

    forum = make_forum()
    session = make_session(forum, title="Cross-Border Cooperation", slug="cross-border")
    emails = [f"participant{n}@example.org" for n in range(1, n_users + 1)]
    for n, email in enumerate(emails, 1):
        make_user(email, surname=f"Participant{n}", first_name="Anna")
    # One hash for all: hashing a password costs a noticeable fraction of a second each.
    User.objects.filter(email__in=emails).update(password=make_password(password))
    organiser = User.objects.create_superuser(
        "organiser@example.org", password, surname="Organiser", first_name="Olga"
    )
    return {
        "session": {"pk": session.pk, "slug": session.slug, "title": session.title},
        "participants": emails,
        "organiser": organiser.email,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(int(sys.argv[1]), sys.argv[2])))
