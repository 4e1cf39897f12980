"""What search engines and link previews read: schema.org JSON-LD, the sitemap, robots.txt.

JSON-LD goes into the page inside `<script type="application/ld+json">`: data, which browsers
never run, so the CSP (`script-src 'self'`) is untouched. `json_ld` escapes `<`, `>` and `&` as
Django's `json_script` does, so a title holding `</script>` cannot end the element. Every
address is absolute from `settings.SITE_URL`, never from the request: the session page's JSON-LD
is in its cached fragment, which is the same for every visitor. Only what the pages show
appears: published sessions and their confirmed people (the querysets that load them).
"""

import json

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from .models import Person, ProgrammeVersion, Session
from .schedule import PROGRAMME_LANGUAGE, absolute

# As django.utils.html.json_script: the JSON stays valid, and no "</script>" or "<!--" survives.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """`data` as JSON safe to place between <script type="application/ld+json"> tags."""
    return json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)


def person_data(participation):
    person = participation.person
    return {"@type": "Person", "name": person.full_name, "url": absolute(person.get_absolute_url())}


def event(session, forum=None):
    """A session as a schema.org Event. Its performers are the confirmed people loaded with it
    (`with_people()`: moderators and speakers; `with_moderators()`: the moderators), its
    organisers those of `with_people()`."""
    forum = forum or session.forum
    people = session.moderators + (
        session.speakers if hasattr(session, "confirmed_participations") else []
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": session.title,
        "startDate": timezone.localtime(session.starts_at).isoformat(),
        "endDate": timezone.localtime(session.ends_at).isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "inLanguage": PROGRAMME_LANGUAGE,
        "url": absolute(session.get_absolute_url()),
        "location": {
            "@type": "Place",
            "name": ", ".join(filter(None, [session.room, forum.city])),
            "address": {"@type": "PostalAddress", "addressLocality": forum.city},
        },
        "superEvent": {"@type": "Event", "name": forum.name},
        "performer": [person_data(p) for p in people],
    }
    if session.paragraphs:
        data["description"] = session.paragraphs[0]
    if hasattr(session, "organiser_list"):
        data["organizer"] = [
            {"@type": "Organization", "name": o.organisation.name} for o in session.organiser_list
        ]
    return data


def item_list(sessions, forum):
    """The programme as a schema.org ItemList of its sessions' Events, in order."""
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "item": event(session, forum)}
            for n, session in enumerate(sessions, start=1)
        ],
    }


class PortalSitemap(Sitemap):
    """Addresses from SITE_URL, not from the request's Host."""

    @property
    def protocol(self):
        return settings.SITE_URL.split("://", 1)[0]

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[1]


class PagesSitemap(PortalSitemap):
    def items(self):
        # Both pages change with the programme: its last change, read once.
        self.changed_at = ProgrammeVersion.read().changed_at
        return ["sessions:programme", "sessions:speakers"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return self.changed_at


class SessionSitemap(PortalSitemap):
    def items(self):
        return Session.objects.published().order_by("starts_at", "pk")

    def lastmod(self, session):
        return session.updated_at


class SpeakerSitemap(PortalSitemap):
    def items(self):
        return Person.objects.in_programme().with_last_change().order_by("slug")

    def lastmod(self, person):
        return person.last_change


SITEMAPS = {"pages": PagesSitemap, "sessions": SessionSitemap, "speakers": SpeakerSitemap}

ROBOTS_TXT = """User-agent: *
Allow: /
Disallow: /admin/
Disallow: /accounts/
Disallow: /proposals/
Sitemap: {site}/sitemap.xml
"""
