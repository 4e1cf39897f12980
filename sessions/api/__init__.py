"""The read API (/api/v1/): the public programme as JSON, with its OpenAPI document.

It shows what the pages show and nothing more: every queryset starts from the same QuerySet
methods as the pages (`Session.objects.published()`, `Person.objects.in_programme()`,
`Participation.objects.public()` through the prefetches), so an unpublished session or an
unconfirmed person never appears. Read-only and anonymous; answers carry the programme
version's ETag (sessions/page_cache/conditional.py) and `Access-Control-Allow-Origin: *`.
"""
