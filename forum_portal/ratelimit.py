"""Counting failed logins in the cache, per e-mail address and per client address."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The address the request came from.

    REMOTE_ADDR, unless settings.BEHIND_PROXY says a load balancer is in front: then the
    last address of X-Forwarded-For, the one our proxy appended. Earlier entries come
    from the client and could be anything.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


class LoginThrottle:
    """Failed logins for one e-mail address from one client address.

    Each counter lives for LOGIN_FAILURE_WINDOW_SECONDS from its first failure. The
    e-mail counter is kept whether or not an account exists, so the answer never tells.
    """

    def __init__(self, email, ip):
        self.keys_and_limits = [
            (_key("email", (email or "").strip().lower()), settings.LOGIN_FAILURES_PER_ACCOUNT),
            (_key("ip", ip), settings.LOGIN_FAILURES_PER_ADDRESS),
        ]

    def is_blocked(self):
        counts = cache.get_many([key for key, _limit in self.keys_and_limits])
        return any(counts.get(key, 0) >= limit for key, limit in self.keys_and_limits)

    def record_failure(self):
        for key, _limit in self.keys_and_limits:
            # add() starts the window; incr() is atomic on every cache backend we use.
            cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)

    def record_success(self):
        """A right password clears the e-mail's count; the address keeps its own."""
        cache.delete(self.keys_and_limits[0][0])


def _key(kind, value):
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"login-failures:{kind}:{digest}"
