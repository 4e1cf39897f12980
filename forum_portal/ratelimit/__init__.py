"""Attempts counted in the database, shared by every worker and instance: logins, sign-ups,
password resets (the policies live in proposals/throttle.py).

Protocol:
- A counter is one row of `ratelimit_counter` (models.Counter): a key, a count, and the end
  of its window in whole seconds since the epoch. Keys are `<scope>:<sha256 of each value>`
  (key()), never the e-mail or address itself.
- hit() counts one attempt and returns the count in the same SQL statement (an upsert with
  RETURNING, on PostgreSQL and SQLite alike), so two workers, threads or instances can never
  both read the same count: call it BEFORE the work it limits (checking a password, sending
  an e-mail) and refuse when it returns more than the limit.
- A window starts with the first attempt and is not extended by later ones; the first attempt
  after it ends starts a fresh one at 1. Expired rows are deleted when a new key is counted.
- release() gives a reserved attempt back (a right password, a refused attempt); clear()
  forgets every counter whose key starts with a prefix (a password reset clears an account).
"""

import hashlib
import time

from django.conf import settings
from django.db import connection

TABLE = "ratelimit_counter"


def client_ip(request):
    """The address the request came from.

    REMOTE_ADDR, unless settings.BEHIND_PROXY says a load balancer is in front: then the
    last address of X-Forwarded-For, the one our proxy appended. Earlier entries come
    from the client and could be anything.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def key(scope, *values):
    """A counter's key: the scope in clear, then each value hashed (fits the column, tells nothing).

    A key is a prefix of every longer key made from the same scope and first values, so that
    clear(key(scope, account)) forgets the account's counter and all its (account, …) ones.
    """
    digests = (
        hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:24] for value in values
    )
    return ":".join((scope, *digests))


def hit(counter_key, window_seconds):
    """Count one attempt under the key and return the count in this window, atomically."""
    now = int(time.time())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (key, count, window_ends) VALUES (%s, 1, %s) "
            "ON CONFLICT (key) DO UPDATE SET "
            f"count = CASE WHEN {TABLE}.window_ends > %s THEN {TABLE}.count + 1 ELSE 1 END, "
            f"window_ends = CASE WHEN {TABLE}.window_ends > %s THEN {TABLE}.window_ends "
            "ELSE excluded.window_ends END "
            "RETURNING count",
            [counter_key, now + window_seconds, now, now],
        )
        count = cursor.fetchone()[0]
        if count == 1:
            # A new key or a new window: a good moment to drop the rows nobody will read again.
            cursor.execute(f"DELETE FROM {TABLE} WHERE window_ends <= %s", [now])
    return count


def release(*counter_keys):
    """Give back one attempt counted under each key (it turned out not to be a failure)."""
    with connection.cursor() as cursor:
        for counter_key in counter_keys:
            cursor.execute(
                f"UPDATE {TABLE} SET count = count - 1 WHERE key = %s AND count > 0",
                [counter_key],
            )


def clear(prefix):
    """Forget every counter whose key starts with the prefix."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE key LIKE %s ESCAPE '\\'", [f"{escaped}%"])
