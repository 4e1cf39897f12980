"""The read API's views: thin read-only viewsets over the pages' own QuerySet methods.

Every answer to GET or HEAD carries `Access-Control-Allow-Origin: *` (no credentials are ever
read, so any site may embed the programme) and, when it is a 200, the programme version's ETag
from the page cache (`sessions/page_cache/conditional.py`): a repeat with If-None-Match is a
304 until the programme changes.
"""

from django.http import JsonResponse
from django.views.generic import TemplateView
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import APIRootView

from ..models import Forum, Person, Session
from ..page_cache.conditional import freshness, not_modified
from ..page_cache.core import Programme
from . import serializers
from .cache import add_etag, api_release, cached_answer

# Slugs as the models make them: a made-up path (a NUL byte, a dot) never reaches the database.
SLUG = r"[-a-zA-Z0-9_]+"


class ApiPagination(PageNumberPagination):
    """?page=N (a bad or too large number is a 404), ?page_size= up to 100."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class OpenProgrammeMixin:
    """Anonymous, read-only, CORS for GET, answers from the page cache, and 304 while the
    programme version stands."""

    authentication_classes = ()
    http_method_names = ("get", "head", "options")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    def conditional(self, respond, request, *args, **kwargs):
        """The answer from the page cache, or a 304 when the client's copy is of the current
        programme version (sessions/api/cache.py)."""
        programme = Programme.now()
        page_freshness = freshness(request, programme, api_release())
        response = not_modified(request, page_freshness)
        if response is None:
            response = cached_answer(self, programme, respond, request, *args, **kwargs)
            add_etag(response, page_freshness)
        return response


class ProgrammeViewSet(OpenProgrammeMixin, viewsets.ReadOnlyModelViewSet):
    """A collection of the programme: a page of the list, or one item by its slug."""

    pagination_class = ApiPagination
    lookup_value_regex = SLUG

    def list(self, request, *args, **kwargs):
        return self.conditional(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.conditional(super().retrieve, request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Forum editions"),
    retrieve=extend_schema(summary="One forum edition"),
)
class ForumViewSet(ProgrammeViewSet):
    """The forum's editions, the latest first."""

    serializer_class = serializers.ForumSerializer
    queryset = Forum.objects.order_by("-starts_on", "-edition", "pk")
    lookup_value_regex = r"[0-9]+"


@extend_schema_view(
    list=extend_schema(
        summary="Published sessions, in time order",
        parameters=[serializers.SessionFilterSerializer],
    ),
    retrieve=extend_schema(summary="One published session"),
)
class SessionViewSet(ProgrammeViewSet):
    """Published sessions with their confirmed people, organisers and materials; times are
    Moscow time (+03:00)."""

    serializer_class = serializers.SessionSerializer
    lookup_field = "slug"

    def get_queryset(self):
        sessions = Session.objects.published().with_people().order_by(*Session._meta.ordering, "pk")
        if self.action != "list":
            return sessions
        query = serializers.SessionFilterSerializer(data=self.request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        if (edition := query.validated_data.get("edition")) is not None:
            sessions = sessions.of_edition(edition)
        if day := query.validated_data.get("day"):
            sessions = sessions.on_day(day)
        if session_format := query.validated_data.get("format"):
            sessions = sessions.of_format(session_format)
        return sessions


@extend_schema_view(
    list=extend_schema(summary="People confirmed in published sessions"),
    retrieve=extend_schema(summary="One person of the programme"),
)
class PersonViewSet(ProgrammeViewSet):
    """People confirmed in a published session, by surname, with those participations."""

    serializer_class = serializers.PersonSerializer
    lookup_field = "slug"
    queryset = (
        Person.objects.in_programme()
        .with_public_participations()
        .order_by(*Person._meta.ordering, "pk")
    )


class RootView(OpenProgrammeMixin, APIRootView):
    """The list of the API's collections."""


class SchemaView(OpenProgrammeMixin, SpectacularAPIView):
    """The OpenAPI 3 document, JSON unless YAML is asked for (Accept: application/yaml)."""

    renderer_classes = (OpenApiJsonRenderer, OpenApiYamlRenderer)


class DocsView(TemplateView):
    """Swagger UI from our own static files, started by a static script (the CSP allows no
    inline script or style)."""

    template_name = "sessions/api_docs.html"


def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a 404 in JSON, as the API's own are."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
