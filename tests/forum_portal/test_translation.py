"""The Russian interface: a browser asking for Russian gets it, the cache never mixes the two
languages, and the catalogue (locale/ru) has every string of the code translated and compiled."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from proposals.models import Proposal
from sessions.models import Participation
from tests.factories import add_participation, make_person, make_proposal
from tests.sessions.html import parse, texts

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MAKEFILE = Path(settings.BASE_DIR) / "Makefile"


def makemessages_ignores():
    """The folders the Makefile's `messages` target tells makemessages to skip."""
    target = re.search(r"^messages:\n((?:\t.*\n)+)", MAKEFILE.read_text(), re.MULTILINE)
    assert target, "the Makefile has no `messages` target"
    command = target.group(1).replace("\\\n", " ")
    line = next(line for line in command.splitlines() if "makemessages" in line)
    return re.findall(r"--ignore=(\S+)", line)


RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def navigation(response):
    return texts(parse(response).find("ul", class_="site-nav").find_all("a"))


def headings(response):
    return texts(parse(response).find_all("h2"))


@pytest.fixture
def round_table(session):
    """The session of the conftest (with its moderator) and one reporter."""
    add_participation(session, make_person("Ivanov", "Petr"), report_title="Regional strategies")
    return session


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_programme_in_russian_for_a_browser_asking_for_russian(client, round_table):
    response = client.get(reverse("sessions:programme"), **RU)

    assert response.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()
    assert navigation(response) == ["Программа", "Спикеры", "Войти", "Зарегистрироваться"]
    assertContains(response, "<h1>Программа</h1>", html=True)
    assertContains(response, '<span class="badge badge-format">Круглый стол</span>', html=True)
    assertContains(response, "Время указано московское.")


@pytest.mark.django_db
def test_programme_without_accept_language_is_english(client, round_table):
    response = client.get(reverse("sessions:programme"))

    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert navigation(response) == ["Programme", "Speakers", "Log in", "Register"]
    assertContains(response, '<span class="badge badge-format">Round table</span>', html=True)


@pytest.mark.django_db
def test_session_page_in_russian_has_the_proposal_button_and_people_headings(client, round_table):
    response = client.get(round_table.get_absolute_url(), **RU)

    assertContains(
        response,
        f'<a class="btn btn-primary btn-lg proposal-cta" '
        f'href="{reverse("proposals:create", kwargs={"slug": round_table.slug})}">'
        "Предложение</a>",
        html=True,
    )
    # "Moderator" the heading (with a plural) and "Moderator" the role are two messages.
    assert headings(response) == ["Описание", "Докладчики", "Модератор"]
    assertContains(response, "Проект рекомендаций этой сессии")


@pytest.mark.django_db
def test_signed_in_navigation_in_russian(participant_client, round_table):
    response = participant_client.get(reverse("sessions:programme"), **RU)

    assert navigation(response)[:5] == [
        "Программа",
        "Спикеры",
        "Мои предложения",
        "Моё расписание",
        "Профиль",
    ]
    assertContains(
        response, '<button type="submit" class="btn btn-link nav-link">Выйти</button>', html=True
    )


@pytest.mark.django_db
def test_proposal_form_errors_in_russian_for_a_russian_participant(participant_client, round_table):
    response = participant_client.post(
        reverse("proposals:create", kwargs={"slug": round_table.slug}),
        {"title": "", "wording": "", "rationale": "", "addressee": "nobody", "submit": "1"},
        **RU,
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "title": ["Укажите краткое название предложения."],
        "wording": ["Сформулируйте предлагаемую рекомендацию."],
        "rationale": ["Обоснуйте необходимость рекомендации."],
        "addressee": ["Выберите одного из адресатов в списке."],
    }
    assertContains(response, "Укажите краткое название предложения.")
    assertContains(
        response,
        '<option value="government">Правительство Российской Федерации</option>',
        html=True,
    )


