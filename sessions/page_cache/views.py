"""The view side of the page cache: fragments from the cache, the page around them per request.

The protocol, and what a view declares, are in __init__.py.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic.detail import SingleObjectMixin

from .conditional import add_conditional_headers, freshness, not_modified
from .core import (
    Programme,
    cached_fragments,
    declared_query,
    has_pending_messages,
    mark_anonymous_page,
    query_token,
    short,
)


def field_values_only(instance):
    """A copy of a model instance with its fields' values and nothing a queryset method
    prefetched onto it: small to cache, and the page around the fragments needs no more."""
    fields = {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}
    return type(instance)(**fields)


class CachedPageMixin:
    """Serve the programme part of a page from the cache; answer conditional requests.

    The template defines that part as partials (`{% partialdef %}`, names in
    `cached_partials`); they are rendered without the request, once per programme version,
    language and declared query, and the page around them for each request. An anonymous
    visitor's page is marked for the fast path, which answers the next anonymous visitors
    from the cache without running the view.
    """

    # The template's partials that are cached.
    cached_partials = ("main",)
    # The GET parameters the page reads, from self.query; any other is dropped.
    query_parameters = ()
    # Those of them with which an anonymous visitor's whole page is still kept.
    anonymous_page_parameters = ()
    # Those that take free text (a search): a page with one is rendered, never kept, as every
    # distinct text would be one more entry (a search matching everything is the whole list).
    search_parameters = ()

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.query = declared_query(request.GET, self.query_parameters)

    def get_template_names(self):
        # Explicit: on a cache hit the view has no object or list to guess a name from.
        return [self.template_name]

    def entry_name(self):
        """What tells this page's entry from others: the view, its URL arguments and query."""
        arguments = ",".join(f"{key}={value}" for key, value in sorted(self.kwargs.items()))
        return f"{type(self).__name__}:{short(arguments)}:{query_token(self.query)}"

    def build_context(self):
        """Run the page's queries (may raise Http404): the context of its cached partials."""
        if isinstance(self, SingleObjectMixin):
            self.object = self.get_object()
        else:
            self.object_list = self.get_queryset()
        return self.get_context_data()

    def build_entry(self):
        context = self.build_context()
        return {
            "fragments": {
                name: render_to_string(f"{self.template_name}#{name}", context)
                for name in self.cached_partials
            },
            **self.entry_values(context),
        }

    def entry_values(self, context):
        """Small values cached beside the HTML that the page around it needs."""
        return {}

    def cleaned_query(self):
        """The declared query as the page understood it, {name: value}, or None when the page
        refused a value. Called once the entry is built; by default, the query as given."""
        return {name: self.query.get(name) for name in self.query}

    def keep_entry(self):
        """Whether the entry just built may be kept: only for a query written as the page
        writes it (one value per parameter, as cleaned) and with no search, so that made-up
        values, the same value written another way ("02", "last"), or searches add no
        entries."""
        if any(self.query.get(name) for name in self.search_parameters):
            return False
        cleaned = self.cleaned_query()
        return cleaned is not None and all(
            self.query.getlist(name) == [str(cleaned.get(name, ""))] for name in self.query
        )

    def etag_inputs(self, entry):
        """What else the page shows besides the programme and the visitor, for its ETag."""
        return ""

    def changed_by_itself(self, entry):
        """The moment the page last changed with no change to the programme (or None)."""
        return None

    def changes_at(self, entry):
        """The next moment the page changes by itself, with no change to the programme."""
        return None

    def get(self, request, *args, **kwargs):
        self.programme = programme = Programme.now()
        entry, kept = cached_fragments(
            programme, self.entry_name(), self.build_entry, self.keep_entry
        )
        page_freshness = freshness(
            request, programme, self.etag_inputs(entry), self.changed_by_itself(entry)
        )
        response = not_modified(request, page_freshness)
        if response is not None:
            return response
        context = {
            "view": self,
            "current_forum": programme.forum,
            "fragments": {name: mark_safe(html) for name, html in entry["fragments"].items()},
            **{key: value for key, value in entry.items() if key != "fragments"},
        }
        response = add_conditional_headers(self.render_to_response(context), page_freshness)
        if kept and not request.user.is_authenticated and not has_pending_messages(request):
            mark_anonymous_page(response, until=self.changes_at(entry))
        return response
