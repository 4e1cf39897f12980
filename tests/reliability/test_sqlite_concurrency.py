"""SQLite, the default database of `make serve`, under participants who submit at once
(issue 9, item 11): no "database is locked", every proposal stored.

`make serve` (3 gunicorn workers) on a fresh SQLite file; 8 participants, logged in, each send
3 proposals, all at the same moment. Before WAL, a busy timeout and immediate transactions
(forum_portal/settings.py), 19 of 24 answered 500 here. A fault test (`make test-fault`): it
starts `make serve`, ~40 s on a busy machine; it needs no PostgreSQL.
"""

import re
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .portal import Server, Visitor, new_secret_key, run_python, seed, submission_token

pytestmark = pytest.mark.fault

PARTICIPANTS = 8
EACH = 3


def submit_all_at_once(port, slug, emails, password):
    visitors = []
    for email in emails:
        visitor = Visitor(port, timeout=60)
        visitor.login(email, password)
        # gunicorn closes a connection idle for 5 s: each participant starts with a new one.
        visitor.close()
        visitors.append(visitor)
    start = threading.Barrier(len(visitors))

    def participant(visitor):
        try:
            forms = [visitor.get(f"/sessions/{slug}/proposals/new/") for _ in range(EACH)]
        except BaseException:
            start.abort()
            raise
        start.wait(timeout=60)
        answers = []
        for n, form in enumerate(forms):
            response = visitor.post(
                f"/sessions/{slug}/proposals/new/",
                {
                    "title": f"Proposal {n}",
                    "wording": f"Recommend measure {n}, {uuid.uuid4()}.",
                    "rationale": "Regions repeat each other's work.",
                    "addressee": "regional",
                    "submission_token": submission_token(form.body),
                    "submit": "Submit",
                },
            )
            answers.append((response.status, response.location))
        visitor.close()
        return answers

    with ThreadPoolExecutor(max_workers=len(visitors)) as pool:
        return [answer for answers in pool.map(participant, visitors) for answer in answers]


def test_sqlite_takes_simultaneous_submissions_without_database_is_locked(tmp_path):
    database = tmp_path / "portal.sqlite3"
    database_url = f"sqlite:///{database}"
    password = new_secret_key()[:20]
    run_python(["manage.py", "migrate", "--noinput", "--verbosity", "0"], database_url)
    made = seed(database_url, PARTICIPANTS, password)

    with Server(
        database_url, tmp_path / "serve.log", secret_key=new_secret_key(), workers=3
    ) as server:
        answers = submit_all_at_once(
            server.port, made["session"]["slug"], made["participants"], password
        )
        log = server.log_tail(200)

    assert [status for status, _location in answers] == [302] * PARTICIPANTS * EACH, log
    assert all(re.fullmatch(r"/proposals/\d+/", location) for _status, location in answers)
    assert "database is locked" not in log
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT count(*) FROM proposals_proposal").fetchone()
        (journal,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert (stored, journal) == (PARTICIPANTS * EACH, "wal")
