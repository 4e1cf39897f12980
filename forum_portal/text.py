"""Text helpers shared by the apps."""

from django.utils.text import slugify

# Russian letters in the everyday transliteration of Russian passports (ICAO 9303, simplified),
# so that "Диденко Алексей" gets the URL /speakers/didenko-aleksei/.
_RUSSIAN_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
        "я": "ia",
    }
)  # fmt: skip


def latin_slug(text, max_length=100):
    """An ASCII slug for any title or name, Cyrillic included; "" when nothing is left."""
    return slugify(text.lower().translate(_RUSSIAN_TO_LATIN))[:max_length].strip("-")


def full_name(surname, first_name, patronymic=""):
    """A name as Russian programmes write it, surname first: "Petrova Anna Sergeevna"."""
    return " ".join(part for part in (surname, first_name, patronymic) if part)
