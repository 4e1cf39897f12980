"""Browsers' copies of the pages: ETag and Last-Modified, and 304 for a copy that is current.

Every page asks to be revalidated (`no-cache`) and is never kept by a shared cache
(`private`): a browser keeps the page, asks with If-None-Match each time, and sees a change at
once. The protocol of the whole page cache is in __init__.py.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from .core import has_pending_messages, release

ANONYMOUS = "anonymous"
ETAG_LENGTH = 32


@dataclass(frozen=True)
class Freshness:
    """What tells whether a browser's copy of a page is current."""

    etag: str
    last_modified: datetime | None


def visitor_key(request):
    """What of the visitor the page around the cached part shows.

    A signed-in visitor's page carries their navigation and a CSRF token made from their CSRF
    secret, which Django replaces at every log-in (the cookie, or the session with
    CSRF_USE_SESSIONS): both go in, so a copy from before a log-out is never revived by a 304
    with a token that no longer works. So does the user's `page_state`, if the user model has
    one: what else of theirs the page around the cached part shows (the agenda's stars), on
    the user row already loaded, so no query is added."""
    user = request.user
    if not user.is_authenticated:
        return ANONYMOUS
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    state = getattr(user, "page_state", "")
    return f"u{user.pk}{'s' if user.is_staff else ''}|{csrf}|{request.session.session_key}|{state}"


def last_modified(programme, changed_by_itself=None):
    """The moment the page last changed: the programme's last change, or a later moment the
    page changed by itself (a deadline that passed). Never later than now: a clock a little
    ahead on another instance, or a version row from before this rule, must not date a page
    in the future."""
    changed = max(filter(None, (programme.changed_at, changed_by_itself)))
    return min(changed, timezone.now())


def freshness(request, programme, etag_inputs="", changed_by_itself=None):
    """The page's ETag and Last-Modified, or None while messages wait (the page is then sent
    whole). Last-Modified only for anonymous visitors: it cannot tell one signed-in visitor's
    page from another's."""
    if has_pending_messages(request):
        return None
    visitor = visitor_key(request)
    inputs = f"{release()}|{programme.token}|{get_language()}|{visitor}|{etag_inputs}"
    etag = f'"{hashlib.sha256(inputs.encode()).hexdigest()[:ETAG_LENGTH]}"'
    modified = last_modified(programme, changed_by_itself) if visitor == ANONYMOUS else None
    return Freshness(etag, modified)


def not_modified(request, page_freshness):
    """A 304 when the visitor's copy is current, else None."""
    if page_freshness is None:
        return None
    modified = page_freshness.last_modified
    response = get_conditional_response(
        request,
        etag=page_freshness.etag,
        last_modified=int(modified.timestamp()) if modified else None,
    )
    if response is not None:
        add_conditional_headers(response, page_freshness)
    return response


def add_conditional_headers(response, page_freshness):
    """ETag, Last-Modified and Cache-Control on a page (only Cache-Control when `None`)."""
    if page_freshness is not None:
        response.headers["ETag"] = page_freshness.etag
        if page_freshness.last_modified:
            response.headers["Last-Modified"] = http_date(page_freshness.last_modified.timestamp())
    # no-cache: a browser keeps the page but asks (If-None-Match) each time, so a change is
    # seen at once. private: no shared cache may hand one visitor's page (nav, token) to another.
    patch_cache_control(response, no_cache=True, private=True)
    return response
