from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.views.defaults import server_error

from sessions.models import Material, Participation, Session
from tests.factories import (
    MOSCOW,
    add_material,
    add_participation,
    make_forum,
    make_organisation,
    make_person,
    make_session,
)

from .html import parse, texts

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def at(day, hour, minute=0):
    return datetime(2019, 10, day, hour, minute, tzinfo=MOSCOW)


@pytest.fixture
def programme(forum):
    """Two days of the current forum, out of time order in the database, one unpublished."""
    plenary = make_session(
        forum,
        title="Strategic Planning: Ten Years After",
        slug="plenary",
        format=Session.Format.PLENARY,
        starts_at=at(28, 10),
        duration=timedelta(hours=2, minutes=30),
        room="Congress Hall",
        summary="The federal law on strategic planning.",
    )
    workshop = make_session(
        forum,
        title="Municipal Strategies",
        slug="workshop",
        format=Session.Format.WORKSHOP,
        starts_at=at(29, 10),
        room="3.A1",
        summary="Setting goals for municipal teams.",
    )
    round_table = make_session(
        forum,
        title="Cross-Border Intermunicipal Cooperation",
        slug="round-table",
        format=Session.Format.ROUND_TABLE,
        starts_at=at(28, 17, 15),
        room="4.G9",
        summary="Twinned cities and public diplomacy.",
    )
    make_session(
        forum,
        title="Closed Preparatory Meeting",
        slug="closed",
        starts_at=at(28, 12),
        is_published=False,
        summary="Cross-border preparations.",
    )
    add_participation(
        plenary, make_person("Petrova", "Anna", patronymic="Sergeevna"), role=MODERATOR
    )
    didenko = make_person("Didenko", "Aleksei", slug="didenko")
    ignatyeva = make_person("Ignatyeva", "Alexandra", slug="ignatyeva")
    add_participation(round_table, didenko, role=MODERATOR, order=1)
    add_participation(round_table, ignatyeva, role=MODERATOR, order=2)
    add_participation(round_table, make_person("Hidden", "Moderator"), role=MODERATOR, order=0,
                    is_confirmed=False)  # fmt: skip
    add_participation(workshop, make_person("Sokolov", "Pavel"), is_confirmed=False)
    return {"plenary": plenary, "workshop": workshop, "round_table": round_table}


def programme_days(response):
    """[(day heading, [(time, room, format, title, moderators), …]), …] as the page shows them."""
    page = parse(response)
    days = []
    for section in page.find_all("section", class_="programme-day"):
        items = []
        for article in section.find_all("article", class_="programme-item"):
            room = [div.text for div in article.find_all("div", class_="text-secondary")]
            items.append(
                (
                    article.find(class_="programme-time").text,
                    room[0] if room and room[0].startswith("Room") else "",
                    article.find("span", class_="badge-format").text,
                    article.find("h3").text,
                    room[-1] if room and not room[-1].startswith("Room") else "",
                )
            )
        days.append((section.find("h2").text, items))
    return days


def programme_titles(response):
    return [item[3] for _, items in programme_days(response) for item in items]


# Programme


def test_programme_groups_published_sessions_by_day_in_time_order(client, programme):
    response = client.get("/")

    assert programme_days(response) == [
        (
            "Monday, 28 October 2019",
            [
                (
                    "10:00–12:30",
                    "Room Congress Hall",
                    "Plenary session",
                    "Strategic Planning: Ten Years After",
                    "Moderator: Petrova Anna Sergeevna",
                ),
                (
                    "17:15–19:15",
                    "Room 4.G9",
                    "Round table",
                    "Cross-Border Intermunicipal Cooperation",
                    "Moderators: Didenko Aleksei, Ignatyeva Alexandra",
                ),
            ],
        ),
        (
            "Tuesday, 29 October 2019",
            [("10:00–12:00", "Room 3.A1", "Workshop", "Municipal Strategies", "")],
        ),
    ]


def test_programme_links_sessions_and_moderators_to_their_pages(client, programme):
    response = client.get("/")

    article = parse(response).find_all("article", class_="programme-item")[1]
    assert [(a.text, a.attrs["href"]) for a in article.find_all("a")] == [
        ("Cross-Border Intermunicipal Cooperation", "/sessions/round-table/"),
        ("Add to calendar", "/sessions/round-table/calendar.ics"),
        ("☆ Add to my agenda", "/accounts/login/?next=/"),
        ("Didenko Aleksei", "/speakers/didenko/"),
        ("Ignatyeva Alexandra", "/speakers/ignatyeva/"),
    ]
    assert "Hidden Moderator" not in response.content.decode()


