"""The programme pages from the cache: same HTML, no page queries, changes seen at once,
304 for a current copy, gzip, and the page around the cached part rendered for each visitor.
Anonymous visitors get the whole page from the fast path (sessions/page_cache/fast_path.py)."""

import gzip
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from sessions.models import Material, Participation, ProgrammeVersion
from tests.factories import add_material, add_participation, make_organisation, make_person

from .admin_forms import change_url, session_form
from .html import parse, texts

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR
VERSION_READ = 'SELECT number, changed_at FROM "forum_sessions_programmeversion" WHERE id = 1'


@pytest.fixture
def round_table(session):
    """The round table with a reporter, an organiser and a material: every part of its page."""
    organisation = make_organisation("Union of Russian Cities")
    add_participation(
        session,
        make_person("Petrova", "Anna"),
        organisation=organisation,
        position="Expert",
        report_title="Twinned cities",
    )
    session.organisers.create(organisation=make_organisation("Pskov Region"))
    add_material(session, title="Concept", kind=Material.Kind.CONCEPT)
    return session


PAGES = ["programme", "session", "speakers", "speaker"]


def url_of(name, round_table):
    petrova = round_table.participations.get(person__surname="Petrova").person
    return {
        "programme": "/",
        "session": round_table.get_absolute_url(),
        "speakers": "/speakers/",
        "speaker": petrova.get_absolute_url(),
    }[name]


def main_text(response):
    return parse(response).find("main").text


def reporters(response):
    section = parse(response).find("section", **{"aria-labelledby": "reporters-heading"})
    return texts(section.find_all("li"))


# A cache hit


@pytest.mark.parametrize("name", PAGES)
def test_cache_hit_serves_the_same_page_with_one_query(
    client, round_table, name, django_assert_num_queries
):
    url = url_of(name, round_table)
    first = client.get(url)

    # An anonymous visitor's page comes whole from the fast path: one read of the version.
    with django_assert_num_queries(1) as captured:
        second = client.get(url)

    assert [query["sql"] for query in captured.captured_queries] == [VERSION_READ]
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content


@pytest.mark.parametrize("name", PAGES)
def test_cache_hit_for_a_signed_in_visitor_runs_no_page_queries(
    client, round_table, participant, name, django_assert_num_queries
):
    url = url_of(name, round_table)
    client.force_login(participant)
    client.get(url)

    # Their session, their account, then the forum and the version in one query.
    with django_assert_num_queries(3):
        response = client.get(url)

    assert "My proposals" in nav_links(response)


def test_session_page_warm_cache_queries_do_not_grow_with_its_people(
    client, round_table, django_assert_num_queries
):
    for n in range(20):
        add_participation(round_table, make_person(f"Speaker{n}"))
    client.get(round_table.get_absolute_url())

    with django_assert_num_queries(1):
        response = client.get(round_table.get_absolute_url())

    assert len(reporters(response)) == 21


# Changes are seen at the next request


def test_session_title_changed_in_the_admin_is_seen_at_once(client, superuser_client, round_table):
    assert "Cooperation" in main_text(client.get(round_table.get_absolute_url()))
    assert "International and Cross-Border Cooperation" in main_text(client.get("/"))

    response = superuser_client.post(
        change_url(round_table), session_form(round_table, title="Twinned Cities Today")
    )

    assert response.status_code == 302
    assert (
        parse(client.get(round_table.get_absolute_url())).find("h1").text == "Twinned Cities Today"
    )
    assert parse(client.get("/")).find("article", class_="programme-item").find("h3").text == (
        "Twinned Cities Today"
    )


def test_person_renamed_in_the_admin_is_seen_at_once(client, superuser_client, round_table):
    petrova = round_table.participations.get(person__surname="Petrova").person
    client.get(round_table.get_absolute_url())
    client.get("/speakers/")

    response = superuser_client.post(
        f"/admin/forum_sessions/person/{petrova.pk}/change/",
        {"surname": "Ivanova", "first_name": "Anna", "patronymic": "", "slug": petrova.slug},
    )

    assert response.status_code == 302
    assert reporters(client.get(round_table.get_absolute_url())) == [
        "Ivanova Anna, Union of Russian Cities. Expert Twinned cities"
    ]
    assert "Ivanova Anna" in main_text(client.get("/speakers/"))


