"""gunicorn for `make serve` and production: every value can come from the environment.

WEB_CONCURRENCY   worker processes (default: 2 per CPU core + 1)
GUNICORN_THREADS  threads per worker (default 4: keep-alive connections, overlap of database waits)
HOST, PORT        where to listen (default 127.0.0.1:8000); behind a load balancer HOST=0.0.0.0
BEHIND_PROXY      1: trust X-Forwarded-* from FORWARDED_ALLOW_IPS (default 127.0.0.1,::1); else none
GUNICORN_CONTROL_SOCKET  a path for gunicornc's control socket; none unless set
CLEARSESSIONS_INTERVAL_MINUTES  expired sessions deleted at start, then this often (60; 0: never)
"""

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from forum_portal.env import env_bool, env_int

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
keepalive = 5
timeout = 30
graceful_timeout = 30
# Load Django once in the master; workers share its memory copy-on-write and start fast.
preload_app = True
# Recycle a worker after a while, so that a slow leak can never grow a worker's memory for days
# (nor a local-memory cache hold old programme versions for long). Not too often: a worker
# answers ~400 cached pages a second at peak, and a new one starts with an empty local cache
# and renders each page once more; at 20,000 every worker was replaced during each minute of
# the benchmark, and the replacements showed as p99 spikes.
max_requests = 200000
max_requests_jitter = 20000
# Errors to stderr; the access log is off unless asked for (ACCESS_LOG=-), it costs throughput.
errorlog = "-"
accesslog = os.environ.get("ACCESS_LOG") or None
# Behind a load balancer: trust its X-Forwarded-* headers (see BEHIND_PROXY in the README).
# Otherwise trust them from nobody: gunicorn's default trusts 127.0.0.1, and with it a client
# on the same machine could claim https (gunicorn would set wsgi.url_scheme from the header).
if env_bool("BEHIND_PROXY", False):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
    forwarder_headers = ""

# gunicorn 25+ opens a control socket for gunicornc, by default one per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): a second instance took over the first's.
# None unless asked for, at a path of the operator's choice (one per instance).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Expired sessions (a kept proposal text, a lapsed login) are deleted by `clearsessions` when
# gunicorn starts and then every CLEARSESSIONS_INTERVAL_MINUTES, from a thread of the master.
# In a process of its own: the master must hold no database connection its workers would
# inherit when it forks them. Several instances may each do it; a second run finds nothing.
CLEARSESSIONS_INTERVAL = env_int("CLEARSESSIONS_INTERVAL_MINUTES", 60) * 60
ROOT = Path(__file__).resolve().parent


def clear_sessions_forever(interval, log):
    while True:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "clearsessions"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            log.error("clearsessions failed (%s): %s", result.returncode, result.stderr[-2000:])
        else:
            log.info("clearsessions: expired sessions deleted")
        time.sleep(interval)


def when_ready(server):
    if CLEARSESSIONS_INTERVAL > 0:
        threading.Thread(
            target=clear_sessions_forever,
            args=(CLEARSESSIONS_INTERVAL, server.log),
            name="clearsessions",
            daemon=True,
        ).start()
