"""The read API's answers from the page cache (sessions/page_cache/), and their ETags.

What is stored: the JSON bytes of a 200 answer and their gzip, as a fragment entry of the page cache
(`cached_fragments`), so the same protocol holds: keyed by release, programme version and
language, never deleted, dropped when the programme moves. Keyed further by the view, its
action and URL arguments, the declared query (`QUERY_PARAMETERS`; any other parameter is
ignored by the views and kept out of the key) and the scheme and host (the answers hold
absolute links).

Kept only when the entries stay bounded by the data that exist: a query written as the API
writes it (one value per parameter, numbers without leading zeros), the default page size
(every page size would be another copy of the whole list), and a non-empty answer (every valid
but unmatched day or edition would be one more entry). Other answers are built, not kept.
Errors (400, 404) are raised before anything is stored.

ETags: `conditional.freshness` with `api_release()`, a fingerprint of this package's code and
of Django REST framework's version, so a deploy that changes what the API writes is never
answered with a 304 from the previous release.
"""

import gzip
import hashlib
import re
from functools import cache
from pathlib import Path

import rest_framework
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer

from ..page_cache.conditional import add_conditional_headers
from ..page_cache.core import cached_fragments, declared_query, query_token, short

QUERY_PARAMETERS = ("page", "page_size", "edition", "day", "format")
# As Django's GZipMiddleware decides whether a client takes gzip.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
GZIP_LEVEL = 6


@cache
def api_release():
    """What else besides `release()` tells this release's answers from another's."""
    digest = hashlib.sha256(rest_framework.VERSION.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return f"api/v1|{digest.hexdigest()[:12]}"


def entry_name(view, request):
    query = declared_query(request.GET, QUERY_PARAMETERS)
    arguments = ",".join(f"{key}={value}" for key, value in sorted(view.kwargs.items()))
    where = f"{request.scheme}://{request.get_host()}"
    name = f"{type(view).__name__}:{view.action}:{short(arguments)}:{query_token(query)}"
    return f"api:{name}:{short(where)}"


def is_canonical(request):
    """One value per parameter, numbers written as numbers are, and the default page size."""
    query = declared_query(request.GET, QUERY_PARAMETERS)
    if "page_size" in query or any(len(query.getlist(name)) != 1 for name in query):
        return False
    numbers = [query[name] for name in ("page", "edition") if name in query]
    return all(value.isdigit() and str(int(value)) == value for value in numbers)


def cached_answer(view, programme, respond, request, *args, **kwargs):
    """The answer: from the cache, or built by `respond` (which raises on a refused request)
    and kept under the rules above. The entry holds the JSON and its gzip, compressed once."""
    built = {}

    def build():
        data = respond(request, *args, **kwargs).data
        built["empty"] = data.get("count") == 0 if "count" in data else False
        body = JSONRenderer().render(data)
        return {"json": body, "gzip": gzip.compress(body, GZIP_LEVEL)}

    def keep():
        return not built["empty"] and is_canonical(request)

    entry, _ = cached_fragments(programme, entry_name(view, request), build, keep)
    if not ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        return HttpResponse(entry["json"], content_type="application/json")
    # Marked as encoded, so GZipMiddleware leaves it as it is.
    response = HttpResponse(entry["gzip"], content_type="application/json")
    response.headers["Content-Encoding"] = "gzip"
    return response


def add_etag(response, page_freshness):
    """The programme version's ETag; weak on the gzip variant, as GZipMiddleware makes it."""
    add_conditional_headers(response, page_freshness)
    patch_vary_headers(response, ("Accept-Encoding",))
    etag = response.headers.get("ETag", "")
    if response.headers.get("Content-Encoding") == "gzip" and etag.startswith('"'):
        response.headers["ETag"] = f"W/{etag}"
    return response
