"""The API's docs page (Swagger UI from our static files) in a real Chromium, under our CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_page_renders_the_operations_with_no_console_error(
    live_server, page, console_errors
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {path.replace("\u200b", "") for path in paths} == {
        "/api/v1/forums/",
        "/api/v1/forums/{id}/",
        "/api/v1/people/",
        "/api/v1/people/{slug}/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{slug}/",
    }
    assert console_errors == []
    assert [url for url in requested if not url.startswith(live_server.url)] == []
