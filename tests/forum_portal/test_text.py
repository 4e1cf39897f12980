import pytest

from forum_portal.text import latin_slug


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
