"""In-process measurements for the benchmark, against the database in DATABASE_URL.

python bench/probe.py targets STATIC_DIR  → JSON: each target's URL, compressed size and SQL
    queries (cold cache and warm cache); writes the static copy of the session page into
    STATIC_DIR; prepares logged-in participants (session cookie, CSRF token) for the POST.
python bench/probe.py render              → JSON: milliseconds to render the programme with
    the cache emptied before each request (median of 15), and its query count.
python bench/probe.py count               → JSON: how many proposals the database holds.
"""

import gzip
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from proposals.models import Proposal  # noqa: E402
from sessions.models import Person, Session  # noqa: E402

GZIP = {"accept-encoding": "gzip"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=GZIP, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response


def targets(static_dir):
    client = Client()
    session = Session.objects.published().order_by("starts_at", "pk").first()
    speaker = Person.objects.in_programme().order_by("pk").first()
    pages = {
        "programme": "/",
        "session page": session.get_absolute_url(),
        "speakers list": "/speakers/",
        "speaker page": speaker.get_absolute_url(),
        "API sessions (first 50)": "/api/v1/sessions/",
    }
    result = {}
    for name, url in pages.items():
        cache.clear()
        cold, _ = queries(client, url)
        warm, response = queries(client, url)
        result[name] = {
            "url": url,
            "bytes": len(response.content),
            "queries_cold": cold,
            "queries_warm": warm,
        }
        if name == "session page":
            html = gzip.decompress(response.content)
            Path(static_dir).mkdir(parents=True, exist_ok=True)
            (Path(static_dir) / "session-page.html").write_bytes(html)
            (Path(static_dir) / "session-page.html.gz").write_bytes(gzip.compress(html, 9))
            result["static copy of the session page"] = {
                "url": "/static/bench/session-page.html",
                "bytes": len(gzip.compress(html, 9)),
                "queries_cold": 0,
                "queries_warm": 0,
            }
    css = staticfiles_storage.url("css/portal.css")
    result["static CSS file"] = {
        "url": css,
        "bytes": len(
            gzip.compress((Path(staticfiles_storage.path("css/portal.css"))).read_bytes())
        ),
        "queries_cold": 0,
        "queries_warm": 0,
    }
    result["first load of the session page"] = first_load(client, pages["session page"])
    result["proposal POST"] = proposal_post(session)
    return result


def first_load(client, url):
    """Compressed bytes of everything a first visit to the session page downloads."""
    html = gzip.decompress(client.get(url, headers=GZIP).content).decode()
    total = len(gzip.compress(html.encode(), 6))
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg|woff2?))"', html)
    sizes = {}
    for asset in assets:
        path = Path(staticfiles_storage.location) / asset.removeprefix("/static/")
        compressed = path.with_name(path.name + ".gz")
        sizes[asset] = len(compressed.read_bytes() if compressed.exists() else path.read_bytes())
    blocking = re.findall(r"<script(?![^>]*\b(?:defer|async)\b)[^>]*>", html)
    return {"html": total, "assets": sizes, "total": total + sum(sizes.values()),
            "blocking_scripts": len(blocking)}  # fmt: skip


def proposal_post(session):
    """Log in every benchmark participant; count one POST's queries."""
    users = []
    for user in get_user_model().objects.filter(email__startswith="bench").order_by("pk"):
        client = Client()
        client.force_login(user)
        form = client.get(f"/sessions/{session.slug}/proposals/new/")
        users.append(
            {
                "sessionid": client.cookies["sessionid"].value,
                "csrftoken": client.cookies["csrftoken"].value,
                "token": TOKEN.search(form.content.decode()).group(1),
            }
        )
    slugs = list(
        Session.objects.published().filter(accepts_proposals=True).values_list("slug", flat=True)
    )
    client = Client()
    client.force_login(get_user_model().objects.get(email="bench0@example.org"))
    form = client.get(f"/sessions/{session.slug}/proposals/new/")
    data = {
        "csrfmiddlewaretoken": TOKEN.search(form.content.decode()).group(1),
        "title": "Probe proposal",
        "wording": "Probe wording",
        "rationale": "Probe rationale",
        "addressee": "regional",
        "submission_token": "5b0c7a4e-0000-4000-8000-000000000001",
        "submit": "Submit",
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/sessions/{session.slug}/proposals/new/", data)
    assert response.status_code == 302, response.content[:2000]
    Proposal.objects.filter(title="Probe proposal").delete()
    return {"users": users, "slugs": slugs, "queries_cold": len(captured),
            "queries_warm": len(captured), "bytes": 0}  # fmt: skip


def render():
    client = Client()
    cache.clear()
    count, _ = queries(client, "/")
    times = []
    for _ in range(15):
        cache.clear()
        start = time.perf_counter()
        client.get("/", headers=GZIP)
        times.append((time.perf_counter() - start) * 1000)
    sessions = Session.objects.published().count()
    return {"sessions": sessions, "ms": statistics.median(times), "queries": count}


def main():
    command = sys.argv[1]
    if command == "targets":
        print(json.dumps(targets(sys.argv[2])))
    elif command == "render":
        print(json.dumps(render()))
    elif command == "count":
        print(json.dumps({"proposals": Proposal.objects.count()}))


if __name__ == "__main__":
    main()
