from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    name = "sessions"
    # "sessions" is django.contrib.sessions' label; both apps must be installed, so ours
    # takes its own label. Migrations, permissions and admin URLs use "forum_sessions".
    label = "forum_sessions"
    verbose_name = _("Programme")

    def ready(self):
        # signals imports the models, which cannot load before the app registry is ready.
        from . import signals  # noqa: PLC0415

        signals.connect()
