"""Caching and conditional requests for the public programme pages.

The programme is read far more than it is written. Each page keeps the part that depends on the
programme alone (lists, texts, people) as rendered HTML in the cache, under a key that carries
the programme's version from the database (`ProgrammeVersion`). The page around that part
(navigation for this visitor, CSRF token, messages, the proposal button whose state moves with
the clock) is rendered for every request, so no visitor is ever served another's token or
navigation. Anonymous visitors, whose pages are all alike, get the whole page from the cache
before any of this runs (sessions/middleware.py).

An organiser's change bumps the version in the same transaction (sessions/signals.py). Every
worker of every instance reads the version with the page's first query, so the change is seen at
the next request, whatever the cache backend: a local-memory cache per worker or one shared Redis.
"""

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.core.cache import cache as default_cache
from django.db.models import Subquery
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from .models import Forum, ProgrammeVersion


class Programme:
    """The current forum and the programme version, read together in one query."""

    def __init__(self, forum, number, changed_at):
        self.forum = forum
        self.number = number
        self.changed_at = changed_at

    @classmethod
    def now(cls):
        version = ProgrammeVersion.objects.filter(pk=1)
        forum = Forum.objects.annotate(
            version_number=Subquery(version.values("number")),
            version_changed_at=Subquery(version.values("changed_at")),
        ).latest_edition()
        if forum is not None and forum.version_number is not None:
            return cls(forum, forum.version_number, forum.version_changed_at)
        # No forum yet, or no version row yet (a fresh or flushed database).
        row = ProgrammeVersion.read()
        return cls(forum, row.number, row.changed_at)

    @property
    def token(self):
        """The version as it goes into keys: the number and the moment it was reached.

        The moment keeps keys apart if the version row is ever recreated from 1.
        """
        return f"{self.number}.{self.changed_at.timestamp():.6f}"


@cache
def release():
    """A fingerprint of what renders pages besides the data: templates, translations, static
    file names and Django itself. A deploy changes it, so cached HTML and browsers' copies from
    the previous release are never served by the new one. Computed once per process."""
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates").rglob("*.html")) + sorted((base / "locale").rglob("*.mo"))
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        files.append(manifest)
    for path in files:
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def query_key(request):
    """The query string in a canonical order, hashed: filters and searches get their own entry."""
    if not request.GET:
        return "-"
    items = sorted((key, value) for key, values in request.GET.lists() for value in values)
    return hashlib.sha256(urlencode(items).encode()).hexdigest()[:20]


def cached_entry(programme, name, build):
    """The cached entry `name` for this programme version and language, built when missing."""
    key = f"programme:{release()}:{programme.token}:{get_language()}:{name}"
    entry = default_cache.get(key)
    if entry is None:
        entry = build()
        default_cache.set(key, entry, settings.PROGRAMME_CACHE_SECONDS)
    return entry


def visitor_key(request):
    """What of the visitor changes the page around the cached part: their navigation."""
    user = request.user
    if not user.is_authenticated:
        return "anon"
    return f"u{user.pk}{'s' if user.is_staff else ''}"


def has_pending_messages(request):
    """Messages waiting to be shown: such a page must be sent whole, not answered with a 304.

    len() loads the stored messages without marking them shown."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def conditional_response(request, programme, extra="", last_modified=None):
    """A 304 when the visitor's copy is current, else None; and the validators for the page.

    The ETag covers the release, the programme version, the language, the visitor's
    navigation and `extra` (what else the page shows). Last-Modified is sent to anonymous
    visitors only: it cannot tell one signed-in visitor's page from another's.
    """
    if has_pending_messages(request):
        return None, {}
    visitor = visitor_key(request)
    etag = '"{}"'.format(
        hashlib.sha256(
            f"{release()}|{programme.token}|{get_language()}|{visitor}|{extra}".encode()
        ).hexdigest()[:32]
    )
    modified = None
    if visitor == "anon":
        modified = max(filter(None, (programme.changed_at, last_modified)))
    validators = {"etag": etag, "last_modified": modified}
    timestamp = int(modified.timestamp()) if modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None:
        add_validators(response, request, validators)
    return response, validators


def add_validators(response, request, validators):
    """ETag and Last-Modified on the response; browsers must ask again before reusing it."""
    if validators.get("etag"):
        response.headers["ETag"] = validators["etag"]
    if validators.get("last_modified"):
        response.headers["Last-Modified"] = http_date(validators["last_modified"].timestamp())
    # no-cache: a browser keeps the page but asks (If-None-Match) each time, so a change is
    # seen at once. private: no shared cache may hand one visitor's page (nav, token) to another.
    patch_cache_control(response, no_cache=True, private=True)
    return response
