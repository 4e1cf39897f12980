"""The "Moderators" group and exactly the permissions moderators need.

Moderators work only on proposals, in the admin:
- proposals.view_proposal, proposals.change_proposal: see the proposals of their sessions and
  record the edited wording, internal note and public answer; the status moves (admin actions
  and buttons) require "change". Which proposals they see is narrowed in ProposalAdmin, not here.
- proposals.view_proposalevent: the read-only history inline on a proposal needs it.
Deliberately not granted:
- add/delete proposal: participants write proposals; nothing a moderator decides is a deletion.
- any permission on users, groups or permissions: a moderator must not see participants'
  accounts nor grant themselves rights (the user admin stays closed to them).
- view session/person: the proposal page shows the session's title; the programme itself is
  edited by the forum's staff, and the admin's session list would show unpublished sessions.
"""

# History, frozen: the live definition is proposals/permissions.py, applied after every migrate.
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
