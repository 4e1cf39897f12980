"""The agenda's pages: stars (plain POST forms, no JavaScript), the list, its private calendar."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.calendar import calendar_bytes, calendar_response
from sessions.models import Session

from .agenda import AgendaAddress, star, starred_sessions, unstar


def safe_next(request, default):
    """The page to go back to: `next` when it is on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _star_view(change):
    @require_POST
    def view(request, slug):
        session = get_object_or_404(Session.objects.published(), slug=slug)
        back = safe_next(request, session.get_absolute_url())
        if not request.user.is_authenticated:
            # A form from a page kept before a log-out: log in, then back to that page.
            return redirect_to_login(back)
        change(request.user, session)
        return redirect(back)

    return view


agenda_add = _star_view(star)
agenda_remove = _star_view(unstar)


@login_required
def agenda(request):
    """The participant's starred sessions in time order, and their calendar address."""
    address = AgendaAddress.of(request.user)
    feed_url = request.build_absolute_uri(address.get_absolute_url())
    return render(
        request,
        "proposals/agenda.html",
        {"sessions": starred_sessions(request.user), "feed_url": feed_url},
    )


@login_required
@require_POST
def agenda_new_address(request):
    """A new secret calendar address; the old one is a 404 from now on."""
    AgendaAddress.of(request.user).renew()
    return redirect("proposals:agenda")


def agenda_calendar(request, token):
    """The starred sessions as iCalendar, for a calendar app: the secret in the address is the
    only key (no login), a wrong or replaced one is a 404. Built for each request, so it shows
    the latest time and room; a copy still current is answered 304."""
    address = get_object_or_404(AgendaAddress.objects.select_related("user"), token=token)
    sessions = starred_sessions(address.user).select_related("forum").with_people()
    body = calendar_bytes(sessions, _("My forum agenda"))
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or calendar_response(body, "agenda.ics")
    response["ETag"] = etag
    # The address is a secret: no shared cache may keep the answer.
    patch_cache_control(response, private=True, no_cache=True)
    return response
