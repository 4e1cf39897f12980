"""The page cache of the public programme pages (programme, session, speakers, speaker).

The programme is read far more than it is written, and mostly by visitors who are not
signed in. Three layers keep it cheap; this package is all of them.

What is stored
--------------
1. **Fragments** (`views.CachedPageMixin`): the parts of a page that depend on the programme
   alone (lists, texts, people), rendered from the template's partials (`{% partialdef %}`)
   without the request, plus the few picklable values the page around them needs
   (`entry_values`). The page around them (navigation for this visitor, CSRF token, messages,
   the proposal button whose state moves with the clock) is rendered for every request.
2. **Whole anonymous pages** (`fast_path.AnonymousPageCacheMiddleware`): the final bytes and
   headers of a page as an anonymous visitor got it (the gzip variant compressed once),
   served to the next anonymous visitor before sessions, auth, CSRF, templates or the ORM run.
   Only a page its view marked as the anonymous page (`mark_anonymous_page`: 200, no message)
   that sets no cookie and used no CSP nonce is stored: no visitor's secret is ever kept.
3. **Browsers' copies** (`conditional`): an ETag (and, to anonymous visitors, Last-Modified)
   with `Cache-Control: private, no-cache`; a current copy is answered `304 Not Modified`.

Keyed by
--------
- every key and ETag: `release()` (templates, translations, static names, Django's version),
  the programme version (`Programme.token`: number and moment) and the language;
- a fragment: the view, its URL arguments and its *declared* query parameters;
- a whole page: gzip or not, the path and its declared query parameters (`page_key`);
- an ETag: also the visitor (anonymous, or the user, their staff flag and their CSRF cookie:
  a new log-in is a new ETag, so a page is never revived with a dead CSRF token) and the
  view's `etag_inputs`;
- Last-Modified: the real moment of the last programme change, or the later moment the page
  changed by itself (a proposals deadline), never later than now.

Query parameters a view does not declare are dropped before the view sees them
(`declared_query`): they are in no key, so made-up query strings add no entry of any layer.
Entries are stored only for queries the page accepts as they are (`keep_entry`): a refused
filter value, a page number written another way, or a search (`search_parameters`: free text,
each distinct text would be an entry) is rendered, not kept. So the entries of one programme
version are bounded by the pages that exist: one per page, filter combination and list page,
in two variants (gzip or not) for whole pages.

Invalidated how
---------------
Never by deleting: by moving the key. Every save or delete of programme data (admin, ORM,
fixtures) moves `ProgrammeVersion` in the same transaction (sessions/signals.py); every request
reads the version from the database shared by all instances (one query), so the next request
on every worker looks for new keys. Code that changes the programme in bulk (`update()`,
`bulk_create()`, raw SQL) calls `ProgrammeVersion.bump()` itself. A deploy changes `release()`.
A whole page also ends at the moment its view names (`changes_at`: the proposals deadline).
With the local-memory cache (one per worker) a worker empties its cache when it sees a new
version (`forget_other_versions`), so it holds one version's pages at most: on the benchmark's
forum (300 sessions, 3,000 people) a crawl of every page in both encodings is 7,899 entries,
24 MB. In a shared cache (Redis) old entries go when `PROGRAMME_CACHE_SECONDS` (a day) passes
or Redis evicts them (its own `maxmemory`). The page cache is the only user of the default
cache.

The read API (sessions/api/cache.py) keeps its JSON answers as fragment entries through
`cached_fragments`, under this protocol, with its own rule of which answers are kept.

What a view declares to take part
---------------------------------
Inherit `CachedPageMixin` before `ListView`/`DetailView`, with an explicit `template_name`, and:
- `cached_partials`: the partials of the template that are cached (default `("main",)`);
- `query_parameters`: the GET parameters the page reads (default none); read them from
  `self.query`, never `request.GET`;
- `anonymous_page_parameters`: those with which an anonymous page is still kept whole
  (default none: a filter goes to the view, whose fragments still serve it);
- `search_parameters`: those that take free text (default none): such a page is never kept;
- optionally `entry_values(context)` (values beside the fragments), `etag_inputs(entry)`,
  `changed_by_itself(entry)` (a later Last-Modified), `changes_at(entry)` (when the whole page
  ends) and `cleaned_query()` (the query as the page understood it, None if refused).

Where it sits, and what of Django it relies on
----------------------------------------------
`fast_path.AnonymousPageCacheMiddleware` comes after the middlewares that add the security
headers (CSP, Permissions-Policy, X-Frame-Options, SecurityMiddleware) and before sessions,
CSRF, auth and gzip (forum_portal/settings.py; tests/test_serving.py checks the order). It
finds a view's declarations through `resolve()` and `as_view()`'s `view_class`, both
documented. Two undocumented behaviours, each with a test that fails on the Django release
that changes them (tests/sessions/test_page_cache_security.py): the connection's
`health_check_done` flag (the version read stands in for the health check) and a CSP nonce
that is false until used (a page that used one is never stored).
"""
