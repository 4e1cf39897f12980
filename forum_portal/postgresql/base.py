"""Django's PostgreSQL backend with one addition: the database watchdog's fail-fast check.

Subclassing a built-in backend is Django's documented way to change its behaviour; the one
method overridden, get_new_connection(), is where every connection of every thread is opened
(tests/test_healthz.py fails if an upgrade stops calling it).
"""

from django.db.backends.postgresql import base

from forum_portal.dbwatch import watchdog


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        # While the database is found down, fail at once instead of waiting connect_timeout.
        watchdog.refuse_if_down(self.Database.OperationalError)
        try:
            return super().get_new_connection(conn_params)
        except self.Database.errors.ConnectionTimeout:
            # The server did not finish a connection in connect_timeout: it is not answering.
            watchdog.mark_down("a new connection timed out")
            raise
