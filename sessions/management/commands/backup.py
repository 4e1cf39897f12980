import datetime
import gzip
import os
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils import timezone

# Not worth keeping: rebuilt by migrate (content types, permissions) or short-lived (logins).
EXCLUDED_APPS = {"contenttypes"}
EXCLUDED_MODELS = {"auth.Permission", "sessions.Session"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's JSON rounds times to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def backup_objects(using=DEFAULT_DB_ALIAS):
    """Every row worth keeping, models in dependency order, rows in primary-key order.

    What `dumpdata --natural-foreign --all` would write; its own JSON cannot be given the
    exact encoder, hence this loop.
    """
    app_list = [
        (app_config, None)
        for app_config in apps.get_app_configs()
        if app_config.models_module is not None and app_config.label not in EXCLUDED_APPS
    ]
    for model in serializers.sort_dependencies(app_list, allow_cycles=True):
        if model._meta.proxy or model._meta.label in EXCLUDED_MODELS:
            continue
        if router.allow_migrate_model(using, model):
            rows = model._base_manager.using(using).order_by(model._meta.pk.name)
            yield from rows.iterator(chunk_size=2000)


def postgres_env(settings_dict, name=None):
    """libpq's environment for pg_dump/pg_restore: no password on the command line."""
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": name or settings_dict["NAME"],
        "PGSSLMODE": options.get("sslmode"),
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


class Command(BaseCommand):
    help = (
        "Write a backup of the database into backups/: pg_dump's custom format on PostgreSQL, "
        "Django's JSON (dumpdata) otherwise. Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write (default: backups/<timestamp>).")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Django's JSON even on PostgreSQL (portable to another database engine).",
        )

    def handle(self, *args, output=None, json=False, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        use_pg_dump = connection.vendor == "postgresql" and not json
        if output:
            path = Path(output)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            suffix = ".dump" if use_pg_dump else ".json.gz"
            path = Path(settings.BASE_DIR) / "backups" / f"forum-portal-{stamp}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name first: a file with the final name is a whole backup.
        partial = path.with_name(f".{path.name}.partial{''.join(path.suffixes[-1:])}")
        try:
            if use_pg_dump:
                self.pg_dump(connection, partial)
            else:
                self.dump_json(partial)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(str(path))

    def dump_json(self, path):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt", encoding="utf-8") as stream:
            serializers.serialize(
                "json",
                backup_objects(),
                stream=stream,
                cls=ExactJSONEncoder,
                use_natural_foreign_keys=True,
            )

    def pg_dump(self, connection, path):
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
            env=postgres_env(connection.settings_dict),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
