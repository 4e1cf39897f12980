"""Reading the programme pages in the page-cache tests (tests/sessions/test_page_cache_*.py).

The round table they read is the `round_table` fixture in tests/sessions/conftest.py."""

from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from .html import parse, texts

VERSION_READ = 'SELECT number, changed_at FROM "forum_sessions_programmeversion" WHERE id = 1'


PAGES = ["programme", "session", "speakers", "speaker"]


def url_of(name, round_table):
    petrova = round_table.participations.get(person__surname="Petrova").person
    return {
        "programme": "/",
        "session": round_table.get_absolute_url(),
        "speakers": "/speakers/",
        "speaker": petrova.get_absolute_url(),
    }[name]


def main_text(response):
    return parse(response).find("main").text


def reporters(response):
    section = parse(response).find("section", **{"aria-labelledby": "reporters-heading"})
    return texts(section.find_all("li"))


def leave_message(client, text):
    """A message waiting in the visitor's cookie, as a view leaves one before a redirect."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies.update(response.cookies)


def nav_links(response):
    nav = parse(response).find("nav", **{"aria-label": "Main"})
    return texts(element for element in nav.iter() if element.tag in {"a", "button"})