def test_participation_changed_through_the_orm_is_seen_at_once(client, round_table):
    client.get(round_table.get_absolute_url())
    participation = round_table.participations.get(person__surname="Petrova")

    participation.report_title = "Public diplomacy"
    participation.save()

    assert reporters(client.get(round_table.get_absolute_url())) == [
        "Petrova Anna, Union of Russian Cities. Expert Public diplomacy"
    ]


def test_participation_unconfirmed_through_the_orm_leaves_the_page(client, round_table):
    client.get(round_table.get_absolute_url())
    participation = round_table.participations.get(person__surname="Petrova")

    participation.is_confirmed = False
    participation.save()

    assert "Petrova" not in main_text(client.get(round_table.get_absolute_url()))


def test_organisation_renamed_through_the_orm_is_seen_at_once(client, round_table):
    client.get(round_table.get_absolute_url())
    organisation = round_table.organisers.get().organisation

    organisation.name = "Pskov Regional Government"
    organisation.save()

    organisers = parse(client.get(round_table.get_absolute_url())).find(
        "section", **{"aria-labelledby": "organisers-heading"}
    )
    assert texts(organisers.find_all("li")) == ["Pskov Regional Government"]


def test_material_deleted_through_the_orm_is_seen_at_once(client, round_table):
    assert "Concept" in main_text(client.get(round_table.get_absolute_url()))

    round_table.materials.get().delete()

    assert (
        parse(client.get(round_table.get_absolute_url())).find_all(
            "section", **{"aria-labelledby": "materials-heading"}
        )
        == []
    )


def test_session_unpublished_after_caching_answers_404(client, round_table):
    assert client.get(round_table.get_absolute_url()).status_code == 200

    round_table.is_published = False
    round_table.save()

    response = client.get(round_table.get_absolute_url())
    assert response.status_code == 404
    assert "International and Cross-Border Cooperation" not in response.content.decode()
    assert "International and Cross-Border Cooperation" not in main_text(client.get("/"))


def test_unpublished_session_is_404_on_every_request(client, round_table):
    round_table.is_published = False
    round_table.save()

    responses = [client.get(round_table.get_absolute_url()) for _ in range(2)]

    assert [r.status_code for r in responses] == [404, 404]


def test_change_moves_the_programme_version(round_table):
    before = ProgrammeVersion.read()

    round_table.title = "Another title"
    round_table.save()

    after = ProgrammeVersion.read()
    assert after.number == before.number + 1
    # The real moment of the change (the pages' Last-Modified), never ahead of the clock.
    assert before.changed_at <= after.changed_at <= timezone.now()


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


