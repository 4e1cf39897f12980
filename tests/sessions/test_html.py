"""Every public page is well-formed, has one <h1> and the page landmarks, in English."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from .html import parse

pytestmark = pytest.mark.django_db

PAGES = {
    "programme": ("/", 200),
    "programme filtered": ("/?day=2019-10-28&format=round_table&q=cross", 200),
    "programme bad filter": ("/?day=someday", 200),
    "session": ("/sessions/international-and-cross-border-intermunicipal-cooperation/", 200),
    "speakers": ("/speakers/", 200),
    "speaker": ("/speakers/didenko-aleksei/", 200),
    "404": ("/sessions/closed-preparatory-meeting/", 404),
    "login": ("/accounts/login/", 200),
}


@pytest.fixture(params=PAGES.values(), ids=PAGES.keys())
def page(request, client, demo):
    url, status = request.param
    response = client.get(url)
    assert response.status_code == status
    return parse(response)


def landmarks(document):
    """The page-level landmarks: header and footer outside <main> and any <article>."""

    def top_level(element):
        node = element.parent
        while node is not None:
            if node.tag in {"main", "article", "aside", "section"}:
                return False
            node = node.parent
        return True

    return {
        tag: [e for e in document.find_all(tag) if tag in {"main", "nav"} or top_level(e)]
        for tag in ("header", "nav", "main", "footer")
    }


def test_page_is_in_english(page):
    assert page.find("html").attrs["lang"] == "en"


def test_page_has_exactly_one_h1(page):
    assert len(page.find_all("h1")) == 1
    assert page.find("h1").text


def test_page_has_header_nav_main_and_footer(page):
    found = landmarks(page)

    assert {tag: len(elements) for tag, elements in found.items() if tag != "nav"} == {
        "header": 1,
        "main": 1,
        "footer": 1,
    }
    site_nav = found["header"][0].find("nav")
    assert site_nav.attrs["aria-label"] == "Main"
    assert page.find("main").find("h1")


def test_page_title_names_the_page_then_the_forum(page):
    assert page.find("title").text == (
        f"{page.find('h1').text} · XVIII All-Russia Forum of Strategic Planning Leaders"
    )


def test_page_has_no_inline_script_or_style(page):
    # The CSP allows only our own files: inline code would be blocked in the browser. JSON-LD
    # is data, which browsers never run (sessions/structured_data.py).
    inline = [s.attrs for s in page.find_all("script") if not s.attrs.get("src")]
    assert [attrs for attrs in inline if attrs != {"type": "application/ld+json"}] == []
    assert page.find_all("style") == []
    assert [e.tag for e in page.find_all() if "style" in e.attrs] == []


def test_server_error_page_has_one_h1_landmarks_and_english(db):
    document = parse(server_error(RequestFactory().get("/")).content.decode())

    assert document.find("html").attrs["lang"] == "en"
    assert len(document.find_all("h1")) == 1
    counts = {tag: len(document.find_all(tag)) for tag in ("header", "nav", "main", "footer")}
    assert counts == {"header": 1, "nav": 1, "main": 1, "footer": 1}
    assert [s for s in document.find_all("script") if not s.attrs.get("src")] == []
