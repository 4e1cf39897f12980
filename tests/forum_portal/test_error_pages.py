"""The site's own error pages."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.sessions.html import parse

pytestmark = pytest.mark.django_db


def test_server_error_page_renders_in_the_sites_look(db):
    request = RequestFactory().get("/")

    response = server_error(request)

    assert response.status_code == 500
    page = parse(response.content.decode())
    assert page.find("h1").text == "Something went wrong"
    assert page.find("html").attrs["lang"] == "en"
    assert page.find("a", href="/").text == "Forum Portal"
