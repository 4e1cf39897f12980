"""`manage.py load_demo`: the seed round table (shared/seeds) and the demo sessions."""

from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from sessions.models import Forum, Material, Organisation, Participation, Person, Session
from tests.factories import MOSCOW

from .html import parse, texts

pytestmark = pytest.mark.django_db

CONCEPT_FILE = (
    Path(settings.BASE_DIR)
    / "fixtures/media/materials/concept-international-cross-border-intermunicipal-cooperation.docx"
)
ORGANISERS = [
    "State Duma Committee on Federal System and Issues of Local Self-Government",
    "State Duma Committee on Regional Policy and Problems of North and Far East",
    "Ministry of Foreign Affairs of the Russian Federation",
    "Rossotrudnichestvo",
    "Union of Russian Cities",
    "All-Russian Congress of Municipalities",
]
DUMA = (
    "State Duma of the Federal Assembly of the Russian Federation. Deputy of the State Duma - "
    "Chairman of the Committee for Federal Management and Local Self-Government"
)
POLAND = (
    "Public diplomacy and international cross-border cooperation of the Republic of Poland "
    "and the Kaliningrad region of the Russian Federation"
)
# The "Reporters" list of the seed page, in its order: name, affiliation, report title.
REPORTERS = [
    ("Didenko Aleksei", DUMA, "International and Cross-Border Intermunicipal Cooperation"),
    ("Ignatyeva Alexandra", "Union of Russian Cities. General Director", ""),
    (
        "Sidorov Aleksandr",
        "Rossotrudnichestvo. Head of Section (Section for interaction with subjects of Russian "
        "Federation and municipal international cooperation)",
        "",
    ),
    ("Berntsson Magnus", "The Assembly of European Regions. President / President of the R20", ""),
    (
        "Bashkin Alexandr",
        "The Council of the Federal Assembly of the Russian Federation. Deputy Chairman of the "
        "Federation Council Committee on constitutional legislation and state building",
        "",
    ),
    ("Shvakova Yulia", "Ministry of Economic Development of Saratov region. Minister", ""),
    (
        "Turlanov Daniil",
        "Ministry of economic development of the Russian Federation. Deputy Head of Division",
        "",
    ),
    (
        "Olkhovik Irina",
        "Tiraspol and Dnestrovsk State Administration. Deputy Head of Tiraspol and Dnestrovsk "
        "State Administration",
        "",
    ),
    (
        "Gronholm Bjorn Mikael Valfrid",
        "Union of the Baltic Cities Sustainable Cities Commission. Head of Secretariat",
        "City network practices in cross-border cooperation – case of UBC",
    ),
    (
        "Tolstoguzov Oleg",
        "Institute of Economics of the Karelian Research Centre of the Russian Academy of "
        "Sciences. Head Researcher",
        "",
    ),
    (
        "Valiullin Renat",
        "Government of the Republic of Tatarstan. Permanent representative Republic of "
        "Tatarstan in St. Petersburg and Leningrad region",
        "",
    ),
    (
        "Samusjew Malgorzata",
        "Association of Polish Communes of Euroregion Baltic. Secretariat Director",
        POLAND,
    ),
    (
        "Maksimchuk Galina",
        "Department for Internal Policy of the Government of the Kaliningrad Region. Expert",
        POLAND,
    ),
]
DEMO_PUBLISHED = [
    "Strategic Planning in Russia: Ten Years After the Law",
    "Spatial Development Strategy and Agglomerations",
    "International and Cross-Border Intermunicipal Cooperation",
    "Municipal Strategies: From Document to Results",
    "Digital Platforms for Regional Development",
]


def test_load_demo_creates_forum_xviii(demo):
    forum = Forum.objects.get()

    assert (forum.name, forum.edition, forum.city) == (
        "XVIII All-Russia Forum of Strategic Planning Leaders",
        18,
        "Saint Petersburg",
    )
    assert demo.forum == forum


def test_load_demo_seed_round_table_time_place_and_format(demo):
    assert demo.title == "International and Cross-Border Intermunicipal Cooperation"
    assert demo.starts_at == datetime(2019, 10, 28, 17, 15, tzinfo=MOSCOW)
    assert demo.ends_at == datetime(2019, 10, 28, 19, 15, tzinfo=MOSCOW)
    assert (demo.time_range, demo.room, demo.format) == ("17:15–19:15", "4.G9", "round_table")
    assert demo.is_published


def test_load_demo_seed_summary_keeps_the_eight_paragraphs(demo):
    paragraphs = demo.paragraphs

    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("There are a number of mechanisms for international")
    assert paragraphs[0].endswith("334 municipalities of Russia are partnering / twinned with 1679 "
                                  "foreign cities.")  # fmt: skip
    assert paragraphs[-1].endswith("a more systematic and detailed legislative regulation.")


def test_load_demo_seed_organisers_in_order(demo):
    assert [o.organisation.name for o in demo.organisers.all()] == ORGANISERS


def test_load_demo_seed_moderator_and_reporters_in_seed_order(demo):
    session = Session.objects.with_people().get(pk=demo.pk)

    assert [(p.person.full_name, p.affiliation) for p in session.moderators] == [
        ("Didenko Aleksei", DUMA)
    ]
    assert [(p.person.full_name, p.affiliation, p.report_title) for p in session.speakers] == (
        REPORTERS
    )


def test_load_demo_seed_page_shows_the_reporters_as_the_seed_does(client, demo):
    page = parse(client.get(demo.get_absolute_url()))

    reporters = page.find("section", **{"aria-labelledby": "reporters-heading"})
    assert texts(reporters.find("ol").children_of("li")) == [
        f"{name}, {affiliation} {title}".strip() for name, affiliation, title in REPORTERS
    ]
    organisers = page.find("section", **{"aria-labelledby": "organisers-heading"})
    assert texts(organisers.find_all("li")) == ORGANISERS


def test_load_demo_concept_material_downloads_the_shipped_file(client, demo):
    concept = demo.materials.get()
    assert concept.kind == Material.Kind.CONCEPT

    response = client.get(concept.get_absolute_url())

    assert b"".join(response.streaming_content) == CONCEPT_FILE.read_bytes()
    assert response["Content-Disposition"] == (
        'attachment; filename="concept-of-the-round-table-international-and-cross-border-'
        'intermunicipal-cooperation.docx"'
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_load_demo_programme_shows_published_demo_sessions_not_the_closed_one(client, demo):
    assert Session.objects.filter(slug="closed-preparatory-meeting", is_published=False).exists()

    page = parse(client.get("/"))

    assert texts(page.find_all("h3")) == DEMO_PUBLISHED


def test_load_demo_twice_duplicates_nothing(demo, settings):
    counts = [
        model.objects.count()
        for model in (Forum, Session, Person, Organisation, Participation, Material)
    ]
    reporters = list(demo.participations.values_list("person__surname", "order"))

    call_command("load_demo", verbosity=0)

    assert [
        model.objects.count()
        for model in (Forum, Session, Person, Organisation, Participation, Material)
    ] == counts
    assert counts == [1, 6, 19, 21, 25, 2]
    assert list(demo.participations.values_list("person__surname", "order")) == reporters
    assert [p.name for p in (settings.MEDIA_ROOT / "materials").iterdir()] == [CONCEPT_FILE.name]
