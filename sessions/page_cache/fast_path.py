"""Whole pages for anonymous visitors, straight from the cache: the programme's fast path.

When a session starts or a QR code goes up on a screen, thousands of phones open the same few
pages, nearly all of them without logging in. Their pages are the same bytes for every one of
them, so this middleware keeps the final response (body and headers, the gzip variant
compressed once) and answers the next anonymous visitor from it, before sessions, auth, CSRF,
messages, templates or the ORM run. It sits inside SecurityMiddleware and the middlewares that
add the CSP, Permissions-Policy and X-Frame-Options, so every answer it gives, errors
included, carries the full set of headers (forum_portal/settings.py, MIDDLEWARE).

A request takes the fast path when all of these hold:
- GET or HEAD, to a `CachedPageMixin` view, with no query parameter but those the view names
  in `anonymous_page_parameters` (the speakers list's `page`);
- no session cookie and no messages cookie: nobody logged in, no message waiting. A visitor
  with a session cookie always gets the page rendered for them (their navigation shows);
- an entry for (release, programme version, language, gzip or not, path, query).

The programme version is read with one raw SQL query per request (`programme_version`). The
entry is filled on the way out, only from a response the view marked as the anonymous page
(`mark_anonymous_page`) that sets no cookie and used no CSP nonce: a page that held a CSRF
token (which sets the cookie) or a nonce is never stored. Pages therefore load our one script
from 'self' without a nonce (templates/base.html).

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
from django.middleware.csp import get_nonce
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.csp import CSP, build_policy
from django.utils.http import parse_http_date_safe

from ..models import ProgrammeVersion
from .core import anonymous_page, forget_other_versions, query_token, release
from .views import CachedPageMixin

# The cookie that means a message waits for this visitor (a login, a kept proposal text or a
# throttled login live in the session cookie, settings.SESSION_COOKIE_NAME).
MESSAGES_COOKIE = "messages"
# Headers of a stored page that a 304 does not repeat: they describe the body it omits.
BODY_HEADERS = {"content-type", "content-length", "content-encoding"}
# Paths whose view is remembered: resolving is cheap, but not free at thousands a second.
REMEMBERED_PATHS = 4096


@lru_cache(maxsize=REMEMBERED_PATHS)
def anonymous_page_parameters(path):
    """The query parameters with which the page at `path` is kept whole, or None when `path`
    is not a cached page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # as_view() names its class in `view_class` (Django's documented attribute).
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, CachedPageMixin):
        return None
    return frozenset(view_class.anonymous_page_parameters)


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
    This relies on Django's `health_check_enabled`/`health_check_done` connection attributes;
    tests/sessions/test_page_cache_fast_path.py
    (test_fast_path_version_read_replaces_a_dead_kept_connection) fails if a Django release
    changes what they mean.
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


def page_key(request):
    """The whole page's key, or None when this request must go through the whole stack."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return None
    parameters = anonymous_page_parameters(request.path_info)
    # Only the pages themselves (and the speakers list's pages): searches and filters are each
    # visitor's own and go to the view, so that made-up queries cannot fill the cache with
    # copies of the same pages.
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
    forget_other_versions(number)
    page = f"{changed_at}|{language}|{gzip}|{request.path_info}?{query_token(request.GET)}"
    return f"page:{release()}:{number}:{hashlib.sha256(page.encode()).hexdigest()[:32]}"


def used_a_nonce(request, response):
    """Whether the page holds a CSP nonce: it would then differ for every visitor.

    Django's LazyNonce is false until a template or view uses it (documented on the class)."""
    return bool(get_nonce(request)) or "'nonce-" in response.headers.get(
        "Content-Security-Policy", ""
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        if isinstance(caches["default"], DummyCache):
            raise MiddlewareNotUsed
        self.get_response = get_response
        # The CSP of a page that used no nonce, built once: ContentSecurityPolicyMiddleware
        # (further out) keeps a policy it finds, so a hit does not build it again each time.
        self.policies = {
            str(header): build_policy(config)
            for header, config in (
                (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
                (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
            )
            if config
        }

    def __call__(self, request):
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and (entry["until"] is None or timezone.now() < entry["until"]):
            return self.hit(request, entry)
        response = self.get_response(request)
        if request.method == "GET":
            self.store(key, request, response)
        return response

    def store(self, key, request, response):
        note = anonymous_page(response)
        if (
            note is None
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or used_a_nonce(request, response)
        ):
            return
        timeout = settings.PROGRAMME_CACHE_SECONDS
        if note.until is not None:
            left = int((note.until - timezone.now()).total_seconds()) + 1
            timeout = min(timeout, max(1, left))
        modified = response.headers.get("Last-Modified")
        entry = {
            "body": response.content,
            "headers": list(response.headers.items()),
            "etag": response.headers.get("ETag"),
            "last_modified": parse_http_date_safe(modified) if modified else None,
            "until": note.until.astimezone(UTC) if note.until is not None else None,
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
            # 304 (or 412): the validators come from Django; the other headers from the page.
            for name, value in entry["headers"]:
                if name.lower() not in BODY_HEADERS:
                    conditional.headers.setdefault(name, value)
        for name, value in self.policies.items():
            conditional.headers[name] = value
        return conditional
