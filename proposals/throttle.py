"""How many logins, sign-ups and password resets we take, and from whom (counted by
forum_portal.ratelimit, shared by every worker and instance).

Logins. Every attempt is counted BEFORE its password is checked, so parallel guesses cannot
all slip under a limit; a right password gives its attempt back. The account is the e-mail in
the one form authentication looks it up by (UserManager.normalize_login: NFKC, lower case),
whether or not an account exists, so look-alike characters count as the same account and the
answers never tell which addresses have one. Within LOGIN_FAILURE_WINDOW_SECONDS:

- one account from one client address: LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS (5) — guessing
  from one place stops quickly;
- one account from all addresses together: LOGIN_FAILURES_PER_ACCOUNT (50) — a guesser with
  many addresses is capped too;
- one client address for all accounts together: LOGIN_FAILURES_PER_ADDRESS (100) — spraying
  many accounts is capped; high enough for a forum's shared Wi-Fi full of typos.

The owner is never locked out by someone else's failures:
- a browser the owner has logged in with (or reset the password with) carries a signed
  device cookie for the account; its attempts count only against that device (the small
  limit), never against the account's or the address's totals an attacker can fill;
- a password-reset link always works, clears every counter of the account, and gives the
  browser the device cookie.

Sign-ups and password resets send an e-mail to an address the visitor types: each is limited
per e-mail address (SIGNUPS_PER_EMAIL, PASSWORD_RESETS_PER_EMAIL: 3) and per client address
(SIGNUPS_PER_ADDRESS, PASSWORD_RESETS_PER_ADDRESS: 30) within ACCOUNT_EMAIL_WINDOW_SECONDS (an
hour), counted before anything is sent. Links already sent keep working: filling an address's
quota cannot take a reset link away from its owner.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction

from forum_portal import ratelimit

from .models import UserManager

DEVICE_COOKIE = "login_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
_DEVICE_SALT = "proposals.throttle.device"


def _account(email):
    return UserManager.normalize_login(email)


def account_prefix(email):
    """The key every login counter of this account starts with (its own total is this key)."""
    return ratelimit.key("login", _account(email))


def device_cookie_value(email):
    """A signed device cookie for this account (set after a right password or a reset)."""
    return signing.dumps(
        {"account": account_prefix(email), "device": secrets.token_urlsafe(12)}, salt=_DEVICE_SALT
    )


def set_device_cookie(response, email):
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie_value(email),
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def clear_account(email):
    """Forget every failed login of this account (its password has just been reset)."""
    ratelimit.clear(account_prefix(email))


class LoginThrottle:
    """The counters one login attempt is counted under, and whether it may go on."""

    def __init__(self, request, email):
        account = _account(email or "")
        self.account = ratelimit.key("login", account)
        self.window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        self.reserved = []
        small = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
        device = self._device(request)
        if device:
            # The owner's browser: only its own failures can stop it.
            self.limits = [(ratelimit.key("login", account, f"device={device}"), small)]
            return
        ip = ratelimit.client_ip(request)
        self.limits = [
            (ratelimit.key("login", account, f"ip={ip}"), small),
            (self.account, settings.LOGIN_FAILURES_PER_ACCOUNT),
            (ratelimit.key("login-address", ip), settings.LOGIN_FAILURES_PER_ADDRESS),
        ]

    def _device(self, request):
        """The device id of a valid device cookie for this account, or None."""
        try:
            value = signing.loads(
                request.COOKIES.get(DEVICE_COOKIE, ""),
                salt=_DEVICE_SALT,
                max_age=DEVICE_COOKIE_MAX_AGE,
            )
        except signing.BadSignature:
            return None
        if not isinstance(value, dict) or value.get("account") != self.account:
            return None
        return str(value.get("device", ""))

    def reserve(self):
        """Count this attempt on every counter; False (and nothing counted) when one is full."""
        if not reserve(self.limits, self.window):
            return False
        self.reserved = [key for key, _limit in self.limits]
        return True

    def release(self):
        """The attempt was not a failure (a right password, or no password checked)."""
        ratelimit.release(*self.reserved)
        self.reserved = []

    def succeeded(self):
        """A right password: give the attempt back and forget this place's failures."""
        self.release()
        ratelimit.clear(self.limits[0][0])


def reserve(counters, window):
    """Count one attempt on each (key, limit), all or none; False and nothing counted when
    one is over its limit (a refused attempt costs nothing: only what went on fills them)."""
    # One transaction, always in the same order, so two attempts never deadlock.
    with transaction.atomic():
        counts = [ratelimit.hit(key, window) for key, _limit in counters]
    if any(count > limit for count, (_key, limit) in zip(counts, counters, strict=True)):
        ratelimit.release(*(key for key, _limit in counters))
        return False
    return True


def email_sending_allowed(request, email, *, action):
    """Count one sign-up or password reset for this address and this client; False when over.

    `action` is "signup" or "password_reset".
    """
    per_email, per_address = {
        "signup": (settings.SIGNUPS_PER_EMAIL, settings.SIGNUPS_PER_ADDRESS),
        "password_reset": (
            settings.PASSWORD_RESETS_PER_EMAIL,
            settings.PASSWORD_RESETS_PER_ADDRESS,
        ),
    }[action]
    counters = [
        (ratelimit.key(action, _account(email)), per_email),
        (ratelimit.key(f"{action}-address", ratelimit.client_ip(request)), per_address),
    ]
    return reserve(counters, settings.ACCOUNT_EMAIL_WINDOW_SECONDS)
