"""Participants' accounts: sign-up confirmed by e-mail, its tokens, the profile and login forms."""

import re
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlencode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from forum_portal import ratelimit

from .emails import (
    deliver_email,
    render_subject,
    send_existing_account_notice,
    send_signup_confirmation,
)
from .models import User, UserManager
from .throttle import LoginThrottle, email_sending_allowed, reserve

# Bump when the consent text in templates/proposals/consent_text.html changes: each
# participant's record says which text they agreed to.
CONSENT_VERSION = "2026-11-28"


class SignupConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """The token in a sign-up confirmation link: signed, for one account, for a few days.

    It hashes the password and the active flag too, so a link stops working once it has
    confirmed the account, and every earlier link dies when a new sign-up replaces the details
    of an account still waiting for confirmation.
    """

    # The salt names the module this class was first written in: links already sent stay valid.
    key_salt = "proposals.forms.SignupConfirmationTokenGenerator"
    max_age = timedelta(days=3)

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user, token):
        # Django's check also bounds the age by PASSWORD_RESET_TIMEOUT (3 days by default).
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= self.max_age.total_seconds()


signup_confirmation_token = SignupConfirmationTokenGenerator()


def is_awaiting_confirmation(user):
    """An account created by sign-up whose owner has not opened the confirmation link yet.

    A deactivated account that has been used, or a staff account, is not: a new sign-up must
    never bring it back.
    """
    return not user.is_active and user.last_login is None and not user.is_staff


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# A person's name: words of letters joined by spaces, hyphens or apostrophes; a dot only ends
# an initial ("A. B."). Anything else (digits, colons, slashes, "evil.example.com": a link or a
# message dressed up as a name) is refused.
PERSON_NAME = re.compile(r"[^\W\d_]+(?:(?:[ '’-]+|\.[ '’-]+)[^\W\d_]+)*\.?")
PERSON_NAME_MAX_LENGTH = 50
# Organisation and position may hold digits and punctuation ("School No. 5"), not a link.
DETAIL_MAX_LENGTH = 200
LINK = re.compile(r"://|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|ru|su|io|xyz|link)\b/", re.I)


class ParticipantDetailsMixin:
    """The participant's name, organisation and position, as sign-up and the profile take them.

    Limits a real name never reaches and no links: what a visitor types here is shown to
    moderators and printed in exports.
    """

    name_fields = ("surname", "first_name", "patronymic")
    detail_fields = ("organisation", "position")

    def clean(self):
        cleaned = super().clean()
        for name in self.name_fields:
            value = " ".join((cleaned.get(name) or "").split())
            if not value:
                continue
            if len(value) > PERSON_NAME_MAX_LENGTH:
                self.add_error(
                    name,
                    _("Please shorten this to %(limit)d characters.")
                    % {"limit": PERSON_NAME_MAX_LENGTH},
                )
            elif not PERSON_NAME.fullmatch(value):
                self.add_error(
                    name,
                    _("Please write only your name here: letters, spaces and hyphens."),
                )
            else:
                cleaned[name] = value
        for name in self.detail_fields:
            value = " ".join((cleaned.get(name) or "").split())
            if len(value) > DETAIL_MAX_LENGTH:
                self.add_error(
                    name,
                    _("Please shorten this to %(limit)d characters.")
                    % {"limit": DETAIL_MAX_LENGTH},
                )
            elif LINK.search(value):
                self.add_error(name, _("Please leave links out of this field."))
            elif name in cleaned:
                cleaned[name] = value
        return cleaned


class EmailLimitMixin:
    """Count a form that e-mails the address it is given (proposals/throttle.py); refuse over
    the limits. The form takes the request; `email_action` names its counters."""

    email_action = None

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not email_sending_allowed(
            self.request, cleaned["email"], action=self.email_action
        ):
            raise forms.ValidationError(TOO_MANY_EMAILS, code="too_many_emails")
        return cleaned


TOO_MANY_EMAILS = _(
    "We have sent enough messages for now, to this address or from your network. Please "
    "check your mailbox (and its spam folder), or try again in an hour."
)


