"""A database that stops answering (issue 9, item 1): `make serve` reaches PostgreSQL through a
proxy that, once paused, accepts connections and relays nothing — packets dropped, not refused.

Before forum_portal/dbwatch.py, /healthz and every page hung past 45 s with no 503, and with 10
such requests stuck, static files stopped too. Now, with the defaults (DB_PROBE_TIMEOUT 2 s,
DB_CONNECT_TIMEOUT 5 s, DB_RETRY_SECONDS 5 s): pages caught waiting end with 503 within seconds,
the next ones at once, static files keep coming, /healthz says 503 within its limit, and when
the proxy relays again the portal answers again, without a restart.
"""

import re
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest

from .portal import Server, Visitor, fresh_database, new_secret_key, page_text, seed
from .proxy import PausingProxy

pytestmark = pytest.mark.fault

WORKERS, THREADS = 2, 4
STUCK = 10  # more than the WORKERS × THREADS threads that serve requests


def timed(action, *args):
    started = time.monotonic()
    try:
        response = action(*args)
    except OSError as error:
        return type(error).__name__, time.monotonic() - started
    return response.status, time.monotonic() - started


def test_database_that_hangs_costs_seconds_not_the_portal(tmp_path):
    with fresh_database("hang") as database_url:
        made = seed(database_url, 1, new_secret_key()[:20])
        slug, title = made["session"]["slug"], made["session"]["title"]
        real = urlsplit(database_url)
        with PausingProxy(real.hostname, real.port or 5432) as proxy:
            through_proxy = urlunsplit(real._replace(netloc=f"postgres@127.0.0.1:{proxy.port}"))
            with Server(
                through_proxy,
                tmp_path / "serve.log",
                secret_key=new_secret_key(),
                workers=WORKERS,
                GUNICORN_THREADS=str(THREADS),
            ) as server:
                run_the_hang(server, proxy, slug, title)


def run_the_hang(server, proxy, slug, title):
    # Pages that read the database for an anonymous visitor.
    pages = ["/", f"/sessions/{slug}/", "/speakers/", "/accounts/login/"]
    home = Visitor(server.port).get("/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home.body).group(1)

    def visit(path):
        return Visitor(server.port, timeout=60).get(path)

    # Every thread of every worker opens its connection and keeps it (CONN_MAX_AGE).
    with ThreadPoolExecutor(max_workers=2 * STUCK) as pool:
        warm = list(pool.map(lambda n: visit(pages[n % len(pages)]).status, range(40)))
    assert set(warm) <= {200, 302}, warm

    proxy.pause()
    # Ten visitors at once, each on a connection of their own, while the database is silent.
    with ThreadPoolExecutor(max_workers=STUCK) as pool:
        stuck = [pool.submit(timed, visit, pages[n % len(pages)]) for n in range(STUCK)]
        time.sleep(0.3)
        static_meanwhile = timed(lambda: Visitor(server.port, timeout=60).get(stylesheet))
        health_meanwhile = timed(lambda: Visitor(server.port, timeout=60).get("/healthz"))
        stuck = [future.result() for future in stuck]
    # Found down now: pages answer 503 at once (a worker that has not met the hang yet notices
    # it with the first page it serves: 1 s, and 2 s to ask), static files as ever.
    later = [timed(lambda path=path: Visitor(server.port).get(path)) for path in pages]
    static_later = timed(lambda: Visitor(server.port).get(stylesheet))
    health_later = timed(lambda: Visitor(server.port).get("/healthz"))
    summary = (
        f"stuck: {stuck}; static meanwhile: {static_meanwhile}; /healthz meanwhile: "
        f"{health_meanwhile}; later: {later}; static later: {static_later}; /healthz later: "
        f"{health_later}\n{server.log_tail()}"
    )
    print(summary)

    assert [status for status, _seconds in stuck] == [503] * STUCK, summary
    # Each page caught waiting: noticed after 1 s, asked (2 s), or its new connection's 5 s.
    assert max(seconds for _status, seconds in stuck) < 8, summary
    assert static_meanwhile[0] == 200 and static_meanwhile[1] < 8, summary
    assert health_meanwhile[0] == 503 and health_meanwhile[1] < 8, summary
    assert [status for status, _seconds in later] == [503] * len(pages), summary
    assert max(seconds for _status, seconds in later) < 4, summary
    assert static_later[0] == 200 and static_later[1] < 0.5, summary
    assert health_later[0] == 503 and health_later[1] < 2.5, summary

    proxy.resume()
    resumed = time.monotonic()
    visitor = Visitor(server.port)
    while visitor.get("/healthz").status != 200 and time.monotonic() - resumed < 15:
        time.sleep(0.2)
    recovered = time.monotonic() - resumed
    answers = {path: Visitor(server.port).get(path).status for path in pages}
    programme = Visitor(server.port).get("/")
    print(f"recovered in {recovered:.1f} s: {answers}")

    # Every worker asks again within DB_RETRY_SECONDS (5) and finds the database back.
    assert recovered < 8, server.log_tail()
    assert answers == dict.fromkeys(pages, 200), answers
    assert title in page_text(programme.body)
