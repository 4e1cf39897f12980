"""What every model admin of the portal shares: hand-made requests answered without a 500."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

# Searches are cut to this length: SQLite refuses a LIKE pattern over 50,000 characters, and
# each word of a search adds one condition per search field to the query.
SEARCH_MAX_CHARS = 200


class BadInputAdminMixin:
    """Clear answers to admin URLs and POSTs that no page of the admin sends (test_bad_input).

    Django's admin answers these with a server error: a year beyond any date in the date
    filter, a NUL character in a filter (PostgreSQL refuses it), a search of 100,000
    characters (SQLite refuses it), or a selected id that is not a number in a bulk action.
    """

    def get_changelist_instance(self, request):
        # Django's own answer to a bad filter: back to the list, unfiltered (?e=1).
        if any("\x00" in key + value for key, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters("NUL character in the query")
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:  # the date filter's datetime(year, …)
            raise IncorrectLookupParameters(error) from error

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_MAX_CHARS:
            self.message_user(
                request,
                _("Only the first %(count)d characters of the search were used.")
                % {"count": SEARCH_MAX_CHARS},
                messages.WARNING,
            )
            search_term = search_term[:SEARCH_MAX_CHARS]
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(self._is_primary_key(value) for value in selected):
            self.message_user(
                request,
                _("The selection was not understood. No items have been changed."),
                messages.WARNING,
            )
            return None  # the changelist view then redirects back to the list
        return super().response_action(request, queryset, *args, **kwargs)

    def _is_primary_key(self, value):
        """A value the database can compare with this model's primary key."""
        field = self.opts.pk
        try:
            pk = field.to_python(value)
        except ValidationError:
            return False
        if isinstance(pk, int):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            return low <= pk <= high
        return True
