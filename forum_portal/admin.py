"""The portal's admin site, and what every model admin of it shares: hand-made requests answered
without a 500, and nothing shown that the user may not see in the admin."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _

# Searches are cut to this length: SQLite refuses a LIKE pattern over 50,000 characters, and
# each word of a search adds one condition per search field to the query.
SEARCH_MAX_CHARS = 200


class BadInputAdminMixin:
    """Clear answers to admin URLs and POSTs that no page of the admin sends (test_bad_input_*).

    Django's admin answers these with a server error: a year beyond any date in the date
    filter, a NUL character in a filter or a search, the autocomplete's included (PostgreSQL
    refuses it), a search of 100,000 characters (SQLite refuses it), or a selected id that is
    not a number in a bulk action.
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
        # Lists and autocomplete alike. No stored text holds a NUL (PostgreSQL refuses one in
        # a query, a server error): such a search finds nothing.
        if "\x00" in search_term:
            return queryset.none(), False
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


class PortalAdminSite(admin.AdminSite):
    """The admin site (forum_portal.apps.PortalAdminConfig makes it the default one)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        # Other apps' model admins too (Django's groups, django-tasks-db's results): a NUL in
        # their filters was a server error on PostgreSQL.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BadInputAdminMixin):
            admin_class = type(admin_class.__name__, (BadInputAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        scoped = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            scoped,
            *(url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"),
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """/admin/r/<type>/<id>/: to an object's page on the site, for what the user may see.

        Django's own view redirects for any object of any model, so a moderator could learn
        which proposal ids exist and the slugs of unpublished sessions and people. Here it is a
        404 unless the object's model admin shows it to this user and offers "view on site",
        and either the user may change it or it is in the model admin's `public_queryset()`
        (a model admin without one: only those who may change it).
        """
        if not content_type_id.isdecimal() or len(content_type_id) > 9:
            raise Http404
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        if model is None or not self.is_registered(model):
            raise Http404
        model_admin = self.get_model_admin(model)
        obj = model_admin.get_object(request, object_id)
        if (
            obj is None
            or not model_admin.has_view_permission(request, obj)
            or not model_admin.get_view_on_site_url(obj)
        ):
            raise Http404
        if not model_admin.has_change_permission(request, obj):
            public = getattr(model_admin, "public_queryset", None)
            if public is None or not public().filter(pk=obj.pk).exists():
                raise Http404
        return shortcut(request, content_type_id, object_id)
