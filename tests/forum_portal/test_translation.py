"""The Russian catalogue (locale/ru): every string of the code translated, with its
placeholders and plural forms, and compiled. The pages in Russian:
tests/forum_portal/test_russian_pages.py."""

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
