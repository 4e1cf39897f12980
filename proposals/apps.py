from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .permissions import ensure_moderators_group


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Participants and proposals")

    def ready(self):
        # Sent for this app after Django's own handlers have created its permissions.
        post_migrate.connect(
            ensure_moderators_group, sender=self, dispatch_uid="proposals-moderators-group"
        )
