"""The programme pages from the cache: a change, in the admin or through the ORM, is seen at
the next request (sessions/page_cache/core.py)."""

import pytest
from django.utils import timezone

from sessions.models import ProgrammeVersion

from .admin_forms import change_url, session_form
from .cached_pages import (
    main_text,
    reporters,
)
from .html import parse, texts

pytestmark = pytest.mark.django_db


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
