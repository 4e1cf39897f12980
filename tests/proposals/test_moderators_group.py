"""The Moderators group: exactly the moderation permissions, however the database got here."""

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from proposals.permissions import MODERATORS_GROUP, moderators_group

MODERATION = [
    "proposals.change_proposal",
    "proposals.view_proposal",
    "proposals.view_proposalevent",
]


def permissions_of(group):
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())


def test_moderators_group_has_exactly_the_moderation_permissions(db):
    assert permissions_of(moderators_group()) == MODERATION


def test_moderators_group_deleted_in_the_admin_is_made_again_with_its_permissions(db):
    Group.objects.filter(name=MODERATORS_GROUP).delete()

    assert permissions_of(moderators_group()) == MODERATION
    assert Group.objects.filter(name=MODERATORS_GROUP).count() == 1


def test_migrate_gives_the_moderators_group_exactly_its_permissions_again(db):
    group = moderators_group()
    group.permissions.remove(Permission.objects.get(codename="change_proposal"))
    group.permissions.add(Permission.objects.get(codename="delete_proposal"))

    call_command("migrate", verbosity=0)

    assert permissions_of(group) == MODERATION


def test_flush_leaves_the_groups_to_what_is_loaded_next(transactional_db):
    """A restore flushes, then loads the backup's own Moderators row: nothing may clash with it."""
    call_command("flush", interactive=False, verbosity=0)

    assert list(Group.objects.all()) == []
    assert permissions_of(moderators_group()) == MODERATION
