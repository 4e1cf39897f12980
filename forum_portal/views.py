from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .dbwatch import watchdog


@never_cache
@require_safe
def healthz(request):
    """For load balancers: "ok" when the database answers within DB_PROBE_TIMEOUT, else 503.

    The probe runs on a connection of its own (forum_portal/dbwatch.py), so that a database
    that hangs costs this request DB_PROBE_TIMEOUT seconds, not a thread for ever. The answer
    says nothing about why: the reason goes to the log, not to whoever asks.
    """
    if not watchdog.probe():
        return HttpResponse("unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