@pytest.mark.django_db
def test_proposal_list_statuses_in_russian(participant_client, participant, round_table):
    make_proposal(round_table, participant, title="Agreements", status="submitted")

    response = participant_client.get(reverse("proposals:list"), **RU)

    table = parse(response).find("table")
    assert texts(table.find_all("th")) == [
        "Предложение",
        "Сессия",
        "Статус",
        "Отправлено",
        "Ответ модератора",
    ]
    assert texts(table.find("tbody").find_all("td"))[2] == "Отправлено"


# --- The cache keeps the languages apart --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "second_nav"),
    [
        (EN, RU, ["Программа", "Спикеры", "Войти", "Зарегистрироваться"]),
        (RU, EN, ["Programme", "Speakers", "Log in", "Register"]),
    ],
)
@pytest.mark.parametrize("page", ["programme", "session", "speakers"])
def test_anonymous_cached_page_is_never_served_in_the_other_language(
    round_table, page, first, second, second_nav
):
    """The whole-page cache for anonymous visitors and the fragment cache (sessions/page_cache/)
    both key on the language."""
    url = {
        "programme": reverse("sessions:programme"),
        "session": round_table.get_absolute_url(),
        "speakers": reverse("sessions:speakers"),
    }[page]
    Client().get(url, **first)
    Client().get(url, **first)  # now surely from the cache

    response = Client().get(url, **second)
    again = Client().get(url, **second)

    assert navigation(response) == second_nav
    assert navigation(again) == second_nav
    assert response.headers["Content-Language"] == second["HTTP_ACCEPT_LANGUAGE"]
    assert again.headers["Content-Language"] == second["HTTP_ACCEPT_LANGUAGE"]


@pytest.mark.django_db
def test_signed_in_session_page_fragments_follow_the_language(participant, round_table):
    """The programme fragments are cached per language for signed-in visitors too."""
    english, russian = Client(), Client()
    english.force_login(participant)
    russian.force_login(participant)
    assert headings(english.get(round_table.get_absolute_url(), **EN)) == [
        "Summary",
        "Reporters",
        "Moderator",
    ]

    response = russian.get(round_table.get_absolute_url(), **RU)

    assert headings(response) == ["Описание", "Докладчики", "Модератор"]


@pytest.mark.django_db
def test_english_copy_is_not_revalidated_for_a_russian_request(round_table):
    """A browser's English copy (its ETag) is no answer to a request for Russian: no 304."""
    url = round_table.get_absolute_url()
    english = Client().get(url, **EN)

    response = Client().get(url, HTTP_IF_NONE_MATCH=english.headers["ETag"], **RU)

    assert response.status_code == 200
    assert navigation(response)[0] == "Программа"
    assert response.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in response.headers["Vary"]


# --- Messages outside templates ----------------------------------------------------------------


def test_role_and_status_labels_in_russian():
    with translation.override("ru"):
        assert [str(label) for _, label in Participation.Role.choices] == [
            "Модератор",
            "Докладчик",
        ]
        assert str(Proposal.Status.UNDER_REVIEW.label) == "На рассмотрении"


# The sign-up e-mail's message (templates/registration/signup_confirm_email.txt); not written
# out in an ngettext() call here, which makemessages would list as a second place it is used.
LINK_WORKS = ("The link works for %(days)s day.", "The link works for %(days)s days.")


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (1, "Ссылка действует 1 день."),
        (3, "Ссылка действует 3 дня."),
        (5, "Ссылка действует 5 дней."),
        (11, "Ссылка действует 11 дней."),
        (21, "Ссылка действует 21 день."),
        (22, "Ссылка действует 22 дня."),
    ],
)
def test_russian_plural_forms(days, text):
    with translation.override("ru"):
        message = translation.ngettext(*LINK_WORKS, days)
    assert message % {"days": days} == text


# --- The catalogue ------------------------------------------------------------------------------


