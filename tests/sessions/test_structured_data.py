"""What search engines and link previews read: JSON-LD, Open Graph, the sitemap, robots.txt."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime

import pytest
from django.conf import settings
from lxml import etree

from sessions.models import Participation, Session
from tests.factories import MOSCOW, add_participation, make_person, make_session

from .html import parse
from .seed import SEED_MODERATOR, SEED_REPORTERS

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def json_ld(response):
    """Every JSON-LD block of a page, parsed."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


def sitemap_locations(client):
    document = etree.fromstring(client.get("/sitemap.xml").content)
    return [loc.text for loc in document.iter(f"{SITEMAP}loc")]


def test_session_json_ld_holds_the_seed_round_table_facts(client, demo):
    (event,) = json_ld(client.get(demo.get_absolute_url()))

    assert (event["@context"], event["@type"], event["name"]) == (
        "https://schema.org",
        "Event",
        "International and Cross-Border Intermunicipal Cooperation",
    )
    assert (event["startDate"], event["endDate"]) == (
        "2019-10-28T17:15:00+03:00",
        "2019-10-28T19:15:00+03:00",
    )
    assert datetime.fromisoformat(event["startDate"]) == datetime(
        2019, 10, 28, 17, 15, tzinfo=MOSCOW
    )
    assert event["location"] == {
        "@type": "Place",
        "name": "4.G9, Saint Petersburg",
        "address": {"@type": "PostalAddress", "addressLocality": "Saint Petersburg"},
    }
    assert [p["name"] for p in event["performer"]] == [SEED_MODERATOR, *SEED_REPORTERS]
    assert event["performer"][0]["url"] == f"{SITE}/speakers/didenko-aleksei/"
    assert [o["name"] for o in event["organizer"]] == [
        o.organisation.name for o in demo.organisers.all()
    ]
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["inLanguage"] == "en"
    assert event["url"] == f"{SITE}{demo.get_absolute_url()}"


def test_session_json_ld_title_cannot_close_the_script(client, session):
    session.title = 'Evil </script><script>alert("x")</script> & <!-- more'
    session.save()

    response = client.get(session.get_absolute_url())
    (event,) = json_ld(response)

    assert event["name"] == session.title
    assert response.content.decode().count("</script>") == 2  # the JSON-LD's and Bootstrap's
    assert "<script>alert" not in response.content.decode()


def test_session_json_ld_leaves_out_unconfirmed_people(client, session):
    add_participation(session, make_person("Unconfirmed", "Ivan"), is_confirmed=False)

    (event,) = json_ld(client.get(session.get_absolute_url()))

    assert [p["name"] for p in event["performer"]] == ["Didenko Aleksei"]


def test_programme_json_ld_is_an_item_list_of_published_sessions(client, session, other_session):
    make_session(session.forum, title="Hidden", is_published=False)
    add_participation(other_session, make_person("Unconfirmed", "Ivan"), is_confirmed=False,
                      role=Participation.Role.MODERATOR)  # fmt: skip

    (item_list,) = json_ld(client.get("/"))

    assert item_list["@type"] == "ItemList"
    items = item_list["itemListElement"]
    assert [(i["position"], i["item"]["@type"], i["item"]["name"]) for i in items] == [
        (1, "Event", session.title),
        (2, "Event", other_session.title),
    ]
    assert [[p["name"] for p in i["item"]["performer"]] for i in items] == [
        ["Didenko Aleksei"],
        ["Kuznetsov Dmitry"],
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_programme_json_ld_queries_do_not_grow(client, forum, django_assert_num_queries, count):
    for n in range(count):
        session = make_session(forum, title=f"Session {n}")
        add_participation(session, role=Participation.Role.MODERATOR)

    # As tests/sessions/test_queries.py: version, forum, forum for the header, days, formats,
    # sessions, moderators. The JSON-LD adds none.
    with django_assert_num_queries(7):
        response = client.get("/")

    assert len(json_ld(response)[0]["itemListElement"]) == count


@pytest.mark.parametrize(
    ("path", "title", "language", "locale"),
    [
        ("/", "XVIII All-Russia Forum of Strategic Planning Leaders", "en", "en_US"),
        ("/", "XVIII All-Russia Forum of Strategic Planning Leaders", "ru", "ru_RU"),
        ("/speakers/", "XVIII All-Russia Forum of Strategic Planning Leaders", "en", "en_US"),
        ("/sessions/session/", "International and Cross-Border Cooperation", "en", "en_US"),
    ],
)
def test_open_graph_and_twitter_tags(client, session, path, title, language, locale):
    session.slug = "session"
    session.save()

    response = client.get(path, headers={"accept-language": language})
    meta = {
        m.attrs.get("property") or m.attrs.get("name"): m.attrs["content"]
        for m in parse(response).find_all("meta")
        if "content" in m.attrs
    }

    assert meta["og:title"] == title
    assert meta["og:type"] == "website"
    assert meta["og:url"] == f"{SITE}{path}"
    assert meta["og:locale"] == locale
    assert meta["og:description"]
    assert meta["twitter:card"] == "summary"


def test_open_graph_tags_are_the_same_for_every_anonymous_visitor(client, session):
    first = client.get(session.get_absolute_url(), headers={"host": "127.0.0.1"})
    second = client.get(session.get_absolute_url(), headers={"host": "localhost"})

    def tags(response):
        return [m.attrs for m in parse(response).find_all("meta")]

    assert tags(first) == tags(second)


def test_sitemap_lists_exactly_the_published_sessions_and_people(client, session, other_session):
    make_session(session.forum, title="Hidden", slug="hidden", is_published=False)
    add_participation(session, make_person("Unconfirmed", "Ivan", slug="unconfirmed"),
                      is_confirmed=False)  # fmt: skip
    people = sorted(
        p.person.get_absolute_url() for p in Participation.objects.public().select_related("person")
    )

    assert sitemap_locations(client) == [
        f"{SITE}/",
        f"{SITE}/speakers/",
        *[f"{SITE}{s.get_absolute_url()}" for s in (session, other_session)],
        *[f"{SITE}{url}" for url in people],
    ]


def test_sitemap_lastmod_is_the_session_change(client, session):
    document = etree.fromstring(client.get("/sitemap.xml").content)
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in document.iter(f"{SITEMAP}url")
    }

    session.refresh_from_db()
    assert entries[f"{SITE}{session.get_absolute_url()}"] == session.updated_at.date().isoformat()


@pytest.mark.parametrize("count", [1, 3])
def test_sitemap_queries_do_not_grow(client, forum, django_assert_num_queries, count):
    for n in range(count):
        add_participation(make_session(forum, title=f"Session {n}"))

    # The version (the pages' lastmod); for sessions and for people, the paginator's count and
    # the list (people with their last change).
    with django_assert_num_queries(5):
        locations = sitemap_locations(client)

    assert len(locations) == 2 + 2 * count
    assert Session.objects.count() == count


def test_robots_txt_allows_the_public_pages_and_links_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /proposals/",
        f"Sitemap: {SITE}/sitemap.xml",
    ]


@pytest.mark.parametrize(
    ("extra", "site_url"),
    [
        ({}, "https://forum.example.org"),
        ({"SITE_URL": "https://programme.example.org/"}, "https://programme.example.org"),
    ],
)
def test_site_url_in_production_defaults_to_the_first_allowed_host(tmp_path, extra, site_url):
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SITE_URL", "HTTPS"}},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "forum.example.org,www.forum.example.org",
            "DJANGO_SETTINGS_MODULE": "forum_portal.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            **extra,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == site_url
