from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from sessions.models import Forum, Participation, Person, Session
from tests.factories import (
    MOSCOW,
    add_participation,
    make_forum,
    make_organisation,
    make_person,
    make_session,
)

pytestmark = pytest.mark.django_db


def titles(sessions):
    return [session.title for session in sessions]


def names(people):
    return [person.full_name for person in people]


# Person


def test_person_full_name_without_patronymic_is_surname_then_first_name():
    assert make_person("Didenko", "Aleksei").full_name == "Didenko Aleksei"


def test_person_full_name_with_patronymic_ends_with_it():
    person = make_person("Petrova", "Anna", patronymic="Sergeevna")

    assert person.full_name == "Petrova Anna Sergeevna"
    assert str(person) == "Petrova Anna Sergeevna"


def test_person_ordering_is_by_surname_then_first_name():
    make_person("Volkova", "Olga")
    make_person("Bashkin", "Alexandr")
    make_person("Ivanov", "Pavel")
    make_person("Ivanov", "Mikhail")

    assert names(Person.objects.all()) == [
        "Bashkin Alexandr",
        "Ivanov Mikhail",
        "Ivanov Pavel",
        "Volkova Olga",
    ]


def test_person_slug_generated_from_name_when_blank():
    person = Person.objects.create(surname="Didenko", first_name="Aleksei", patronymic="")

    assert person.slug == "didenko-aleksei"
    assert person.get_absolute_url() == "/speakers/didenko-aleksei/"


# Session: time and text


def test_session_time_range_is_in_moscow_time():
    utc_start = datetime(2019, 10, 28, 14, 15, tzinfo=ZoneInfo("UTC"))
    session = make_session(starts_at=utc_start, duration=timedelta(hours=2))
    session.refresh_from_db()

    assert session.time_range == "17:15–19:15"


def test_session_day_is_the_moscow_date_not_the_utc_one():
    # 01:00 in Moscow on 29 October is still 28 October (22:00) in UTC.
    session = make_session(starts_at=datetime(2019, 10, 29, 1, 0, tzinfo=MOSCOW))
    session.refresh_from_db()

    assert session.starts_at.astimezone(ZoneInfo("UTC")).date() == date(2019, 10, 28)
    assert session.day == date(2019, 10, 29)


def test_session_paragraphs_split_summary_lines_and_skip_blank_ones():
    session = make_session(summary="First paragraph.\r\n\r\n  Second one.  \nThird.\n\n")

    assert session.paragraphs == ["First paragraph.", "Second one.", "Third."]


def test_session_paragraphs_empty_without_summary():
    assert make_session(summary="").paragraphs == []


def test_session_ending_before_it_starts_is_refused():
    start = datetime(2019, 10, 28, 10, 0, tzinfo=MOSCOW)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(starts_at=start, duration=timedelta(hours=-1))


# Participation


def test_participation_affiliation_is_organisation_then_position(session):
    participation = add_participation(
        session,
        organisation=make_organisation("Union of Russian Cities"),
        position="General Director",
    )

    assert participation.affiliation == "Union of Russian Cities. General Director"


@pytest.mark.parametrize(
    ("organisation", "position", "expected"),
    [
        ("Rossotrudnichestvo", "", "Rossotrudnichestvo"),
        (None, "Expert", "Expert"),
        (None, "", ""),
    ],
)
def test_participation_affiliation_leaves_out_missing_parts(
    session, organisation, position, expected
):
    participation = add_participation(
        session,
        organisation=make_organisation(organisation) if organisation else None,
        position=position,
    )

    assert participation.affiliation == expected


def test_participation_same_person_twice_in_same_role_is_refused(session):
    person = make_person()
    add_participation(session, person)

    with pytest.raises(IntegrityError), transaction.atomic():
        add_participation(session, person)


# Session queries


def test_forum_latest_edition_is_the_newest_by_start():
    make_forum(edition=17, starts_on=date(2018, 10, 29), ends_on=date(2018, 10, 30))
    latest = make_forum(edition=18)

    assert Forum.objects.latest_edition() == latest


def test_forum_latest_edition_is_none_before_any_forum_exists():
    assert Forum.objects.latest_edition() is None


def test_session_published_leaves_out_unpublished(forum):
    make_session(forum, title="Open")
    make_session(forum, title="Closed", is_published=False)

    assert titles(Session.objects.published()) == ["Open"]


def test_session_in_forum_is_in_time_order_and_only_that_forum(forum):
    older = make_forum(edition=17, starts_on=date(2018, 10, 29), ends_on=date(2018, 10, 30))
    make_session(forum, title="Afternoon", starts_at=datetime(2019, 10, 28, 14, tzinfo=MOSCOW))
    make_session(forum, title="Next day", starts_at=datetime(2019, 10, 29, 9, tzinfo=MOSCOW))
    make_session(forum, title="Morning", starts_at=datetime(2019, 10, 28, 9, tzinfo=MOSCOW))
    make_session(older, title="Last year")

    assert titles(Session.objects.in_forum(forum)) == ["Morning", "Afternoon", "Next day"]


