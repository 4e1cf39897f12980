"""The "Moderators" group and exactly the permissions moderators needed when it was made.

Frozen history: proposals/permissions.py is the live definition (and says why each permission
is or is not granted); its post_migrate handler applies it after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"
PERMISSIONS = (
    ("proposals", "proposal", "view_proposal"),
    ("proposals", "proposal", "change_proposal"),
    ("proposals", "proposalevent", "view_proposalevent"),
)


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("proposals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP_NAME)
    permissions = [
        Permission.objects.using(schema_editor.connection.alias).get(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        )
        for app_label, model, codename in PERMISSIONS
    ]
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
