"""Nothing lost: proposals sent while a gunicorn worker is killed and the database drops its
connections are stored exactly once each, and the portal recovers without a restart.

`make serve` (3 workers) on a fresh PostgreSQL database, 20 participants × 10 proposals from a
thread pool over loopback. A participant whose request fails (connection reset, 5xx, timeout)
sends the same form again, with the same submission token, as a browser retry would.
"""

import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from .portal import (
    TRANSIENT,
    Server,
    Visitor,
    form_errors,
    fresh_database,
    new_secret_key,
    page_text,
    seed,
    submission_token,
)

pytestmark = pytest.mark.fault

USERS = 20
PROPOSALS_EACH = 10
TOTAL = USERS * PROPOSALS_EACH
# Which of each participant's proposals they send twice on purpose (a reload): 40 in all.
RESENT = {4, 9}
ATTEMPTS = 10
LOAD_SECONDS = 75
ACKNOWLEDGED = re.compile(r"^/proposals/(\d+)/$")
# The message of a retry that finds its proposal stored by an earlier attempt.
ALREADY_STORED = "This proposal had already reached us; it was not stored twice."


class Load:
    """The submissions' outcomes, shared by the participants' threads and the saboteur."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}  # token -> (pk, email, wording)
        self.refused = []  # (email, wording, response): the server answered, but not "stored"
        self.gave_up = []  # (email, wording, last error): every attempt failed
        self.failed_attempts = Counter()  # what the retried requests met
        self.pages = Counter()
        # Set when the load is over, or out of time: participants stop after their request.
        self.finished = threading.Event()

    def count(self):
        with self.lock:
            return len(self.acknowledged)

    def record(self, kind, item):
        """A submission that ended "refused" or "gave_up"."""
        with self.lock:
            getattr(self, kind).append(item)

    def acknowledge(self, token, pk, email, wording):
        with self.lock:
            self.acknowledged[token] = (pk, email, wording)

    def resent(self, same_proposal):
        with self.lock:
            self.pages["resent, same proposal" if same_proposal else "resent, not the same"] += 1

    def shown(self, wording_shown, already_stored):
        """What the proposal's page, where the acknowledgement led, showed the participant."""
        with self.lock:
            self.pages["wording shown" if wording_shown else "wording missing"] += 1
            self.pages["already stored"] += already_stored

    def failure(self, what):
        with self.lock:
            self.failed_attempts[what] += 1


def retrying(load, action, *args):
    """The action's response once the server answers below 500; None after ATTEMPTS failures."""
    last = None
    for attempt in range(ATTEMPTS):
        try:
            response = action(*args)
        except TRANSIENT as error:
            last = type(error).__name__
        else:
            if response.status < 500:
                return response, last
            last = f"HTTP {response.status}"
        load.failure(last)
        time.sleep(min(0.1 * 2**attempt, 2))
    return None, last


def participant(port, slug, email, password, load):
    # As patient as a browser: twenty logins at once keep two cores busy for a few seconds.
    visitor = Visitor(port, timeout=30)
    visitor.login(email, password)
    try:
        for n in range(PROPOSALS_EACH):
            if load.finished.is_set():
                return
            wording = f"Recommend measure {n} of {email}, {uuid.uuid4()}."
            form, last = retrying(load, visitor.get, f"/sessions/{slug}/proposals/new/")
            if form is None or form.status != 200:
                load.record("gave_up", (email, wording, f"form: {form or last}"))
                continue
            fields = {
                "title": f"Proposal {n} of {email}",
                "wording": wording,
                "rationale": "Cross-border projects need a legal basis.",
                "addressee": "regional",
                "submission_token": submission_token(form.body),
                "submit": "Submit",
            }
            path = f"/sessions/{slug}/proposals/new/"
            # The same token on every attempt: a retry must find what an earlier one stored.
            response, last = retrying(load, visitor.post, path, fields)
            if response is None:
                load.record("gave_up", (email, wording, last))
                continue
            stored = ACKNOWLEDGED.match(response.location) if response.status == 302 else None
            if stored is None:
                load.record("refused", (email, wording, response.status, form_errors(response)))
                continue
            load.acknowledge(fields["submission_token"], int(stored.group(1)), email, wording)
            if n in RESENT:
                # A reload after a slow network sends the form once more: same proposal.
                response, last = retrying(load, visitor.post, path, fields)
                load.resent(response is not None and response.location == stored.group(0))
            # The browser follows the redirect: the participant sees their proposal, and which
            # message — sent now, or found already stored by a retry.
            page, last = retrying(load, visitor.get, response.location)
            shown = page_text(page.body) if page is not None and page.status == 200 else ""
            load.shown(wording in shown, ALREADY_STORED in shown)
    finally:
        visitor.close()


