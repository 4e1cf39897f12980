"""Every migration can be undone: each app goes to zero and comes back to the same schema."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions.models import ProgrammeVersion

# Django's own apps first; ours last, as they depend on them.
APPS = ["contenttypes", "auth", "admin", "sessions", "forum_sessions", "proposals"]


def schema():
    """Every table with its columns, indexes and constraints, as the database describes them."""
    with connection.cursor() as cursor:
        introspection = connection.introspection
        return {
            table: (
                sorted(
                    column.name for column in introspection.get_table_description(cursor, table)
                ),
                introspection.get_constraints(cursor, table),
            )
            for table in introspection.table_names(cursor)
        }


def applied(app_label):
    return sorted(
        name
        for label, name in MigrationExecutor(connection).loader.applied_migrations
        if label == app_label
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("app_label", APPS)
def test_migrations_app_to_zero_and_back(app_label):
    before = schema()
    migrations = applied(app_label)
    assert migrations, f"{app_label} has migrations"

    call_command("migrate", app_label, "zero", verbosity=0)
    emptied = schema()
    call_command("migrate", verbosity=0)

    assert applied(app_label) == migrations
    own_tables = {
        model._meta.db_table
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
    }
    assert own_tables <= set(before)
    assert own_tables.isdisjoint(emptied), f"{app_label} at zero keeps tables"
    assert schema() == before


@pytest.mark.django_db(transaction=True)
def test_migrations_data_migrations_run_again_after_zero():
    """The moderators' group and the programme-version row come back with their migrations."""
    call_command("migrate", "proposals", "zero", verbosity=0)
    call_command("migrate", "forum_sessions", "zero", verbosity=0)
    assert not Group.objects.filter(name="Moderators").exists()

    call_command("migrate", verbosity=0)

    moderators = Group.objects.get(name="Moderators")
    assert sorted(moderators.permissions.values_list("codename", flat=True)) == [
        "change_proposal",
        "view_proposal",
        "view_proposalevent",
    ]
    assert list(ProgrammeVersion.objects.values_list("pk", flat=True)) == [1]