def test_programme_shows_only_the_current_forum(client, programme):
    older = make_forum(edition=17, starts_on=date(2018, 10, 29), ends_on=date(2018, 10, 30))
    make_session(older, title="Last Year's Round Table", starts_at=datetime(2018, 10, 29, 10,
                 tzinfo=MOSCOW))  # fmt: skip

    assert "Last Year's Round Table" not in programme_titles(client.get("/"))


def test_programme_never_lists_unpublished_sessions_even_when_searched(client, programme):
    assert "Closed Preparatory Meeting" not in programme_titles(client.get("/"))
    assert programme_titles(client.get("/", {"q": "preparatory"})) == []
    assert programme_titles(client.get("/", {"q": "cross-border"})) == [
        "Cross-Border Intermunicipal Cooperation"
    ]


def test_programme_filtered_by_day_shows_only_that_moscow_day(client, programme, forum):
    make_session(forum, title="Night Owls", starts_at=at(29, 1))

    response = client.get("/", {"day": "2019-10-29"})

    assert [day for day, _ in programme_days(response)] == ["Tuesday, 29 October 2019"]
    assert programme_titles(response) == ["Night Owls", "Municipal Strategies"]


def test_programme_day_choices_are_the_days_with_published_sessions(client, programme):
    page = parse(client.get("/"))

    options = page.find("select", name="day").find_all("option")
    assert [(o.attrs["value"], o.text) for o in options] == [
        ("", "All days"),
        ("2019-10-28", "28.10.2019"),
        ("2019-10-29", "29.10.2019"),
    ]


def test_programme_filtered_by_format(client, programme):
    response = client.get("/", {"format": "plenary"})

    assert programme_titles(response) == ["Strategic Planning: Ten Years After"]
    options = parse(response).find("select", name="format").find_all("option")
    assert texts(options) == ["All formats", "Plenary session", "Round table", "Workshop"]


def test_programme_search_matches_titles_summaries_and_people(client, programme):
    assert programme_titles(client.get("/", {"q": "strategies"})) == ["Municipal Strategies"]
    assert programme_titles(client.get("/", {"q": "twinned"})) == [
        "Cross-Border Intermunicipal Cooperation"
    ]
    assert programme_titles(client.get("/", {"q": "Petrova"})) == [
        "Strategic Planning: Ten Years After"
    ]


def test_programme_search_ignores_unconfirmed_people(client, programme):
    response = client.get("/", {"q": "Sokolov"})

    assert programme_titles(response) == []
    assert parse(response).find("main").find_all("p")[-1].text == "No sessions match these filters."


def test_programme_filters_combine(client, programme):
    response = client.get("/", {"day": "2019-10-28", "format": "round_table", "q": "didenko"})

    assert programme_titles(response) == ["Cross-Border Intermunicipal Cooperation"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"day": "2019-13-45"},
            "day",
            "Select a valid choice. 2019-13-45 is not one of the available choices.",
        ),
        (
            {"day": "2019-10-30"},
            "day",
            "Select a valid choice. 2019-10-30 is not one of the available choices.",
        ),
        (
            {"format": "banquet"},
            "format",
            "Select a valid choice. banquet is not one of the available choices.",
        ),
        (
            {"q": "x" * 201},
            "q",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        ({"q": "cross\x00border"}, "q", "Null characters are not allowed."),
    ],
)
def test_programme_invalid_filter_shows_error_and_whole_programme(
    client, programme, params, field, message
):
    response = client.get("/", params)

    page = parse(response)
    assert page.find(id=f"id_{field}_error").text == message
    assert page.find(id=f"id_{field}").attrs["aria-invalid"] == "true"
    assert programme_titles(response) == [
        "Strategic Planning: Ten Years After",
        "Cross-Border Intermunicipal Cooperation",
        "Municipal Strategies",
    ]


def test_programme_invalid_filter_keeps_the_valid_ones(client, programme):
    response = client.get("/", {"day": "someday", "format": "round_table"})

    page = parse(response)
    assert page.find(id="id_day_error").text.startswith("Select a valid choice.")
    assert page.find_all(id="id_format_error") == []
    assert programme_titles(response) == ["Cross-Border Intermunicipal Cooperation"]


def test_speakers_too_long_search_shows_error_and_everyone(client, speakers):
    response = client.get("/speakers/", {"q": "x" * 201})

    page = parse(response)
    assert page.find(id="id_q_error").text == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert speaker_names(response) == [
        "Bashkin Alexandr",
        "Ivanov Mikhail",
        "Volkova Olga Andreevna",
    ]


