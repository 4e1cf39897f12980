import re
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import Material, Participation, Session
from tests.factories import (
    MOSCOW,
    add_material,
    add_participation,
    make_organisation,
    make_person,
    make_session,
)

from .admin_forms import change_url, session_form
from .html import parse, texts
from .material_files import pdf_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
CHANGELIST = "/admin/forum_sessions/session/"


def changelist_titles(response):
    return texts(parse(response).find_all("th", class_="field-title"))


def test_admin_requires_staff_login(client, session):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"


def test_admin_session_changelist_lists_every_session(superuser_client, session, other_session):
    make_session(session.forum, title="Closed Meeting", is_published=False)

    response = superuser_client.get(CHANGELIST)

    assert sorted(changelist_titles(response)) == [
        "Closed Meeting",
        "International and Cross-Border Cooperation",
        "Spatial Development",
    ]


def test_admin_session_changelist_search(superuser_client, session, other_session):
    response = superuser_client.get(CHANGELIST, {"q": "spatial"})

    assert changelist_titles(response) == ["Spatial Development"]


def test_admin_session_changelist_filters_by_published_and_format(superuser_client, session):
    make_session(session.forum, title="Closed Meeting", is_published=False)
    make_session(session.forum, title="Plenary", format=Session.Format.PLENARY)

    unpublished = superuser_client.get(CHANGELIST, {"is_published__exact": "0"})
    plenary = superuser_client.get(CHANGELIST, {"format__exact": "plenary"})

    assert changelist_titles(unpublished) == ["Closed Meeting"]
    assert changelist_titles(plenary) == ["Plenary"]
    filters = parse(plenary).find(id="changelist-filter")
    assert "Plenary session" in texts(filters.find_all("a"))


def test_admin_session_change_form_shows_the_three_inlines(superuser_client, session):
    add_material(session, title="Government page", url="https://example.org/docs/")
    session.organisers.create(organisation=make_organisation("Rossotrudnichestvo"), order=1)

    page = parse(superuser_client.get(change_url(session)))

    headings = [page.find(id=f"{prefix}-group").find("h2").text for prefix in
                ("participations", "organisers", "materials")]  # fmt: skip
    assert headings == ["Participations", "Organisers", "Materials"]
    moderator = page.find("select", name="participations-0-person")
    assert texts(moderator.find_all("option", selected=True)) == ["Didenko Aleksei"]
    assert page.find("input", name="materials-0-title").attrs["value"] == "Government page"
    organiser = page.find("select", name="organisers-0-organisation")
    assert texts(organiser.find_all("option", selected=True)) == ["Rossotrudnichestvo"]


def test_admin_saving_a_session_with_a_new_participation(superuser_client, forum):
    session = make_session(forum, title="Round table", slug="round-table")
    person = make_person("Ignatyeva", "Alexandra")
    cities = make_organisation("Union of Russian Cities")

    response = superuser_client.post(
        change_url(session),
        session_form(
            session,
            participations=[
                {
                    "session": str(session.pk),
                    "order": "2",
                    "role": "speaker",
                    "person": str(person.pk),
                    "organisation": str(cities.pk),
                    "position": "General Director",
                    "report_title": "Twinned cities",
                    "is_confirmed": "on",
                },
            ],  # fmt: skip
            room="4.G9 (changed)",
        ),
    )

    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]
    assert response["Location"] == CHANGELIST
    session.refresh_from_db()
    assert session.room == "4.G9 (changed)"
    participation = session.participations.get()
    assert (participation.person, participation.role, participation.affiliation) == (
        person,
        Participation.Role.SPEAKER,
        "Union of Russian Cities. General Director",
    )
    assert (participation.report_title, participation.is_confirmed) == ("Twinned cities", True)


def test_admin_saving_a_session_that_ends_before_it_starts_is_refused(superuser_client, forum):
    session = make_session(forum, title="Round table")

    response = superuser_client.post(
        change_url(session), session_form(session, ends_at_0="2019-10-27")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Constraint “session_ends_after_start” is violated."
    ]
    session.refresh_from_db()
    assert session.ends_at > session.starts_at


def post_concept_material(client, session, **fields):
    """Save the session's change form with one concept material in its inline."""
    material = {"session": str(session.pk), "order": "1", "title": "Concept", "kind": "concept"}
    return client.post(
        change_url(session),
        session_form(session, materials=[{**material, "url": "", **fields}]),
    )


def test_admin_uploading_a_material_stores_it_under_a_generated_name(superuser_client, forum):
    session = make_session(forum, title="Round table")
    upload = SimpleUploadedFile("C:\\Users\\moderator\\Concept draft.pdf", PDF)

    response = post_concept_material(superuser_client, session, file=upload)

    assert response.status_code == 302
    material = session.materials.get()
    assert re.fullmatch(r"materials/[0-9a-f]{32}\.pdf", material.file.name), material.file.name
    assert material.file.read() == PDF


