"""Two instances of the portal (`make serve` on two ports) over one PostgreSQL database, as
behind a load balancer: logins and organisers' changes hold on both, with no shared cache.
"""

import re

import pytest

from .portal import (
    Server,
    Visitor,
    form_fields,
    fresh_database,
    new_secret_key,
    page_text,
    seed,
    submission_token,
)

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """Instances A and B with one SECRET_KEY, each with its own local-memory cache."""
    logs = tmp_path_factory.mktemp("two-instances")
    password = new_secret_key()[:20]
    secret_key = new_secret_key()
    with fresh_database("multi") as database_url:
        made = seed(database_url, 1, password)
        # One worker each: B's one worker is the one that has the programme in its cache.
        with (
            Server(database_url, logs / "a.log", secret_key=secret_key, workers=1) as a,
            Server(database_url, logs / "b.log", secret_key=secret_key, workers=1) as b,
        ):
            yield a, b, made, password


def test_two_instances_login_on_one_holds_on_the_other(instances):
    a, b, made, password = instances
    slug = made["session"]["slug"]
    on_a = Visitor(a.port)
    on_a.login(made["participants"][0], password)
    form = on_a.get(f"/sessions/{slug}/proposals/new/")
    sent = on_a.post(
        f"/sessions/{slug}/proposals/new/",
        {
            "title": "One register of cross-border projects",
            "wording": "Keep one public register of cross-border projects.",
            "rationale": "Regions repeat each other's work.",
            "addressee": "government",
            "submission_token": submission_token(form.body),
            "submit": "Submit",
        },
    )
    assert sent.status == 302 and re.fullmatch(r"/proposals/\d+/", sent.location), sent

    # The same browser, its requests now sent to B by the load balancer.
    on_b = Visitor(b.port, cookies=on_a.cookies)
    mine = on_b.get("/proposals/")
    assert mine.status == 200, mine
    assert "One register of cross-border projects" in page_text(mine.body)
    detail = on_b.get(sent.location)
    assert "Keep one public register of cross-border projects." in page_text(detail.body)

    # Logged out on A: logged out on B as well.
    assert on_a.post("/accounts/logout/", {}).status == 302
    after = Visitor(b.port, cookies=on_a.cookies).get("/proposals/")
    assert (after.status, after.location) == (302, "/accounts/login/?next=/proposals/")


def test_two_instances_programme_change_on_one_seen_on_the_other_at_once(instances):
    a, b, made, password = instances
    session = made["session"]
    reader = Visitor(b.port)
    before = reader.get("/")
    assert before.status == 200
    assert session["title"] in page_text(before.body)
    # B serves the programme from its cache now: a repeated request is "not modified".
    etag = before.headers["ETag"]
    assert reader.get("/", headers={"If-None-Match": etag}).status == 304

    organiser = Visitor(a.port)
    organiser.login(made["organiser"], password, path="/admin/login/?next=/admin/")
    change = f"/admin/forum_sessions/session/{session['pk']}/change/"
    page = organiser.get(change)
    assert page.status == 200, page
    fields = [
        (name, "Cross-Border and Interregional Cooperation" if name == "title" else value)
        for name, value in form_fields(page.body, "session_form")
        if name != "csrfmiddlewaretoken"
    ]
    saved = organiser.post(change, [*fields, ("_save", "Save")])
    assert (saved.status, saved.location) == (302, "/admin/forum_sessions/session/"), (
        saved.status,
        saved.location,
        page_text(saved.body)[:2000],
    )

    # B's next request shows the new title, though its cache held the old page.
    after = reader.get("/", headers={"If-None-Match": etag})
    assert after.status == 200, after
    text = page_text(after.body)
    assert "Cross-Border and Interregional Cooperation" in text
    assert session["title"] not in text
    detail = reader.get(f"/sessions/{session['slug']}/")
    assert "Cross-Border and Interregional Cooperation" in page_text(detail.body)
