"""The API's OpenAPI document, its docs page, and the API fuzzed against its own document."""

import json
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/forums/", "get"),
    ("/api/v1/forums/{id}/", "get"),
    ("/api/v1/people/", "get"),
    ("/api/v1/people/{slug}/", "get"),
    ("/api/v1/sessions/", "get"),
    ("/api/v1/sessions/{slug}/", "get"),
}


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def load_schema(client):
    response = client.get("/api/v1/schema/")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_schema_is_a_valid_openapi_3_document_of_read_only_operations(client):
    schema = load_schema(client)

    validate(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.")
    assert {
        (path, method) for path, item in schema["paths"].items() for method in item
    } == OPERATIONS


def test_schema_documents_the_session_filters_and_fields(client):
    schema = load_schema(client)

    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/sessions/"]["get"]["parameters"]
    }
    session = schema["components"]["schemas"]["Session"]["properties"]
    assert set(parameters) == {"page", "page_size", "edition", "day", "format"}
    assert parameters["day"]["format"] == "date"
    assert set(parameters["format"]["enum"]) == {
        "plenary",
        "round_table",
        "panel",
        "workshop",
        "section",
        "presentation",
    }
    assert session["starts_at"]["format"] == "date-time"
    assert session["people"]["type"] == "array"


def test_docs_page_loads_only_our_static_files(client):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()

    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/favicon.svg",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/js/api-docs.js",
    ]
    assert all(finders.find(source.removeprefix("/static/")) for source in sources)
    assert "<style" not in html and "style=" not in html
    assert re.findall(r"<script>", html) == []  # no inline script
    assert 'data-schema-url="/api/v1/schema/"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_page_title_in_russian(client):
    response = client.get("/api/v1/docs/", headers={"Accept-Language": "ru"})

    assert "<title>API программы" in response.content.decode()


def api_schema():
    """The document as /api/v1/schema/ serves it, made in-process: collection runs before the
    test database exists, and the generator reads no data. Its calls go to our WSGI app."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=DjangoJSONEncoder)))
    loaded.app = get_wsgi_application()
    return loaded


schema = api_schema()


@pytest.fixture
def keep_test_connection(demo):
    """As Django's test client does: the WSGI app's start- and end-of-request handlers would
    close the test database's connection, inside the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_fuzzed_never_fails_and_answers_as_documented(keep_test_connection, case):
    """Generated queries and paths: no 5xx, and every answer's body matches the document."""
    # identity: the WSGI test transport does not undo the gzip our middleware applies.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
