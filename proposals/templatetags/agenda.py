"""The agenda's star button, rendered around the page cache's fragments.

A cached fragment is the same for every visitor, a star is not: the programme's fragment holds
a marker per session (`{% agenda_marker session %}`, an HTML comment) and the page around it
puts each visitor's button in its place (`{% with_agenda_buttons fragments.main %}`); the
session page renders its one button outside its fragments (`{% agenda_button session %}`).
An anonymous visitor's button is a link to log in and come back, the same bytes for everyone,
so the whole page stays in the fast path; a signed-in visitor's is a POST form with their CSRF
token and their star. The stars cost one query per page, none for a user who never starred.
"""

import re

from django import template
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from ..agenda import starred_ids

register = template.Library()

MARKER = re.compile(r"<!--agenda:(\d+):([-\w]+)-->")
BUTTON_TEMPLATE = "proposals/agenda_button.html"


@register.simple_tag
def agenda_marker(session):
    """Where the programme's cached fragment wants this session's star."""
    return mark_safe(f"<!--agenda:{int(session.pk)}:{session.slug}-->")


class Buttons:
    """Renders stars for one request: its visitor, their stars, their CSRF token."""

    def __init__(self, request):
        self.request = request
        self.user = request.user
        self.starred = starred_ids(self.user)
        self.template = get_template(BUTTON_TEMPLATE)
        self.context = {"next": request.get_full_path(), "signed_in": self.user.is_authenticated}
        if self.user.is_authenticated:
            self.context["csrf_token"] = get_token(request)

    def render(self, pk, slug):
        # No request: the page's context processors are not run again for every session.
        return self.template.render(
            {**self.context, "slug": slug, "starred": int(pk) in self.starred}
        )


def buttons_for(request):
    """One `Buttons` per request (kept on it), so a list of stars reads the stars once."""
    if not hasattr(request, "agenda_buttons"):
        request.agenda_buttons = Buttons(request)
    return request.agenda_buttons


@register.simple_tag(takes_context=True)
def agenda_button(context, session):
    return mark_safe(buttons_for(context["request"]).render(session.pk, session.slug))


@register.simple_tag(takes_context=True)
def with_agenda_buttons(context, html):
    buttons = buttons_for(context["request"])
    return mark_safe(MARKER.sub(lambda match: buttons.render(*match.groups()), str(html)))