def test_programme_without_any_forum_says_not_published_yet(client, db):
    response = client.get("/")

    assert (
        parse(response).find("main").find("p").text == "The programme has not been published yet."
    )


def test_programme_reset_link_only_when_filtered(client, programme):
    assert "Reset" not in parse(client.get("/")).find("form", role="search").text
    reset = parse(client.get("/", {"format": "workshop"})).find("a", class_="btn-outline-secondary")
    assert (reset.text, reset.attrs["href"]) == ("Reset", "/")


# Session page


@pytest.fixture
def full_session(forum):
    session = make_session(
        forum,
        title="International and Cross-Border Intermunicipal Cooperation",
        slug="cross-border",
        starts_at=at(28, 17, 15),
        room="4.G9",
        summary="Mechanisms of cooperation.\n\nTies do not replace diplomacy.\nMunicipal ties.",
    )
    duma = make_organisation("State Duma")
    cities = make_organisation("Union of Russian Cities")
    add_participation(
        session, make_person("Didenko", "Aleksei"), role=MODERATOR, organisation=duma,
        position="Deputy",
    )  # fmt: skip
    add_participation(
        session, make_person("Ignatyeva", "Alexandra"), organisation=cities,
        position="General Director", order=2,
    )  # fmt: skip
    add_participation(
        session, make_person("Berntsson", "Magnus"), order=1,
        organisation=make_organisation("The Assembly of European Regions"), position="President",
        report_title="Regions of Europe",
    )  # fmt: skip
    add_participation(session, make_person("Unregistered", "Ivan"), order=3, is_confirmed=False)
    for order, name in [(2, "Rossotrudnichestvo"), (1, "Ministry of Foreign Affairs")]:
        session.organisers.create(organisation=make_organisation(name), order=order)
    add_material(
        session, title="Concept", kind=Material.Kind.CONCEPT, url="", order=1,
        file=SimpleUploadedFile("concept.pdf", PDF),
    )  # fmt: skip
    add_material(session, title="Government page", url="https://example.org/docs/", order=2)
    return session


def test_session_page_shows_when_where_and_what(client, full_session):
    page = parse(client.get("/sessions/cross-border/"))

    header = page.find("main").find("header")
    assert header.find("h1").text == "International and Cross-Border Intermunicipal Cooperation"
    assert header.find("span", class_="badge-format").text == "Round table"
    assert texts(header.find("ul", class_="meta-list").find_all("li")) == [
        "Date: 28.10.2019",
        "Time: 17:15–19:15",
        "Room 4.G9",
    ]
    assert header.find("time").attrs["datetime"] == "2019-10-28T17:15:00+03:00"


def test_session_page_shows_every_summary_paragraph(client, full_session):
    page = parse(client.get("/sessions/cross-border/"))

    summary = page.find("section", **{"aria-labelledby": "summary-heading"})
    assert texts(summary.find_all("p")) == [
        "Mechanisms of cooperation.",
        "Ties do not replace diplomacy.",
        "Municipal ties.",
    ]


def test_session_page_lists_confirmed_reporters_in_order_with_affiliation(client, full_session):
    page = parse(client.get("/sessions/cross-border/"))

    reporters = page.find("section", **{"aria-labelledby": "reporters-heading"})
    assert texts(reporters.find("ol").children_of("li")) == [
        "Berntsson Magnus, The Assembly of European Regions. President Regions of Europe",
        "Ignatyeva Alexandra, Union of Russian Cities. General Director",
    ]  # fmt: skip
    assert texts(reporters.find_all(class_="report-title")) == ["Regions of Europe"]
    assert "Unregistered" not in page.text


def test_session_page_shows_moderators_organisers_and_materials(client, full_session):
    page = parse(client.get("/sessions/cross-border/"))
    aside = page.find("aside")

    moderators = aside.find("section", **{"aria-labelledby": "moderators-heading"})
    assert moderators.find("h2").text == "Moderator"
    assert texts(moderators.find_all("li")) == ["Didenko Aleksei State Duma. Deputy"]
    organisers = aside.find("section", **{"aria-labelledby": "organisers-heading"})
    assert texts(organisers.find_all("li")) == ["Ministry of Foreign Affairs", "Rossotrudnichestvo"]
    materials = aside.find("section", **{"aria-labelledby": "materials-heading"})
    concept, link = full_session.materials.all()
    assert [(a.text, a.attrs["href"], "download" in a.attrs) for a in materials.find_all("a")] == [
        ("Concept", f"/sessions/cross-border/materials/{concept.pk}/", True),
        ("Government page", f"/sessions/cross-border/materials/{link.pk}/", False),
    ]
    assert texts(materials.find_all("li")) == [
        "Download the full version of the Concept: Concept (Concept)",
        "Government page (Other)",
    ]