def read_po(path):
    """The entries of a .po file: dicts with flags, msgctxt, msgid, msgid_plural, msgstr (a
    list: one item, or one per plural form). Obsolete (#~) entries are left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgstr": {}}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += value
                else:
                    entry[field] += value
            else:
                keyword, value = line.split(" ", 1)
                value = ast.literal_eval(value)
                plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if plural:
                    field = int(plural.group(1))
                    entry["msgstr"][field] = value
                elif keyword == "msgstr":
                    field = 0
                    entry["msgstr"][0] = value
                else:
                    field = keyword
                    entry[field] = value
        if "msgid" in entry:
            entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def describe(entry):
    context = f" (context {entry['msgctxt']!r})" if "msgctxt" in entry else ""
    return f"{entry['msgid']!r}{context}"


def test_catalogue_header_has_russian_plural_forms():
    header = read_po(PO)[0]
    assert header["msgid"] == ""
    assert "Language: ru\n" in header["msgstr"][0]
    assert (
        "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);\n"
    ) in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = read_po(PO)[1:]
    problems = {
        "untranslated (translate them)": [describe(e) for e in entries if not all(e["msgstr"])],
        "fuzzy (check them, then drop the flag)": [
            describe(e) for e in entries if "fuzzy" in e["flags"]
        ],
        "without three plural forms": [
            describe(e) for e in entries if "msgid_plural" in e and len(e["msgstr"]) != 3
        ],
    }

    assert {kind: found for kind, found in problems.items() if found} == {}, f"In {PO}"


def test_catalogue_keeps_every_placeholder():
    """Each translation names the same %(…)s placeholders as its English text (the singular
    form of a plural may leave out the count: "1 день" is written out as "%(days)s день")."""
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|</?\w+[^>]*>")
    wrong = []
    for entry in read_po(PO)[1:]:
        english = set(placeholder.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for translated in entry["msgstr"]:
            if not set(placeholder.findall(translated)) <= english:
                wrong.append(describe(entry))
            if "msgid_plural" not in entry and set(placeholder.findall(translated)) != english:
                wrong.append(describe(entry))
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    """locale/ru/…/django.mo is committed (no msgfmt needed to run the portal): it must hold
    what the .po holds. After editing the .po, run `make messages`."""
    with MO.open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog
    stale = []
    for entry in read_po(PO)[1:]:
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if "msgid_plural" in entry:
            compiled = [catalog.get((key, n)) for n in range(len(entry["msgstr"]))]
        else:
            compiled = [catalog.get(key)]
        if compiled != entry["msgstr"]:
            stale.append(describe(entry))
    assert stale == [], f"{MO.name} is older than {PO.name} for {stale}: run `make messages`"


def test_make_messages_skips_the_vendored_and_generated_folders():
    assert set(makemessages_ignores()) >= {
        ".venv",
        "node_modules",
        "static/vendor",
        "staticfiles",
        "bench",
    }


# Folders makemessages would not read (or that hold no source), left out of the copy.
NOT_SOURCES = {
    ".git", ".venv", "node_modules", "static", "staticfiles", "media", "backups", "bench",
    "locale", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
}  # fmt: skip


def _not_sources(directory, names):
    """What makemessages does not read: anything but .py, .html and .txt files."""
    return [
        name
        for name in names
        if name in NOT_SOURCES
        or Path(directory, name).is_symlink()
        or (Path(directory, name).is_file() and not name.endswith((".py", ".html", ".txt")))
    ]


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the sources: a string added to the code or a template without
    `make messages` and a translation fails here, by name."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "portal"
    shutil.copytree(base, copy, ignore=_not_sources)
    (copy / "locale").mkdir()  # LOCALE_PATHS of the copied settings
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
    } | {"DJANGO_SETTINGS_MODULE": "forum_portal.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru"]
        + [f"--ignore={ignored}" for ignored in makemessages_ignores()],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )

    def keys(path):
        return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in read_po(path)[1:]}

    extracted = keys(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    catalogued = keys(PO)
    assert extracted, "makemessages found no message at all"
    missing = sorted(extracted - catalogued, key=str)
    assert missing == [], f"In the code but not in {PO}: run `make messages`, translate {missing}"
    obsolete = sorted(catalogued - extracted, key=str)
    assert obsolete == [], f"In {PO} but no longer in the code: run `make messages`: {obsolete}"
