"""The programme as iCalendar (RFC 5545): one session, an edition's programme, an agenda.

One event per published session, built by `calendar_bytes` from sessions loaded with
`Session.objects.published().with_people()` (so only confirmed people appear, and the queries
do not grow with the sessions):
- UID `session-<pk>@<host of SITE_URL>`: the primary key never changes, so an edited session
  (time, room, title) replaces the event in a subscribed calendar instead of adding a second;
- DTSTART/DTEND in Europe/Moscow (settings.TIME_ZONE) with that zone's VTIMEZONE, made from
  zoneinfo by icalendar; DTSTAMP and LAST-MODIFIED the session's last edit (so the same
  programme gives the same bytes, and the page cache's ETag holds);
- SUMMARY the title, LOCATION the room and the forum's city, DESCRIPTION the moderators,
  the reporters and the session's address, URL that address.

Addresses and UIDs come from `settings.SITE_URL`, never from the request's Host: the feed is
the same bytes for every visitor, so the page cache may keep it whole.

Anonymous feeds are served through the page cache (`CalendarFeedMixin`): keyed and
invalidated like the pages (sessions/page_cache/__init__.py), with ETag and 304.
"""

from datetime import UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from icalendar import Calendar, Event

from .page_cache.views import CachedPageMixin

PRODID = "-//Forum Portal//Programme//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def session_uid(session):
    """The event's UID: the same for the life of the session, whatever is edited."""
    return f"session-{session.pk}@{urlsplit(settings.SITE_URL).hostname}"


def location(session):
    """ "Room 4.G9, Saint Petersburg" (or only the city when no room is set)."""
    city = session.forum.city
    if not session.room:
        return city
    return _("Room %(room)s, %(city)s") % {"room": session.room, "city": city}


def description(session, url):
    """Who moderates and who reports (confirmed people only), then the session's address."""
    lines = []
    for label, people in (
        (
            npgettext("calendar", "Moderator", "Moderators", len(session.moderators)),
            session.moderators,
        ),
        (
            npgettext("calendar", "Reporter", "Reporters", len(session.speakers)),
            session.speakers,
        ),
    ):
        if people:
            names = ", ".join(participation.person.full_name for participation in people)
            lines.append(f"{label}: {names}")
    lines += ["", url] if lines else [url]
    return "\n".join(lines)


def session_event(session):
    """One published session (loaded with `with_people()`) as a VEVENT."""
    zone = ZoneInfo(settings.TIME_ZONE)
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    edited = session.updated_at.astimezone(UTC)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", edited)
    event.add("last-modified", edited)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session.title)
    event.add("location", location(session))
    event.add("description", description(session, url))
    event.add("url", url)
    event.add("categories", [str(session.get_format_display())])
    return event


def calendar_bytes(sessions, name):
    """A calendar of `sessions` (published, loaded with `with_people()`), named `name`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        calendar.add_component(session_event(session))
    # The VTIMEZONE of every TZID used, from zoneinfo (none for an empty calendar).
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(body, filename):
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CalendarFeedMixin(CachedPageMixin):
    """A calendar served like the pages: built once per programme version and language, whole
    for anonymous visitors, ETag and 304.

    A view defines `calendar_sessions()` (published sessions with `with_people()`; may raise
    Http404), `calendar_name()` and `filename` (or `get_filename()`)."""

    cached_partials = ()
    filename = "calendar.ics"

    def build_entry(self):
        sessions = self.calendar_sessions()
        body = calendar_bytes(sessions, self.calendar_name())
        return {"fragments": {}, "calendar": body}

    def render_to_response(self, context, **response_kwargs):
        return calendar_response(context["calendar"], self.get_filename())

    def get_filename(self):
        return self.filename
