"""Backup and restore: a populated database comes back row for row.

`manage.py backup` / `manage.py restore` (what `make backup` / `make restore FILE=…` run):
Django's JSON on any database, pg_dump/pg_restore on PostgreSQL.
"""

import gzip
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from proposals.agenda import AgendaAddress, star
from proposals.models import Proposal, User
from sessions.models import ProgrammeVersion, Session
from tests.factories import make_moderator, make_proposal, make_user

# Every table of our apps, the auto-created many-to-many tables included.
OUR_APPS = ("forum_sessions", "proposals")

on_postgresql = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_dump/pg_restore need PostgreSQL (run with DATABASE_URL=postgres://…)",
)


def our_models():
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]


def our_tables():
    return sorted(model._meta.db_table for model in our_models())


def all_rows(cursor):
    """Every row of every table of our apps, in primary-key order.

    Permissions are named by their natural key: migrate numbers them afresh in a restored
    database, and the JSON backup refers to them by name, as Django's fixtures do. Rows of
    many-to-many tables are compared without their own id, which nothing refers to and
    Django's serialisation does not carry (a user's groups are a list on the user).
    """
    cursor.execute(
        "SELECT p.id, c.app_label, c.model, p.codename FROM auth_permission p "
        "JOIN django_content_type c ON c.id = p.content_type_id"
    )
    permissions = {pk: tuple(natural) for pk, *natural in cursor.fetchall()}
    rows = {}
    for model in sorted(our_models(), key=lambda model: model._meta.db_table):
        fields = [
            field
            for field in model._meta.concrete_fields
            if not (model._meta.auto_created and field.primary_key)
        ]
        columns = ", ".join(f'"{field.column}"' for field in fields)
        order = ", ".join(str(n) for n in range(1, len(fields) + 1))
        cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}" ORDER BY {order}')
        rows[model._meta.db_table] = [
            tuple(
                permissions[value] if field.related_model is Permission else value
                for field, value in zip(fields, row, strict=True)
            )
            for row in cursor.fetchall()
        ]
    return rows


def snapshot():
    with connection.cursor() as cursor:
        return all_rows(cursor)


@pytest.fixture
def populated(db):
    """The demo programme, participants, a moderator, proposals in every state, their history."""
    call_command("load_demo", verbosity=0)
    # Its data migration's row is gone if an earlier transactional test flushed the database.
    ProgrammeVersion.read()
    session = Session.objects.get(slug="international-and-cross-border-intermunicipal-cooperation")
    moderator_person = session.participations.filter(role="moderator").first().person
    moderator = make_moderator(moderator_person, email="moderator@example.org")
    authors = [
        make_user(f"author{n}@example.org", surname=name, first_name="Ольга", patronymic="Ивановна")
        for n, name in enumerate(["Смирнова", "O'Brien", 'Quote "Marks"'])
    ]
    authors[0].user_permissions.add(
        Permission.objects.get(content_type__app_label="forum_sessions", codename="view_session")
    )
    extra_group = Group.objects.create(name="Organisers")
    extra_group.permissions.add(
        Permission.objects.get(content_type__app_label="forum_sessions", codename="change_session")
    )
    authors[1].groups.add(extra_group)
    target = make_proposal(session, authors[0], status="under_review", by=moderator)
    for status in ("draft", "submitted", "withdrawn", "accepted", "rejected"):
        make_proposal(
            session,
            authors[1],
            status=status,
            by=moderator,
            # One wording per status: an author may not send the same wording twice.
            wording=f"Line one;\nline two — «quoted», emoji 🚀, tab\tend ({status}).",
            submission_token=uuid.uuid4(),
        )
    make_proposal(session, authors[2], status="merged", by=moderator, merged_into=target)
    star(authors[0], session)
    AgendaAddress.of(authors[0])
    before = snapshot()
    assert {table: len(rows) > 0 for table, rows in before.items()} == {
        table: True for table in our_tables()
    }, "every table of our apps holds something to lose"
    return before