class SignupForm(EmailLimitMixin, ParticipantDetailsMixin, forms.ModelForm):
    """Sign-up that answers the same whether or not the e-mail address has an account.

    The form never says that an address is taken: register() e-mails a confirmation link to
    a new address, and "you already have an account" to a known one. It takes no password:
    whoever opens the link chooses it (SignupConfirmForm), so only the mailbox's owner can.
    """

    consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data as described above."),
        error_messages={
            "required": _(
                "We can only register you with your consent to the processing of your data."
            )
        },
    )

    class Meta:
        model = User
        fields = ("email", "surname", "first_name", "patronymic", "organisation", "position")

    email_action = "signup"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].required = True
        self.fields["position"].required = True
        self.helper = FormHelper()
        # signup.html draws the <form> (with `next` and the CSRF token): no second one inside.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Your account"), "email"),
            Fieldset(
                _("About you"), "surname", "first_name", "patronymic", "organisation", "position"
            ),
            "consent",
        )
        self.helper.add_input(Submit("submit", _("Register")))

    def clean_email(self):
        return UserManager.normalize_login(self.cleaned_data["email"])

    def _get_validation_exclusions(self):
        # A taken address is no error here (that would tell anyone which addresses have
        # accounts): register() sends its owner an e-mail instead.
        return {*super()._get_validation_exclusions(), "email"}

    def register(self, next_url=""):
        """Create an unconfirmed account or tell the owner of the address; e-mail either way.

        The caller answers the same in every case. A sign-up never changes an account that
        exists, waiting for confirmation or not: a second sign-up for an address that waits
        only sends its mailbox a new link, and the password is chosen behind the link.
        """
        email = self.cleaned_data["email"]
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            user = self.save(commit=False)
            user.is_active = False
            user.set_unusable_password()
            user.consent_version = CONSENT_VERSION
            user.consent_given_at = timezone.now()
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                # Someone registered this address a moment ago: it is a known one now.
                existing = User.objects.get(email__iexact=email)
            else:
                return send_confirmation(self.request, user, next_url)
        if is_awaiting_confirmation(existing):
            return send_confirmation(self.request, existing, next_url)
        return send_existing_account_notice(
            to=existing.email,
            site_name=self.request.get_host(),
            login_url=self.request.build_absolute_uri(_with_next(reverse("login"), next_url)),
            reset_url=self.request.build_absolute_uri(reverse("password_reset")),
        )


def send_confirmation(request, user, next_url=""):
    """E-mail the link that activates the account (and brings its owner back to next)."""
    confirm_url = reverse(
        "signup_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": signup_confirmation_token.make_token(user),
        },
    )
    return send_signup_confirmation(
        to=user.email,
        site_name=request.get_host(),
        confirm_url=request.build_absolute_uri(_with_next(confirm_url, next_url)),
        days=SignupConfirmationTokenGenerator.max_age.days,
    )


class SignupConfirmForm(SetPasswordForm):
    """Behind the confirmation link: the owner of the mailbox chooses the password."""

    def save(self, commit=True):
        self.user.is_active = True
        self.user.set_password(self.cleaned_data["new_password1"])
        self.user.save(update_fields=["is_active", "password"])
        return self.user


class ProfileForm(ParticipantDetailsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("surname", "first_name", "patronymic", "organisation", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # profile.html draws the <form> and its CSRF token: no second one inside.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("submit", _("Save")))


class PasswordResetRequestForm(EmailLimitMixin, PasswordResetForm):
    """Password reset that does the same work for every address: count, queue one task.

    Finding the account and making its link happen in the queue's worker (send_password_reset),
    so the page takes as long for an address with an account as for one without.
    """

    email_action = "password_reset"

    def save(self, domain_override=None, use_https=False, **kwargs):
        return send_password_reset.enqueue(
            email=self.cleaned_data["email"],
            domain=domain_override or self.request.get_host(),
            use_https=use_https,
        )


class PasswordResetLinks(PasswordResetForm):
    """Django's own reset: the active accounts of an address and their links (in the worker)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Rendered here; sent by the queue, which tries again when the mail server fails.
        deliver_email.enqueue(
            subject=render_subject(subject_template_name, context),
            body=render_to_string(email_template_name, context),
            to=[context["email"]],
        )


@task
def send_password_reset(*, email, domain, use_https):
    """The reset link to the active account with this address, if there is one."""
    form = PasswordResetLinks({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


class LoginThrottleMixin:
    """Count each login attempt before its password is checked, and refuse over the limits.

    The same message whether or not the account exists; a refused attempt checks no password,
    so guessing on cannot succeed. The limits and why the owner is never locked out:
    proposals/throttle.py.
    """

    def clean(self):
        self.throttle = LoginThrottle(self.request, self.data.get("username"))
        if not self.throttle.reserve():
            raise forms.ValidationError(
                _(
                    "Too many failed attempts to log in. Please try again in %(minutes)s "
                    "minutes, or reset your password."
                ),
                code="too_many_attempts",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        # A wrong password raises and keeps the attempt counted.
        cleaned = super().clean()
        if self.user_cache is not None:
            self.throttle.succeeded()
        else:  # a field was missing: no password was checked
            self.throttle.release()
        return cleaned


class LoginForm(LoginThrottleMixin, AuthenticationForm):
    """The participants' login page."""


class StaffLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The admin's login page: the same limits, or it would be the way around them."""


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Password change: the old password may be guessed no more often than at the login.

    Whoever holds a logged-in session (a shared computer at the forum) could otherwise try
    passwords here without limit. Each check of the old password is counted first, per account,
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS within the login window; over it the old password is
    not checked at all; a right one gives its count back.
    """

    def clean_old_password(self):
        counter = ratelimit.key("password-change", str(self.user.pk))
        limits = [(counter, settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)]
        if not reserve(limits, settings.LOGIN_FAILURE_WINDOW_SECONDS):
            raise forms.ValidationError(
                _(
                    "Too many wrong passwords. Please try again in %(minutes)s minutes, or "
                    "log out and reset your password."
                ),
                code="too_many_attempts",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        old_password = super().clean_old_password()  # a wrong one raises, still counted
        ratelimit.release(counter)
        return old_password