def leave_message(client, text):
    """A message waiting in the visitor's cookie, as a view leaves one before a redirect."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies.update(response.cookies)


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


# Compression and the page around the cached part


def test_html_is_gzipped_for_clients_that_accept_it(client, round_table):
    plain = client.get(round_table.get_absolute_url())
    compressed = client.get(round_table.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert len(compressed.content) < len(plain.content) / 2
    text = gzip.decompress(compressed.content).decode()
    assert "International and Cross-Border Cooperation" in text


def nav_links(response):
    nav = parse(response).find("nav", **{"aria-label": "Main"})
    return texts(element for element in nav.iter() if element.tag in {"a", "button"})


def test_signed_in_visitors_see_their_own_navigation_on_cached_pages(
    client, round_table, participant, superuser
):
    anonymous_first = nav_links(client.get(round_table.get_absolute_url()))
    client.force_login(participant)
    participant_nav = nav_links(client.get(round_table.get_absolute_url()))
    client.force_login(superuser)
    superuser_nav = nav_links(client.get(round_table.get_absolute_url()))
    client.logout()
    anonymous_again = nav_links(client.get(round_table.get_absolute_url()))

    assert anonymous_first == anonymous_again == ["Programme", "Speakers", "Log in", "Register"]
    assert participant_nav == [
        "Programme",
        "Speakers",
        "My proposals",
        "My agenda",
        "Profile",
        "Log out",
    ]
    assert superuser_nav == [
        "Programme",
        "Speakers",
        "My proposals",
        "My agenda",
        "Profile",
        "Moderation",
        "Log out",
    ]


def test_cached_page_logout_form_carries_a_working_csrf_token(round_table, participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    client.get(round_table.get_absolute_url())
    cached = client.get(round_table.get_absolute_url())
    token = parse(cached).find("input", name="csrfmiddlewaretoken").attrs["value"]

    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert nav_links(client.get("/")) == ["Programme", "Speakers", "Log in", "Register"]


# The anonymous fast path (sessions/page_cache/fast_path.py)


def test_fast_path_gives_two_anonymous_visitors_the_same_bytes(round_table):
    first = Client().get(round_table.get_absolute_url())

    second = Client().get(round_table.get_absolute_url())

    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Petrova Anna" in main_text(second)


@pytest.mark.parametrize("name", PAGES)
def test_fast_path_gzip_variant_decodes_to_the_plain_page(client, round_table, name):
    url = url_of(name, round_table)
    plain = client.get(url)
    client.get(url, headers={"accept-encoding": "gzip"})

    with CaptureQueriesContext(connection) as captured:
        compressed = client.get(url, headers={"accept-encoding": "gzip"})

    assert len(captured) == 1
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.headers["Content-Length"] == str(len(compressed.content))
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed.headers["ETag"] == f"W/{plain.headers['ETag']}"


def test_fast_path_pages_hold_no_csrf_token_nor_nonce_and_set_no_cookie(client, round_table):
    for name in PAGES:
        url = url_of(name, round_table)
        for response in (client.get(url), client.get(url)):
            assert "csrfmiddlewaretoken" not in response.content.decode()
            assert "nonce" not in response.content.decode()
            assert "nonce" not in response.headers["Content-Security-Policy"]
            assert response.cookies == {}


def test_fast_path_never_gives_a_signed_in_visitor_the_anonymous_page(
    client, round_table, participant
):
    url = round_table.get_absolute_url()
    client.get(url)
    client.get(url, headers={"accept-encoding": "gzip"})
    client.force_login(participant)

    plain = client.get(url)
    compressed = client.get(url, headers={"accept-encoding": "gzip"})

    expected = ["Programme", "Speakers", "My proposals", "My agenda", "Profile", "Log out"]
    assert nav_links(plain) == expected
    assert nav_links(gzip.decompress(compressed.content).decode()) == expected


def test_fast_path_does_not_store_a_page_with_a_message(client, round_table):
    leave_message(client, "Your proposal was saved.")
    with_message = client.get("/")
    assert texts(parse(with_message).find_all("div", role="status")) == ["Your proposal was saved."]

    later = Client().get("/")

    assert parse(later).find_all("div", role="status") == []


def test_fast_path_change_in_the_admin_is_seen_at_the_next_anonymous_request(
    superuser_client, round_table
):
    anonymous = Client()
    petrova = round_table.participations.get(person__surname="Petrova").person
    for url in (round_table.get_absolute_url(), "/speakers/", petrova.get_absolute_url()):
        anonymous.get(url)
        anonymous.get(url)

    response = superuser_client.post(
        f"/admin/forum_sessions/person/{petrova.pk}/change/",
        {"surname": "Ivanova", "first_name": "Anna", "patronymic": "", "slug": petrova.slug},
    )

    assert response.status_code == 302
    assert reporters(anonymous.get(round_table.get_absolute_url())) == [
        "Ivanova Anna, Union of Russian Cities. Expert Twinned cities"
    ]
    assert "Ivanova Anna" in main_text(anonymous.get("/speakers/"))
    assert parse(anonymous.get(petrova.get_absolute_url())).find("h1").text == "Ivanova Anna"


def test_fast_path_answers_304_with_one_query(client, round_table, django_assert_num_queries):
    first = client.get(round_table.get_absolute_url(), headers={"accept-encoding": "gzip"})

    with django_assert_num_queries(1):
        second = client.get(
            round_table.get_absolute_url(),
            headers={"accept-encoding": "gzip", "if-none-match": first.headers["ETag"]},
        )

    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Content-Encoding" not in second.headers
    assert set(second.headers["Cache-Control"].split(", ")) == {"no-cache", "private"}


@pytest.mark.parametrize("status", [200, 304])
def test_fast_path_responses_carry_the_security_headers(client, round_table, status):
    first = client.get("/")
    headers = {"if-none-match": first.headers["ETag"]} if status == 304 else {}

    response = client.get("/", headers=headers)

    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == {
        name: first.headers[name] for name in SECURITY_HEADERS
    }
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert "camera=()" in response.headers["Permissions-Policy"]


SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
]


def test_fast_path_keeps_languages_apart(client, round_table):
    english = client.get("/", headers={"accept-language": "en"})

    russian = client.get("/", headers={"accept-language": "ru"})

    assert (english.headers["Content-Language"], russian.headers["Content-Language"]) == (
        "en",
        "ru",
    )
    assert parse(russian).find("html").attrs["lang"] == "ru"


def test_fast_path_is_off_when_caching_is_off(settings, round_table, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = Client()
    client.get(round_table.get_absolute_url())

    # The whole page is built again, and no version is read for an entry that cannot exist.
    with django_assert_num_queries(5) as captured:
        response = client.get(round_table.get_absolute_url())

    assert VERSION_READ not in [query["sql"] for query in captured.captured_queries]
    assert reporters(response) == ["Petrova Anna, Union of Russian Cities. Expert Twinned cities"]


def test_fast_path_serves_each_speakers_page_apart(client, round_table):
    for n in range(150):
        add_participation(round_table, make_person(f"Zz{n:03}"))
    client.get("/speakers/?page=2")

    second_page = client.get("/speakers/?page=2")
    first_page = client.get("/speakers/")

    assert len(parse(first_page).find_all("a", class_="person-name")) == 100
    assert len(parse(second_page).find_all("a", class_="person-name")) == 52


@pytest.mark.django_db(transaction=True)
def test_fast_path_version_read_replaces_a_dead_kept_connection(round_table):
    """The version read stands in for Django's connection health check (one round trip less
    per page): a connection that died between requests is replaced, not answered with a 500."""
    client = Client()
    first = client.get(round_table.get_absolute_url())
    dead = connection.connection
    # As between two requests of a server: the kept connection is due a health check, and the
    # database server has dropped it meanwhile.
    connection.health_check_done = False
    dead.close()

    second = client.get(round_table.get_absolute_url())

    assert second.status_code == 200
    assert second.content == first.content
    assert connection.connection is not dead


@pytest.mark.parametrize("query", [{"utm_source": "qr"}, {"page": "1"}])
def test_fast_path_leaves_made_up_queries_to_the_view(client, round_table, query):
    """A made-up query is not kept whole, so that made-up queries cannot fill the cache with
    copies of the programme; the view ignores it, and its cached part serves the page."""
    client.get("/", query)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", query)

    assert VERSION_READ not in [q["sql"] for q in captured.captured_queries]
    assert len(captured) == 1  # the forum and the version, for the cached part
    assert parse(response).find("article", class_="programme-item").find("h3").text == (
        "International and Cross-Border Cooperation"
    )


def test_search_goes_to_the_view_and_is_rendered_each_time(client, round_table):
    """Each search is one visitor's, and every distinct text would be one more entry: a
    search is neither kept whole nor as a cached part (sessions/page_cache/__init__.py)."""
    client.get("/", {"q": "cooperation"})

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", {"q": "cooperation"})

    assert VERSION_READ not in [q["sql"] for q in captured.captured_queries]
    assert len(captured) == 6  # the forum and version, then the programme's own queries
    assert parse(response).find("article", class_="programme-item").find("h3").text == (
        "International and Cross-Border Cooperation"
    )


def test_fast_path_refuses_a_forged_host_as_the_whole_stack_does(client, round_table):
    client.get("/")

    response = client.get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "Cooperation" not in response.content.decode()