def test_session_on_day_uses_the_moscow_calendar_day(forum):
    make_session(forum, title="Small hours", starts_at=datetime(2019, 10, 29, 1, tzinfo=MOSCOW))
    make_session(forum, title="Late evening", starts_at=datetime(2019, 10, 28, 23, tzinfo=MOSCOW))

    assert titles(Session.objects.on_day(date(2019, 10, 29))) == ["Small hours"]
    assert titles(Session.objects.on_day(date(2019, 10, 28))) == ["Late evening"]


def test_session_of_format_keeps_only_that_format(forum):
    make_session(forum, title="Plenary", format=Session.Format.PLENARY)
    make_session(forum, title="Round table", format=Session.Format.ROUND_TABLE)

    assert titles(Session.objects.of_format(Session.Format.PLENARY)) == ["Plenary"]


def test_session_search_matches_title_summary_and_confirmed_people(forum):
    make_session(forum, title="Cross-Border Cooperation", summary="")
    make_session(forum, title="Agglomerations", summary="Growth poles and cross-border ties")
    by_person = make_session(forum, title="Digital Platforms", summary="")
    add_participation(by_person, make_person("Crossley", "Anna"))
    make_session(forum, title="Unrelated", summary="Nothing here")

    assert sorted(titles(Session.objects.search("CROSS"))) == [
        "Agglomerations",
        "Cross-Border Cooperation",
        "Digital Platforms",
    ]


def test_session_search_ignores_unconfirmed_people(forum):
    session = make_session(forum, title="Digital Platforms", summary="")
    add_participation(session, make_person("Sokolov", "Pavel"), is_confirmed=False)

    assert titles(Session.objects.search("Sokolov")) == []


def test_session_search_needs_every_word(forum):
    session = make_session(forum, title="Municipal Strategies", summary="")
    add_participation(session, make_person("Smirnova", "Elena"))
    make_session(forum, title="Municipal Finance", summary="")

    assert titles(Session.objects.search("municipal smirnova")) == ["Municipal Strategies"]


def test_session_search_lists_each_session_once_when_several_people_match(forum):
    session = make_session(forum, title="Round table", summary="")
    add_participation(session, make_person("Ivanov", "Mikhail"))
    add_participation(session, make_person("Ivanova", "Maria"))

    assert titles(Session.objects.search("ivanov")) == ["Round table"]


# Person queries


def test_person_in_programme_only_confirmed_people_of_published_sessions(forum):
    published = make_session(forum)
    hidden = make_session(forum, is_published=False)
    add_participation(published, make_person("Confirmed", "Anna"))
    add_participation(published, make_person("Unconfirmed", "Boris"), is_confirmed=False)
    add_participation(hidden, make_person("Hidden", "Vera"))

    assert names(Person.objects.in_programme()) == ["Confirmed Anna"]


def test_person_in_programme_lists_each_person_once(forum):
    person = make_person("Didenko", "Aleksei")
    first, second = make_session(forum), make_session(forum)
    add_participation(first, person, role=Participation.Role.MODERATOR)
    add_participation(first, person, role=Participation.Role.SPEAKER)
    add_participation(second, person)

    assert names(Person.objects.in_programme()) == ["Didenko Aleksei"]


def test_person_search_matches_any_name_part_and_needs_every_word():
    make_person("Petrova", "Anna", patronymic="Sergeevna")
    make_person("Petrov", "Ivan")
    make_person("Smirnova", "Anna")

    assert names(Person.objects.search("petrov")) == ["Petrov Ivan", "Petrova Anna Sergeevna"]
    assert names(Person.objects.search("anna sergeevna")) == ["Petrova Anna Sergeevna"]
    assert names(Person.objects.search("  ")) == names(Person.objects.all())


# Proposals


def test_session_proposals_open_by_default_give_no_reason(session):
    assert session.proposals_closed_reason() == ""


def test_session_proposals_switched_off_give_closed_reason(forum):
    session = make_session(forum, accepts_proposals=False)

    assert session.proposals_closed_reason() == "Proposals for this session are closed."


def test_session_proposals_deadline_passed_gives_deadline_reason(forum):
    deadline = datetime(2019, 10, 27, 18, 0, tzinfo=MOSCOW)
    session = make_session(forum, proposals_deadline=deadline)

    assert (
        session.proposals_closed_reason(now=deadline)
        == "The deadline for proposals to this session has passed."
    )
    assert session.proposals_closed_reason(now=deadline - timedelta(seconds=1)) == ""


def test_session_proposals_closed_wins_over_a_future_deadline(forum):
    deadline = datetime(2019, 10, 27, 18, 0, tzinfo=MOSCOW)
    session = make_session(forum, accepts_proposals=False, proposals_deadline=deadline)

    assert (
        session.proposals_closed_reason(now=deadline - timedelta(days=1))
        == "Proposals for this session are closed."
    )


def test_person_slug_from_a_cyrillic_name_is_transliterated(db):
    person = Person.objects.create(surname="Диденко", first_name="Алексей")
    assert person.slug == "didenko-aleksei"
    assert person.get_absolute_url() == "/speakers/didenko-aleksei/"


def test_person_slug_of_a_namesake_gets_a_number(db):
    first = Person.objects.create(surname="Иванов", first_name="Иван")
    second = Person.objects.create(surname="Ivanov", first_name="Ivan")
    third = Person.objects.create(surname="Иванов", first_name="Иван")
    assert [first.slug, second.slug, third.slug] == [
        "ivanov-ivan",
        "ivanov-ivan-2",
        "ivanov-ivan-3",
    ]