def test_session_page_proposal_button_leads_to_login_then_back(client, full_session):
    page = parse(client.get("/sessions/cross-border/"))

    button = page.find("a", class_="proposal-cta")
    assert button.text == "Proposal"
    # An anonymous visitor ends at the login form, which then brings them back to this session.
    landing = client.get(button.attrs["href"], follow=True)
    login = parse(landing)
    assert (landing.wsgi_request.path, login.find("h1").text) == ("/accounts/login/", "Log in")
    assert login.find("input", name="next").attrs["value"].startswith("/sessions/cross-border/")


def test_session_page_of_unpublished_session_is_the_sites_404(client, forum):
    make_session(forum, title="Closed Meeting", slug="closed", is_published=False)

    response = client.get("/sessions/closed/")

    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("header", class_="site-header").find("nav").text.startswith("Programme")
    assert "Closed Meeting" not in page.text


def test_session_page_of_unknown_slug_is_404(client, forum):
    response = client.get("/sessions/no-such-session/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


# Materials


def test_material_file_downloads_as_attachment_with_type_and_name(client, full_session):
    concept = full_session.materials.get(title="Concept")

    response = client.get(f"/sessions/cross-border/materials/{concept.pk}/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="concept.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_material_link_redirects_to_the_link(client, full_session):
    link = full_session.materials.get(title="Government page")

    response = client.get(f"/sessions/cross-border/materials/{link.pk}/")

    assert (response.status_code, response["Location"]) == (302, "https://example.org/docs/")


def test_material_of_unpublished_session_is_404(client, full_session):
    concept = full_session.materials.get(title="Concept")
    Session.objects.filter(pk=full_session.pk).update(is_published=False)

    response = client.get(f"/sessions/cross-border/materials/{concept.pk}/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


def test_material_under_another_sessions_slug_is_404(client, full_session, forum):
    make_session(forum, slug="other")
    concept = full_session.materials.get(title="Concept")

    response = client.get(f"/sessions/other/materials/{concept.pk}/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


def test_material_whose_file_is_missing_is_404_not_500(client, full_session, settings):
    concept = full_session.materials.get(title="Concept")
    (settings.MEDIA_ROOT / concept.file.name).unlink()

    response = client.get(f"/sessions/cross-border/materials/{concept.pk}/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


# Speakers


@pytest.fixture
def speakers(forum):
    published = make_session(forum, title="Open Round Table", slug="open", starts_at=at(28, 14))
    later = make_session(forum, title="Workshop", slug="later", starts_at=at(29, 10),
                         format=Session.Format.WORKSHOP, room="3.A1")  # fmt: skip
    hidden = make_session(forum, title="Closed Meeting", slug="closed", is_published=False)
    volkova = make_person("Volkova", "Olga", patronymic="Andreevna", slug="volkova")
    add_participation(later, volkova, role=MODERATOR,
                    organisation=make_organisation("Saint Petersburg State University"),
                    position="Associate Professor")  # fmt: skip
    add_participation(published, volkova, report_title="Agglomerations as growth poles",
                    organisation=make_organisation("Leontief Centre"),
                    position="Expert")  # fmt: skip
    add_participation(published, make_person("Bashkin", "Alexandr", slug="bashkin"))
    add_participation(published, make_person("Ivanov", "Mikhail", slug="ivanov"))
    add_participation(published, make_person("Unconfirmed", "Pavel", slug="unconfirmed"),
                    is_confirmed=False)  # fmt: skip
    add_participation(hidden, make_person("Secret", "Vera", slug="secret"))
    return forum


def speaker_names(response):
    return texts(
        parse(response).find("ul", class_="people-list").find_all("a", class_="person-name")
    )


def test_speakers_lists_confirmed_people_of_published_sessions_alphabetically(client, speakers):
    assert speaker_names(client.get("/speakers/")) == [
        "Bashkin Alexandr",
        "Ivanov Mikhail",
        "Volkova Olga Andreevna",
    ]


def test_speakers_shows_each_persons_first_affiliation(client, speakers):
    page = parse(client.get("/speakers/"))

    assert texts(page.find_all(class_="person-affiliation")) == ["Leontief Centre. Expert"]


def test_speakers_search_by_name(client, speakers):
    assert speaker_names(client.get("/speakers/", {"q": "olga"})) == ["Volkova Olga Andreevna"]
    assert speaker_names(client.get("/speakers/", {"q": "secret"})) == []
    assert speaker_names(client.get("/speakers/", {"q": "unconfirmed"})) == []


def test_speakers_search_without_match_says_so(client, speakers):
    page = parse(client.get("/speakers/", {"q": "Nobody"}))

    assert page.find("ul", class_="people-list").text == "Nobody matches this search."


def test_speakers_with_nobody_confirmed_says_so(client, forum):
    page = parse(client.get("/speakers/"))

    assert page.find("ul", class_="people-list").text == "No speakers have been confirmed yet."


def test_speaker_page_lists_public_sessions_with_roles_in_time_order(client, speakers):
    page = parse(client.get("/speakers/volkova/"))

    assert page.find("h1").text == "Volkova Olga Andreevna"
    assert texts(page.find("main").find("ul", class_="people-list").find_all("li")) == [
        "28.10.2019, 14:00–16:00 · Room 4.G9 Open Round Table Reporter Leontief Centre. Expert "
        "Agglomerations as growth poles",
        "29.10.2019, 10:00–12:00 · Room 3.A1 Workshop Moderator Saint Petersburg State "
        "University. Associate Professor",
    ]
    links = page.find("main").find("ul", class_="people-list").find_all("a")
    assert [a.attrs["href"] for a in links] == ["/sessions/open/", "/sessions/later/"]


@pytest.mark.parametrize("slug", ["secret", "unconfirmed", "nobody"])
def test_speaker_page_of_someone_not_public_is_404(client, speakers, slug):
    response = client.get(f"/speakers/{slug}/")

    assert (response.status_code, parse(response).find("h1").text) == (404, "Page not found")


def test_speaker_page_leaves_out_unpublished_sessions(client, speakers):
    hidden = Session.objects.get(slug="closed")
    add_participation(hidden, Participation.objects.filter(person__slug="bashkin").get().person)

    page = parse(client.get("/speakers/bashkin/"))

    items = page.find("main").find("ul", class_="people-list").find_all("a")
    assert texts(items) == ["Open Round Table"]


# Errors


def test_server_error_page_renders_in_the_sites_look(db):
    request = RequestFactory().get("/")

    response = server_error(request)

    assert response.status_code == 500
    page = parse(response.content.decode())
    assert page.find("h1").text == "Something went wrong"
    assert page.find("html").attrs["lang"] == "en"
    assert page.find("a", href="/").text == "Forum Portal"


def test_speakers_list_comes_a_hundred_to_a_page_keeping_the_search(client, forum):
    session = make_session(forum, title="Open Round Table")
    for n in range(230):
        add_participation(session, make_person(f"Speaker{n:03}", "Anna"))
    add_participation(session, make_person("Volkova", "Olga"))

    first = parse(client.get("/speakers/", {"q": "anna"}))
    last = parse(client.get("/speakers/", {"q": "anna", "page": "3"}))

    assert texts(first.find("ul", class_="people-list").find_all("a", class_="person-name"))[
        :2
    ] == ["Speaker000 Anna", "Speaker001 Anna"]
    assert len(first.find_all("a", class_="person-name")) == 100
    assert [(a.attrs["rel"], a.attrs["href"]) for a in first.find_all("a", class_="page-link")] == [
        ("next", "/speakers/?q=anna&page=2")
    ]
    assert texts(last.find_all("a", class_="person-name")) == [
        f"Speaker{n:03} Anna" for n in range(200, 230)
    ]
    assert [(a.attrs["rel"], a.attrs["href"]) for a in last.find_all("a", class_="page-link")] == [
        ("prev", "/speakers/?q=anna&page=2")
    ]
    assert last.find("li", class_="active").text == "Page 3 of 3"
    assert client.get("/speakers/", {"q": "anna", "page": "4"}).status_code == 404


def test_speakers_second_page_links_back_to_the_plain_list(client, forum):
    session = make_session(forum, title="Open Round Table")
    for n in range(101):
        add_participation(session, make_person(f"Speaker{n:03}", "Anna"))

    second = parse(client.get("/speakers/", {"page": "2"}))

    assert texts(second.find_all("a", class_="person-name")) == ["Speaker100 Anna"]
    assert [
        (a.attrs["rel"], a.attrs["href"]) for a in second.find_all("a", class_="page-link")
    ] == [("prev", "/speakers/")]
