"""Whole pages for anonymous visitors, straight from the cache: the programme's fast path.

When a session starts or a QR code goes up on a screen, thousands of phones open the same few
pages, nearly all of them without logging in. Their pages are the same bytes for every one of
them, so this middleware keeps the final response (body and headers, the gzip variant
compressed once) and answers the next anonymous visitor from it, before sessions, auth, CSRF,
messages, templates or the ORM run. It sits right after SecurityMiddleware, which still adds
HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy to every answer.

A request takes the fast path when all of these hold:
- GET or HEAD, to a view that opts in (`anonymous_page_cache = True`: the programme, session,
  speakers and speaker pages), with no query parameter but those the view names in
  `anonymous_page_params` (the speakers list's `page`);
- no session cookie and no messages cookie: nobody logged in, no message waiting. A visitor
  with a session cookie always gets the page rendered for them (their navigation shows);
- an entry for (release, programme version, language, gzip or not, path, canonical query).

The programme version is read with one raw SQL query per request, from the database shared
by every instance: an organiser's change moves it (sessions/signals.py), so the next request
on every worker of every instance looks for a new key and renders the new page. The entry is
filled on the way out, only from a response the view marked as the anonymous page (200, no
message shown) and that sets no cookie and carries no CSP nonce: a page that held a CSRF
token (which sets the cookie) or a nonce is never stored, so no visitor gets another's secret.
Pages therefore load our one script from 'self' without a nonce (templates/base.html).

The gzip variant is compressed once per version, without the random padding GZipMiddleware
adds per response against BREACH: that padding protects secrets reflected beside attacker-
controlled text, and these pages hold no secret.

With caching off (CACHE_URL=dummy://) the middleware steps aside (MiddlewareNotUsed), so
that nothing is read for an entry that can never exist.
"""

import hashlib
from datetime import UTC
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from .caching import query_key, release
from .models import ProgrammeVersion

# Cookies that mean the page may differ for this visitor: a login (or a kept proposal text,
# a throttled login) lives in the session; a message waits in the messages cookie.
MESSAGES_COOKIE = "messages"
# Headers of a stored page that a 304 does not repeat: they describe the body it omits.
BODY_HEADERS = {"content-type", "content-length", "content-encoding"}


@lru_cache(maxsize=4096)
def query_parameters(path):
    """The query parameters the view at `path` serves from the fast path, or None if it does
    not take part.

    Remembered per path (bounded): resolving is cheap, but not free at thousands a second."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if not getattr(view_class, "anonymous_page_cache", False):
        return None
    return frozenset(getattr(view_class, "anonymous_page_params", ()))


def read_version():
    table = connection.ops.quote_name(ProgrammeVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at FROM {table} WHERE id = 1")
        return cursor.fetchone()


def programme_version():
    """(number, changed_at) of the programme, as stored: one primary-key read, no ORM.

    None on a fresh database, before the version row exists.

    With CONN_HEALTH_CHECKS on, Django sends `SELECT 1` before the first query on a connection
    kept from an earlier request: a second round trip for the fast path's only query. So the
    version read is the health check: if the kept connection turns out to be dead, it is
    closed and the read made again on a new one, which is what the health check would do.
    """
    if (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    ):
        connection.health_check_done = True
        try:
            return read_version()
        except DatabaseError:
            connection.close()
    return read_version()


def mark_anonymous_page(response, until=None):
    """Let the fast path store this response as every anonymous visitor's page.

    `until`: the moment the page changes by itself (a proposals deadline), or None."""
    response.anonymous_page_until = until or True
    return response


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        if isinstance(caches["default"], DummyCache):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and (entry["until"] is None or timezone.now() < entry["until"]):
            return self.hit(request, entry)
        response = self.get_response(request)
        if request.method == "GET":
            self.store(key, response)
        return response

    def key(self, request):
        """The entry's key, or None when this request must go through the whole stack."""
        if request.method not in ("GET", "HEAD"):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return None
        parameters = query_parameters(request.path_info)
        # Only the pages themselves (and the speakers list's pages): searches and filters are
        # each visitor's own and go to the view, so that made-up queries cannot fill the
        # cache with copies of the same pages.
        if parameters is None or not parameters.issuperset(request.GET):
            return None
        # As CommonMiddleware would: a forged Host header is refused (400), not answered.
        request.get_host()
        version = programme_version()
        if version is None:
            return None
        language = translation.get_language_from_request(request)
        gzip = "gz" if re_accepts_gzip.search(request.headers.get("accept-encoding", "")) else "id"
        number, changed_at = version
        page = f"{changed_at}|{language}|{gzip}|{request.path_info}?{query_key(request)}"
        return f"page:{release()}:{number}:{hashlib.sha256(page.encode()).hexdigest()[:32]}"

    def store(self, key, response):
        until = getattr(response, "anonymous_page_until", None)
        if (
            until is None
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or "'nonce-" in response.headers.get("Content-Security-Policy", "")
        ):
            return
        until = None if until is True else until
        timeout = settings.PROGRAMME_CACHE_SECONDS
        if until is not None:
            timeout = min(timeout, max(1, int((until - timezone.now()).total_seconds()) + 1))
        modified = response.headers.get("Last-Modified")
        entry = {
            "body": response.content,
            "headers": list(response.headers.items()),
            "etag": response.headers.get("ETag"),
            "last_modified": parse_http_date_safe(modified) if modified else None,
            "until": until.astimezone(UTC) if until is not None else None,
        }
        cache.set(key, entry, timeout)

    def hit(self, request, entry):
        response = HttpResponse(entry["body"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        conditional = get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )
        if conditional is not response:
            # 304 (or 412): the validators come from Django; the security headers from us.
            for name, value in entry["headers"]:
                if name.lower() not in BODY_HEADERS:
                    conditional.headers.setdefault(name, value)
        return conditional
