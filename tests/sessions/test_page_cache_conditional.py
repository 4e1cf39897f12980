"""The programme pages' conditional requests: 304 for a current copy, the new page for an
older one, per-visitor ETags (sessions/page_cache/conditional.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from sessions.models import ProgrammeVersion

from .cached_pages import (
    PAGES,
    leave_message,
    main_text,
    url_of,
)
from .html import parse, texts

pytestmark = pytest.mark.django_db


# Conditional requests


@pytest.mark.parametrize("name", PAGES)
def test_current_copy_with_if_none_match_gets_304(client, round_table, name):
    url = url_of(name, round_table)
    first = client.get(url)

    second = client.get(url, headers={"if-none-match": first.headers["ETag"]})

    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == first.headers["ETag"]


def test_current_copy_with_if_modified_since_gets_304(client, round_table):
    first = client.get(round_table.get_absolute_url())

    second = client.get(
        round_table.get_absolute_url(),
        headers={"if-modified-since": first.headers["Last-Modified"]},
    )

    assert second.status_code == 304


def test_copy_older_than_a_change_gets_the_new_page(client, round_table):
    first = client.get(round_table.get_absolute_url())
    round_table.title = "Twinned Cities Today"
    round_table.save()

    second = client.get(
        round_table.get_absolute_url(),
        headers={
            "if-none-match": first.headers["ETag"],
            "if-modified-since": first.headers["Last-Modified"],
        },
    )

    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert parse(second).find("h1").text == "Twinned Cities Today"


def test_pages_must_be_revalidated_and_stay_private(client, round_table):
    response = client.get(round_table.get_absolute_url())

    assert set(response.headers["Cache-Control"].split(", ")) == {"no-cache", "private"}


def test_gzipped_etag_still_matches(client, round_table):
    """GZipMiddleware weakens the ETag; the browser sends the weak one back."""
    first = client.get(round_table.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert first.headers["ETag"].startswith('W/"')

    second = client.get(
        round_table.get_absolute_url(),
        headers={"accept-encoding": "gzip", "if-none-match": first.headers["ETag"]},
    )

    assert second.status_code == 304


def test_etag_differs_between_visitors(client, round_table, participant, another_participant):
    anonymous = client.get(round_table.get_absolute_url()).headers["ETag"]
    client.force_login(participant)
    first = client.get(round_table.get_absolute_url())
    client.force_login(another_participant)

    second = client.get(
        round_table.get_absolute_url(), headers={"if-none-match": first.headers["ETag"]}
    )

    assert len({anonymous, first.headers["ETag"], second.headers["ETag"]}) == 3
    assert second.status_code == 200


def test_signed_in_visitor_gets_no_last_modified(participant_client, round_table):
    response = participant_client.get(round_table.get_absolute_url())

    assert "Last-Modified" not in response.headers
    assert response.headers["ETag"]


def test_pending_message_sends_the_whole_page(client, round_table):
    first = client.get("/")
    leave_message(client, "Your proposal was saved.")

    second = client.get("/", headers={"if-none-match": first.headers["ETag"]})

    assert second.status_code == 200
    assert texts(parse(second).find_all("div", role="status")) == ["Your proposal was saved."]


def test_deadline_passing_changes_the_page_without_a_programme_change(
    client, round_table, monkeypatch
):
    deadline = timezone.now() + timedelta(hours=1)
    round_table.proposals_deadline = deadline
    round_table.save()
    open_page = client.get(round_table.get_absolute_url())
    assert "The deadline for proposals to this session has passed." not in main_text(open_page)
    later = deadline + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    closed_page = client.get(
        round_table.get_absolute_url(),
        headers={
            "if-none-match": open_page.headers["ETag"],
            "if-modified-since": open_page.headers["Last-Modified"],
        },
    )

    assert closed_page.status_code == 200
    assert "The deadline for proposals to this session has passed." in main_text(closed_page)
    version = ProgrammeVersion.read()
    assert closed_page.headers["Last-Modified"] == http_date(
        max(deadline, version.changed_at).timestamp()
    )