def test_admin_uploading_a_disguised_file_is_refused_with_a_message(superuser_client, forum):
    session = make_session(forum, title="Round table")
    upload = SimpleUploadedFile("concept.pdf", b"MZ\x90\x00 an executable")

    response = post_concept_material(superuser_client, session, file=upload)

    assert response.status_code == 200
    materials = response.context["inline_admin_formsets"][2].formset
    assert materials.errors == [{"file": ["The file's content does not match its PDF extension."]}]
    assert not Material.objects.exists()


def test_admin_uploading_a_forged_pdf_is_refused_with_a_message(superuser_client, forum):
    session = make_session(forum, title="Round table")
    upload = SimpleUploadedFile("concept.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>")

    response = post_concept_material(superuser_client, session, file=upload)

    assert response.status_code == 200
    materials = response.context["inline_admin_formsets"][2].formset
    assert materials.errors == [
        {
            "file": [
                "This file is not a readable PDF document: it is damaged, incomplete or of "
                "another kind. Open it, save it again as PDF and upload the new copy."
            ]
        }
    ]
    assert not Material.objects.exists()


def test_admin_material_without_file_or_link_is_refused_with_a_message(superuser_client, forum):
    session = make_session(forum, title="Round table")

    response = post_concept_material(superuser_client, session)

    assert response.status_code == 200
    materials = response.context["inline_admin_formsets"][2].formset
    assert materials.errors == [{"__all__": ["Give either a file or a link, not both."]}]
    assert not Material.objects.exists()


def test_admin_saving_a_session_keeps_its_uploaded_materials(superuser_client, forum):
    session = make_session(forum, title="Round table")
    material = add_material(session, title="Concept", url="", file=SimpleUploadedFile("c.pdf", PDF))

    response = superuser_client.post(change_url(session), session_form(session, room="2.B4"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room == "2.B4"
    assert session.materials.get().file.name == material.file.name


def test_admin_saving_a_session_whose_old_material_file_is_gone_still_works(
    superuser_client, forum, settings
):
    # An old upload that is no longer on disk (restored database, cleaned media) must not
    # stop a moderator from editing the session's time or room.
    session = make_session(forum, title="Round table")
    material = add_material(session, title="Concept", url="", file=SimpleUploadedFile("c.pdf", PDF))
    (settings.MEDIA_ROOT / material.file.name).unlink()

    response = superuser_client.post(change_url(session), session_form(session, room="2.B4"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room == "2.B4"


def test_admin_person_autocomplete_finds_people_by_surname(superuser_client, session):
    didenko = session.participations.get().person
    make_person("Kuznetsov", "Dmitry")

    response = superuser_client.get(
        "/admin/autocomplete/",
        {"app_label": "forum_sessions", "model_name": "participation",
         "field_name": "person", "term": "Did"},
    )  # fmt: skip

    assert response.json() == {
        "results": [{"id": str(didenko.pk), "text": "Didenko Aleksei"}],
        "pagination": {"more": False},
    }


def test_admin_organisation_autocomplete_for_organisers(superuser_client, session):
    cities = make_organisation("Union of Russian Cities")
    make_organisation("State Duma")

    response = superuser_client.get(
        "/admin/autocomplete/",
        {"app_label": "forum_sessions", "model_name": "sessionorganiser",
         "field_name": "organisation", "term": "union"},
    )  # fmt: skip

    assert response.json()["results"] == [{"id": str(cities.pk), "text": "Union of Russian Cities"}]


def test_admin_person_changelist_shows_full_names_by_surname(superuser_client, db):
    make_person("Volkova", "Olga", patronymic="Andreevna")
    make_person("Bashkin", "Alexandr")

    page = parse(superuser_client.get("/admin/forum_sessions/person/"))

    assert texts(page.find_all("th", class_="field-full_name")) == [
        "Bashkin Alexandr",
        "Volkova Olga Andreevna",
    ]


def test_admin_session_changelist_date_hierarchy_narrows_to_a_moscow_day(superuser_client, forum):
    make_session(forum, title="Small hours", starts_at=datetime(2019, 10, 29, 1, tzinfo=MOSCOW))
    make_session(forum, title="Evening", starts_at=datetime(2019, 10, 28, 19, tzinfo=MOSCOW))

    response = superuser_client.get(
        CHANGELIST, {"starts_at__year": "2019", "starts_at__month": "10", "starts_at__day": "29"}
    )

    assert changelist_titles(response) == ["Small hours"]


def test_admin_participation_inline_person_uses_autocomplete(superuser_client, session):
    add_participation(session, make_person("Ignatyeva", "Alexandra"))

    page = parse(superuser_client.get(change_url(session)))

    select = page.find("select", name="participations-1-person")
    assert "admin-autocomplete" in select.classes
    assert select.attrs["data-field-name"] == "person"
