"""What every layer of the page cache shares: the programme version, the release, the query a
view declares, and the note a view leaves for the fast path. The protocol is in __init__.py."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Subquery
from django.http import QueryDict
from django.utils.translation import get_language

from ..models import Forum, ProgrammeVersion

# Keys longer than this are hashed: memcached refuses keys over 250 characters, and a
# hand-made URL can be as long as the server lets it be.
LONGEST_KEY_PART = 150
# The query string of a page that has none, as it goes into keys.
NO_QUERY = "-"


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
            programme = cls(forum, forum.version_number, forum.version_changed_at)
        else:  # No forum yet, or no version row yet (a fresh or flushed database).
            row = ProgrammeVersion.read()
            programme = cls(forum, row.number, row.changed_at)
        forget_other_versions(programme.number)
        return programme

    @property
    def token(self):
        """The version as it goes into keys: the number and the moment it was reached.

        The moment keeps keys apart if the version row is ever recreated from 1.
        """
        return f"{self.number}.{self.changed_at.timestamp():.6f}"


class _VersionSeen:
    number = None


def forget_other_versions(number):
    """With a local-memory cache (one per worker), empty it when the programme moves to
    another version: no key of the old version will be asked for again, and each worker would
    otherwise keep every version's pages until they expire. So a worker holds the pages of one
    version, bounded by the pages that exist. A shared cache (Redis) is left to its own
    `maxmemory`: one instance must not empty what the others are filling.

    The page cache is the only user of the default cache (see the package docstring)."""
    if number == _VersionSeen.number:
        return
    if _VersionSeen.number is not None and isinstance(caches["default"], LocMemCache):
        default_cache.clear()
    _VersionSeen.number = number


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


def declared_query(query, parameters):
    """The part of a request's query string a view declared: every other parameter dropped."""
    items = [(name, value) for name in parameters for value in query.getlist(name)]
    return QueryDict(urlencode(items))


def query_token(query):
    """A query in a canonical order, hashed, as it goes into keys."""
    if not query:
        return NO_QUERY
    items = sorted((key, value) for key, values in query.lists() for value in values)
    return hashlib.sha256(urlencode(items).encode()).hexdigest()[:20]


def short(text):
    """`text` as a key part: itself, or its hash when a hand-made URL makes it long."""
    if len(text) > LONGEST_KEY_PART:
        return hashlib.sha256(text.encode()).hexdigest()
    return text


def fragment_key(programme, name):
    return f"programme:{release()}:{programme.token}:{get_language()}:{name}"


def cached_fragments(programme, name, build, keep):
    """The fragment entry `name` for this programme version and language, built when missing,
    and whether it is kept: once built, only if `keep()` says so."""
    key = fragment_key(programme, name)
    entry = default_cache.get(key)
    if entry is not None:
        return entry, True
    entry = build()
    kept = keep()
    if kept:
        default_cache.set(key, entry, settings.PROGRAMME_CACHE_SECONDS)
    return entry, kept


def has_pending_messages(request):
    """Messages waiting to be shown: such a page is sent whole, never stored nor answered 304.

    len() loads the stored messages without marking them shown."""
    return len(get_messages(request)) > 0


@dataclass(frozen=True)
class AnonymousPage:
    """A view's note to the fast path: this response is every anonymous visitor's page, until
    `until` (the moment it changes by itself) or the next programme version."""

    until: datetime | None = None


# The response attribute that carries the note; set and read in this package only.
ANONYMOUS_PAGE = "forum_anonymous_page"


def mark_anonymous_page(response, until=None):
    setattr(response, ANONYMOUS_PAGE, AnonymousPage(until))
    return response


def anonymous_page(response):
    """The view's note on `response`, or None if it is not every anonymous visitor's page."""
    return getattr(response, ANONYMOUS_PAGE, None)