def damage():
    """What a bad day does: rows deleted, changed and added after the backup."""
    Proposal.objects.filter(status="draft").delete()
    User.objects.filter(email="author0@example.org").update(surname="Changed")
    make_user("newcomer@example.org")
    Session.objects.update(title="Overwritten")


def backup(output, *args):
    call_command("backup", f"--output={output}", *args, verbosity=0)
    return output


@pytest.mark.django_db(transaction=True)
def test_backup_json_round_trip_restores_every_row(populated, tmp_path):
    path = backup(tmp_path / "forum.json.gz", "--json")
    damage()
    assert snapshot() != populated

    call_command("restore", str(path), "--noinput", verbosity=0)

    assert snapshot() == populated


@pytest.mark.django_db(transaction=True)
def test_backup_json_is_compressed_readable_json_without_logins(populated, tmp_path):
    output = backup(tmp_path / "backups" / "forum.json.gz", "--json")

    text = gzip.decompress(output.read_bytes()).decode()
    assert text.startswith('[{"model": ')
    assert '"model": "proposals.proposal"' in text
    assert '"model": "sessions.session"' not in text
    assert '"model": "auth.permission"' not in text
    assert list(output.parent.iterdir()) == [output], "no partial file is left behind"


@pytest.mark.django_db(transaction=True)
def test_restore_backup_cut_short_leaves_the_database_as_it_was(populated, tmp_path):
    """A backup truncated by a full disk: refused, and nothing of the live data is lost."""
    whole = backup(tmp_path / "backups" / "forum.json", "--json").read_text()
    cut = tmp_path / "backups" / "cut.json"
    cut.write_text(whole[: len(whole) * 2 // 3])
    damage()
    damaged = snapshot()

    with pytest.raises(Exception, match="Problem installing fixture"):
        call_command("restore", str(cut), "--noinput", verbosity=0)

    assert snapshot() == damaged


def test_restore_postgresql_dump_on_another_database_is_refused(db, tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL a PostgreSQL dump is the right kind")
    dump = tmp_path / "forum.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")

    with pytest.raises(CommandError, match="is a PostgreSQL dump, but the database is sqlite"):
        call_command("restore", str(dump), "--noinput", verbosity=0)


def test_restore_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "nothing.json"), "--noinput", verbosity=0)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_postgresql_round_trip_restores_every_row(populated, tmp_path):
    path = backup(tmp_path / "forum.dump")
    assert path.read_bytes()[:5] == b"PGDMP"
    damage()

    call_command("restore", str(path), "--noinput", verbosity=0)

    assert snapshot() == populated


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_postgresql_restores_into_a_second_database(populated, tmp_path):
    """The dump holds the schema too: an empty database becomes a copy of the live one."""
    path = backup(tmp_path / "forum.dump")
    second = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{second}"')
        cursor.execute(f'CREATE DATABASE "{second}"')
    try:
        call_command("restore", str(path), f"--database-name={second}", "--noinput", verbosity=0)
        params = connection.settings_dict
        with psycopg.connect(
            dbname=second,
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            user=params["USER"] or None,
            password=params["PASSWORD"] or None,
        ) as copy:
            copied = all_rows(copy.cursor())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{second}"')

    assert copied == populated
    assert snapshot() == populated, "the live database is untouched"


def test_make_backup_and_restore_targets(tmp_path):
    """The Makefile's targets, in a process of their own over a scratch SQLite database."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def run(*command):
        result = subprocess.run(
            command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    python = sys.executable
    run(python, "manage.py", "migrate", "--noinput", "-v0")
    run(python, "manage.py", "load_demo")
    path = run("make", "-s", "backup", f"PY={python}").strip().splitlines()[-1]
    try:
        assert path.startswith(str(settings.BASE_DIR / "backups" / "forum-portal-"))
        assert path.endswith(".json.gz")
        run(python, "manage.py", "flush", "--noinput")
        restored = run("make", "-s", "restore", f"FILE={path}", f"PY={python}", "NOINPUT=1")
        count = run(
            python,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from sessions.models import Session; print(Session.objects.count())",
        )
    finally:
        os.unlink(path)

    assert restored.strip() == f"Restored {path} into {tmp_path / 'scratch.sqlite3'}."
    assert int(count) > 0
