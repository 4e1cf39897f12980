import subprocess
from pathlib import Path

from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .backup import postgres_env

PG_DUMP_MAGIC = b"PGDMP"


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup written by `manage.py backup`: "
        "pg_restore for PostgreSQL's dumps, flush and loaddata for Django's JSON. "
        "All or nothing: if the backup cannot be loaded, the database is left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by `manage.py backup`.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--database-name",
            help="PostgreSQL only: restore into this other database of the same server "
            "(it must exist), e.g. to look at a backup beside the live data.",
        )

    def handle(self, *args, file, interactive=True, database_name=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        connection = connections[DEFAULT_DB_ALIAS]
        with path.open("rb") as handle:
            is_pg_dump = handle.read(len(PG_DUMP_MAGIC)) == PG_DUMP_MAGIC
        if is_pg_dump and connection.vendor != "postgresql":
            raise CommandError(
                f"{path} is a PostgreSQL dump, but the database is {connection.vendor}: "
                "set DATABASE_URL to a PostgreSQL database, or back up with --json."
            )
        if database_name and not is_pg_dump:
            raise CommandError("--database-name is for PostgreSQL dumps only.")
        target = database_name or connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"This replaces everything in the database {target!r} with {path}.\n"
                "Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")

        if is_pg_dump:
            self.pg_restore(connection, path, database_name)
        else:
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(path), verbosity=0)
        if not database_name:
            # Cached pages and counters describe the data that was just replaced.
            cache.clear()
        self.stdout.write(f"Restored {path} into {target}.")

    def pg_restore(self, connection, path, database_name):
        # Our own idle connection would only get in the way of DROP TABLE.
        connection.close()
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database_name or connection.settings_dict['NAME']}",
                str(path),
            ],
            env=postgres_env(connection.settings_dict, database_name),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed, nothing was changed: {result.stderr.strip()}")
