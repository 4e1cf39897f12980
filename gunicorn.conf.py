"""gunicorn for `make serve` and production: every value can come from the environment.

WEB_CONCURRENCY   worker processes (default: 2 per CPU core + 1)
GUNICORN_THREADS  threads per worker (default 4: keep-alive connections, overlap of database waits)
HOST, PORT        where to listen (default 127.0.0.1:8000); behind a load balancer HOST=0.0.0.0
"""

import multiprocessing
import os

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
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
