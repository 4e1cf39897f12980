"""The Moderators group: its name, exactly the permissions moderators need, and its upkeep.

Moderators work only on proposals, in the admin:
- proposals.view_proposal, proposals.change_proposal: see the proposals of their sessions and
  record the edited wording, internal note and public answer; the status moves (admin actions
  and buttons) require "change". Which proposals they see is narrowed in ProposalAdmin
  (Session.objects.moderated_by), not here.
- proposals.view_proposalevent: the read-only history inline on a proposal needs it.
Deliberately not granted:
- add/delete proposal: participants write proposals; nothing a moderator decides is a deletion.
- any permission on users, groups or permissions: a moderator must not see participants'
  accounts nor grant themselves rights (the user admin stays closed to them).
- view session/person: the proposal page shows the session's title; the programme itself is
  edited by the forum's staff, and the admin's session list would show unpublished sessions.

The group is kept by a post_migrate handler (connected in apps.py): after every `migrate` it
exists with exactly these permissions — a permission added to it by hand in the admin is taken
away again. Code that needs the group calls moderators_group(), which creates it if missing (after
a `flush`, e.g. by a test that commits, or if a superuser deleted it). Migration 0002 created it
on databases of that time and keeps its own frozen copy of the list, as data migrations must.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

MODERATORS_GROUP = "Moderators"
MODERATOR_PERMISSIONS = (
    ("proposals", "proposal", "view_proposal"),
    ("proposals", "proposal", "change_proposal"),
    ("proposals", "proposalevent", "view_proposalevent"),
)


def moderators_group(*, apps=global_apps, using=DEFAULT_DB_ALIAS):
    """The Moderators group; created with its permissions if missing (e.g. deleted in the admin)."""
    group, created = (
        apps.get_model("auth", "Group").objects.using(using).get_or_create(name=MODERATORS_GROUP)
    )
    if created:
        _grant_exactly(group, apps, using)
    return group


def ensure_moderators_group(
    sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, plan=None, **kwargs
):
    """post_migrate handler: after `migrate`, the group exists with exactly its permissions."""
    if plan is None:
        # `flush` sends post_migrate too, without a plan. What follows a flush brings its own
        # groups (`restore` loads the backup's, whose Moderators row would clash with a new
        # one); code that needs the group meanwhile calls moderators_group().
        return
    try:
        apps.get_model("proposals", "Proposal")
    except LookupError:  # proposals migrated to zero: no permissions to grant
        return
    _grant_exactly(moderators_group(apps=apps, using=using), apps, using)


def _grant_exactly(group, apps, using):
    permissions = apps.get_model("auth", "Permission").objects.using(using)
    group.permissions.set(
        [
            permissions.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
            for app_label, model, codename in MODERATOR_PERMISSIONS
        ]
    )
