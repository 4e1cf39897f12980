from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .dbwatch import watchdog


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header of every response.

    Django has no setting for this header. The portal needs no camera, microphone,
    location or payment; switching them off means injected content could not ask for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def plain_response(text, status, **headers):
    """A short text answer made before sessions, templates or the database are reached."""
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


class RequestBodyMiddleware:
    """Refuse request bodies the portal would not read well, before anything reads them.

    - A body larger than settings.REQUEST_MAX_BODY_BYTES by its Content-Length: 413, unread.
      The admin pages that upload materials (MATERIAL_UPLOAD_URL_NAMES) may add one
      material's worth. Django reads no more than Content-Length (a chunked body without one
      is read as empty), and keeps at most DATA_UPLOAD_MAX_MEMORY_SIZE of form fields.
    - A form POST that declares a charset other than UTF-8: 400. Django refuses to decode it
      (BadRequest) on every access to request.POST, its CSRF check and error pages included,
      which turned the refusal into a 500.
    """

    # Materials are uploaded inline on a session's admin page.
    MATERIAL_UPLOAD_URL_NAMES = {"forum_sessions_session_add", "forum_sessions_session_change"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return plain_response(_("Bad request."), 400)
        if length > settings.REQUEST_MAX_BODY_BYTES and length > self.limit(request):
            return plain_response(_("The request is too large."), 413)
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and request.encoding
            and request.encoding.lower() != "utf-8"
        ):
            return plain_response(_("Forms must be sent in UTF-8."), 400)
        return self.get_response(request)

    def limit(self, request):
        """The largest body this request may send."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return settings.REQUEST_MAX_BODY_BYTES
        if match.namespace == "admin" and match.url_name in self.MATERIAL_UPLOAD_URL_NAMES:
            return settings.REQUEST_MAX_BODY_BYTES + settings.MATERIAL_MAX_UPLOAD_BYTES
        return settings.REQUEST_MAX_BODY_BYTES


class DatabaseWatchdogMiddleware:
    """Each request (static files aside) under the database watchdog (forum_portal/dbwatch.py).

    While the database is found down, answer 503 at once instead of waiting for it; a request
    whose query the watchdog ended, or that failed as the database was found down, gets 503
    too, rather than the error page of a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL

    def __call__(self, request):
        if request.path_info.startswith(self.static_prefix):
            return self.get_response(request)
        if watchdog.is_down():
            return self.unavailable()
        with watchdog.watching() as watch:
            response = self.get_response(request)
        if watch.interrupted:
            # Its socket is shut: the connection must not be kept for the next request.
            watch.wrapper.close()
            return self.unavailable()
        if response.status_code == 500 and watchdog.is_down():
            # Found down meanwhile (its new connection timed out): say so, not "error".
            return self.unavailable()
        return response

    def unavailable(self):
        return plain_response(
            _("The portal cannot reach its database. Please try again in a minute."),
            503,
            Retry_After=str(settings.DB_RETRY_SECONDS),
            Cache_Control="no-store",
        )
