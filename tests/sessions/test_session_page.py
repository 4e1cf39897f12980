"""A session's page, and the materials it offers for download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import Material, Participation, Session
from tests.factories import (
    add_material,
    add_participation,
    at,
    make_organisation,
    make_person,
    make_session,
)

from .html import parse, texts

pytestmark = pytest.mark.django_db

MODERATOR = Participation.Role.MODERATOR
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


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
