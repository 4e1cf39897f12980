"""The database watchdog: a database that stops answering costs seconds, not every thread.

PostgreSQL reached but silent (a proxy or firewall that accepts and then relays nothing, a
server frozen on its disk) is invisible to the kernel: the connection stays up, and a query
waits for ever. The settings bound part of it: `connect_timeout` a new connection (psycopg
bounds the whole set-up, login included), `statement_timeout` a query the server received,
TCP keepalives and `tcp_user_timeout` a network that drops everything. Nothing bounds a query
on an open connection that the server never receives, and gunicorn's gthread workers never
time out a request. So this module watches, in one thread per process:

- Every request except static files runs inside `watchdog.watching()`
  (forum_portal.middleware.DatabaseWatchdogMiddleware): the request's thread registers its
  database connection while the request lasts. Nothing else is stored.
- Every TICK the watchdog looks at each registered PostgreSQL connection. One that has been
  waiting for the server (libpq's transaction status ACTIVE) for STALL seconds or more makes
  it ask the database, in `probe()`: `SELECT 1` on a connection of the probe thread's own,
  opened and closed each time, at most one probe at a time, answered within DB_PROBE_TIMEOUT
  or counted as failed. /healthz answers with the same probe.
- A failed probe, or a new connection that runs into connect_timeout
  (forum_portal.postgresql), marks the database *down*: each registered connection waiting
  for the server has its socket shut down, so that its query fails at once with
  OperationalError and its request ends (with 503). For DB_RETRY_SECONDS requests are
  answered 503 at once and new connections fail at once; the watchdog probes again before
  the time is up, and each failure extends it, each answer ends it.

A slow query on a database that answers is left alone: the probe succeeds, and
statement_timeout ends the query. The only cost on the way of a request is registering it.

Each process finds out for itself: a gunicorn worker that has not met the hang yet notices it
with its first waiting query (STALL, then the probe) or its first new connection. A database
so overloaded that a new connection's `SELECT 1` takes longer than DB_PROBE_TIMEOUT counts as
down too: for DB_RETRY_SECONDS requests are refused rather than queued behind it.
"""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from psycopg.pq import TransactionStatus

logger = logging.getLogger(__name__)

TICK = 0.25
# How long a query may wait for the server before the watchdog asks whether it is there.
STALL = 1.0


class Watch:
    """One request's database connection, as the watchdog sees it."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.waiting_since = None
        self.interrupted = False

    def raw_waiting(self):
        """The psycopg connection when it is waiting for the server, else None."""
        if self.wrapper.vendor != "postgresql":
            return None
        raw = self.wrapper.connection
        if raw is None or raw.closed:
            return None
        return raw if raw.info.transaction_status == TransactionStatus.ACTIVE else None

    def waited(self, now):
        """Seconds this connection has been seen waiting for the server without a break."""
        if self.raw_waiting() is None:
            self.waiting_since = None
            return 0.0
        if self.waiting_since is None:
            self.waiting_since = now
        return now - self.waiting_since

    def interrupt(self):
        """Shut the socket of a query waiting for the server: it fails at once."""
        raw = self.raw_waiting()
        if raw is None:
            return
        try:
            duplicate = os.dup(raw.fileno())
        except Exception:  # closed meanwhile: psycopg's OperationalError, or OSError
            return
        # The duplicate keeps the socket alive; if the connection was closed meanwhile, its
        # number may already name someone else's socket, so leave it alone.
        with socket.socket(fileno=duplicate) as sock:
            if not raw.closed:
                self.interrupted = True
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Probe:
    def __init__(self):
        self.done = threading.Event()
        self.answered = False


class Watchdog:
    def __init__(self):
        self.lock = threading.Lock()
        self.watches = set()
        self.down_until = 0.0
        self.last_answer = 0.0
        self.probe_running = None
        self.pid = None
        self.local = threading.local()

    # -- requests ------------------------------------------------------------------------

    @contextmanager
    def watching(self):
        """Register this thread's database connection with the watchdog while the block runs."""
        self.start()
        watch = Watch(connections[DEFAULT_DB_ALIAS])
        with self.lock:
            self.watches.add(watch)
        try:
            yield watch
        finally:
            with self.lock:
                self.watches.discard(watch)

    def is_down(self):
        return time.monotonic() < self.down_until

    def refuse_if_down(self, error_class):
        """Raise error_class instead of connecting while the database is found down."""
        if self.is_down() and not getattr(self.local, "probing", False):
            raise error_class("The database is not answering; not connecting until it does.")

    # -- the state -----------------------------------------------------------------------

    def mark_down(self, reason):
        """The database did not answer: end the queries waiting for it, refuse new ones."""
        with self.lock:
            was_down = self.is_down()
            self.down_until = time.monotonic() + settings.DB_RETRY_SECONDS
            watches = list(self.watches)
        if not was_down:
            logger.error("The database is not answering (%s): 503 until it does.", reason)
        for watch in watches:
            watch.interrupt()

    def mark_up(self):
        with self.lock:
            was_down = self.down_until > 0
            self.down_until = 0.0
            self.last_answer = time.monotonic()
        if was_down:
            logger.warning("The database answers again.")

    # -- the probe -----------------------------------------------------------------------

    def probe(self, timeout=None):
        """True when the database answers `SELECT 1` within `timeout` (DB_PROBE_TIMEOUT).

        At most one probe runs at a time; a caller arriving meanwhile waits for that one."""
        timeout = settings.DB_PROBE_TIMEOUT if timeout is None else timeout
        self.start()
        with self.lock:
            probe = self.probe_running
            if probe is None or probe.done.is_set():
                probe = self.probe_running = Probe()
                threading.Thread(
                    target=self._probe, args=(probe,), name="db-probe", daemon=True
                ).start()
        if probe.done.wait(timeout) and probe.answered:
            self.mark_up()
            return True
        self.mark_down(f"no answer to SELECT 1 within {timeout} s")
        return False

    def _probe(self, probe):
        self.local.probing = True
        try:
            with self.watching():
                with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                    cursor.execute("SELECT 1")
                    cursor.fetchone()
            probe.answered = True
        except DatabaseError:
            # The reason (address, user, database) is for the operator, never for the asker.
            logger.exception("The database did not answer SELECT 1.")
        finally:
            connections.close_all()
            probe.done.set()

    # -- the watchdog's thread -----------------------------------------------------------

    def start(self):
        """Start the watchdog's thread in this process (again after a fork: gunicorn's)."""
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.watches = set()
            self.probe_running = None
            threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    def _run(self):
        while True:
            time.sleep(TICK)
            try:
                self._look()
            except Exception:
                logger.exception("The database watchdog failed to look; it goes on.")

    def _look(self):
        now = time.monotonic()
        if self.down_until:
            # Ask again before the time is up, so that the answer decides, not the clock.
            if now >= self.down_until - settings.DB_PROBE_TIMEOUT - TICK:
                self.probe()
            return
        with self.lock:
            watches = list(self.watches)
        stalled = max((watch.waited(now) for watch in watches), default=0.0) >= STALL
        if stalled and now - self.last_answer >= STALL:
            self.probe()


watchdog = Watchdog()