def terminate_connections(database_url):
    """Drop every connection the portal holds to its database, as a failover or restart would."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def saboteur(server, database_url, load, faults):
    """Kill a worker at a quarter of the load and drop the database connections at a half."""
    for share, fault in ((0.25, "worker"), (0.5, "database")):
        while load.count() < TOTAL * share and not load.finished.is_set():
            time.sleep(0.01)
        if load.finished.is_set():
            return
        if fault == "worker":
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            faults["killed worker"] = victim
            faults["acknowledged before the kill"] = load.count()
        else:
            faults["database connections dropped"] = terminate_connections(database_url)
            faults["acknowledged before the drop"] = load.count()


def stored_proposals(database_url):
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT p.submission_token::text, p.id, u.email, p.wording, p.status "
            "FROM proposals_proposal p JOIN proposals_user u ON u.id = p.author_id"
        ).fetchall()


def test_acknowledged_proposals_stored_once_despite_killed_worker_and_dropped_connections(
    tmp_path,
):
    started = time.monotonic()
    password = new_secret_key()[:20]
    with fresh_database("fault") as database_url:
        made = seed(database_url, USERS, password)
        slug, title = made["session"]["slug"], made["session"]["title"]
        with Server(
            database_url,
            tmp_path / "serve.log",
            secret_key=new_secret_key(),
            workers=3,
            # Each participant sends ten proposals to one round table within the minute.
            PROPOSAL_RATE_LIMIT=str(PROPOSALS_EACH + 5),
        ) as server:
            master = server.master()
            assert len(server.wait_for_workers(3)) == 3, server.log_tail()
            load, faults = Load(), {}
            sabotage = threading.Thread(target=saboteur, args=(server, database_url, load, faults))
            sabotage.start()
            with ThreadPoolExecutor(max_workers=USERS) as pool:
                futures = [
                    pool.submit(participant, server.port, slug, email, password, load)
                    for email in made["participants"]
                ]
                try:
                    for future in futures:
                        future.result(timeout=max(1, LOAD_SECONDS - (time.monotonic() - started)))
                finally:
                    load.finished.set()
                    sabotage.join(timeout=10)

            stored = stored_proposals(database_url)
            by_token = {
                token: (pk, email, wording, status) for token, pk, email, wording, status in stored
            }
            wordings = Counter(wording for _token, _pk, _email, wording, _status in stored)
            summary = (
                f"{TOTAL} submissions, {len(load.acknowledged)} acknowledged, "
                f"{len(stored)} stored, "
                f"{sum(c - 1 for c in wordings.values())} duplicates; failed attempts retried: "
                f"{dict(load.failed_attempts)}; faults: {faults}; proposal pages: "
                f"{dict(load.pages)}; refused: {load.refused[:3]}; "
                f"gave up: {load.gave_up[:3]}"
            )
            print(summary)

            # Both faults struck in the middle of the load.
            assert faults.get("killed worker") not in server.wait_for_workers(3), summary
            assert 0 < faults.get("acknowledged before the kill", 0) < TOTAL, summary
            assert faults.get("database connections dropped", 0) > 0, summary
            assert 0 < faults.get("acknowledged before the drop", 0) < TOTAL, summary
            # Every participant's every proposal was acknowledged (retries included) …
            assert (load.refused, load.gave_up) == ([], []), summary
            assert len(load.acknowledged) == TOTAL, summary
            # … and is in the database exactly once, where the acknowledgement pointed.
            assert {
                token: (pk, email, wording, "submitted")
                for token, (pk, email, wording) in load.acknowledged.items()
            } == by_token, summary
            assert [w for w, count in wordings.items() if count > 1] == [], summary
            assert len(stored) == TOTAL, summary
            # Each participant saw each proposal on the page the acknowledgement led to.
            assert load.pages["wording shown"] == TOTAL, summary
            # Each reload led to the proposal the first send stored, and said so.
            resent = USERS * len(RESENT)
            assert load.pages["resent, same proposal"] == resent, summary
            assert load.pages["already stored"] >= resent, summary

            # The portal answers normally again, with the same master: no restart.
            visitor = Visitor(server.port)
            health = visitor.get("/healthz")
            assert (health.status, health.body) == (200, "ok")
            programme = visitor.get("/")
            assert programme.status == 200
            assert title in page_text(programme.body)
            visitor.login(made["participants"][0], password)
            form = visitor.get(f"/sessions/{slug}/proposals/new/")
            after = visitor.post(
                f"/sessions/{slug}/proposals/new/",
                {
                    "title": "After the faults",
                    "wording": "Recommend a plan for the day the database fails over.",
                    "rationale": "It happened during the forum.",
                    "addressee": "regional",
                    "submission_token": submission_token(form.body),
                    "submit": "Submit",
                },
            )
            assert after.status == 302 and ACKNOWLEDGED.match(after.location), after
            detail = visitor.get(after.location)
            assert "Recommend a plan for the day the database fails over." in page_text(detail.body)
            assert server.master() == master
            assert server.process.poll() is None
    assert time.monotonic() - started < 120
