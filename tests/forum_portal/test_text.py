import pytest

from forum_portal.text import full_name, latin_slug
from tests.factories import make_person, make_user


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Диденко Алексей", "didenko-aleksei"),
        ("Щукин Юрий Ёлкин", "shchukin-iurii-elkin"),
        (
            "International and Cross-Border Cooperation",
            "international-and-cross-border-cooperation",
        ),
        ("Grönholm Björn", "gronholm-bjorn"),
        ("«Стратегия» 2030!", "strategiia-2030"),
        ("???", ""),
    ],
)
def test_latin_slug_transliterates_russian_and_drops_the_rest(text, slug):
    assert latin_slug(text) == slug


def test_latin_slug_respects_the_length_without_a_trailing_dash():
    assert latin_slug("Ab " * 50, max_length=10) == "ab-ab-ab-a"
    assert not latin_slug("abcd efgh", max_length=5).endswith("-")


def test_full_name_is_surname_first_and_skips_a_missing_patronymic():
    assert full_name("Petrova", "Anna", "Sergeevna") == "Petrova Anna Sergeevna"
    assert full_name("Didenko", "Aleksei", "") == "Didenko Aleksei"


def test_full_name_of_a_participant_and_of_a_person_of_one_name_are_alike(db):
    """The programme and the proposals (author lines, exports, e-mails) write a name one way."""
    person = make_person("Petrova", "Anna", patronymic="Sergeevna")
    user = make_user(surname="Petrova", first_name="Anna", patronymic="Sergeevna")

    assert (person.full_name, user.get_full_name()) == ("Petrova Anna Sergeevna",) * 2
