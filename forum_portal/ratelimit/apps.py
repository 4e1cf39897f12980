from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    """Attempt counters shared by every worker and instance (see the package's docstring)."""

    name = "forum_portal.ratelimit"
    label = "ratelimit"
    default_auto_field = "django.db.models.BigAutoField"
