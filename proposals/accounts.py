"""Participants' accounts: sign-up confirmed by e-mail, its tokens, the profile and login forms."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlencode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from forum_portal.ratelimit import LoginThrottle, client_ip

from .emails import send_existing_account_notice, send_signup_confirmation
from .models import User, UserManager

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


class SignupForm(BaseUserCreationForm):
    """Sign-up that answers the same whether or not the e-mail address has an account.

    The form never says that an address is taken: register() e-mails a confirmation link to
    a new address, and "you already have an account" to a known one.
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
            Fieldset(_("Your account"), "email", "password1", "password2"),
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

    def save(self, commit=True):
        user = super().save(commit=False)
        user.consent_version = CONSENT_VERSION
        user.consent_given_at = timezone.now()
        if commit:
            user.save()
        return user

    def register(self, request, next_url=""):
        """Create an unconfirmed account or tell the owner of the address; e-mail either way.

        The caller answers the same in every case. Every path hashes the password once and
        sends one e-mail, so the known address is not answered visibly faster either.
        """
        email = self.cleaned_data["email"]
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            user = self.save(commit=False)
            user.is_active = False
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                # Someone registered this address a moment ago: it is a known one now.
                existing = User.objects.get(email__iexact=email)
            else:
                return send_confirmation(request, user, next_url)
        if is_awaiting_confirmation(existing):
            # The latest sign-up's details replace the earlier ones, and the new password
            # voids every earlier link: only the owner of the mailbox can confirm, and only
            # the details they see in the newest message.
            user = self.save(commit=False)
            for name in (*self._meta.fields, "password", "consent_version", "consent_given_at"):
                if name != "email":
                    setattr(existing, name, getattr(user, name))
            existing.save()
            return send_confirmation(request, existing, next_url)
        # Nothing is created or changed. The hash is thrown away: it only makes this path
        # cost what the others cost (they hash the password to store it).
        make_password(self.cleaned_data["password1"])
        return send_existing_account_notice(
            user=existing,
            site_name=request.get_host(),
            login_url=request.build_absolute_uri(_with_next(reverse("login"), next_url)),
            reset_url=request.build_absolute_uri(reverse("password_reset")),
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
        user=user,
        site_name=request.get_host(),
        confirm_url=request.build_absolute_uri(_with_next(confirm_url, next_url)),
        days=SignupConfirmationTokenGenerator.max_age.days,
    )


class ProfileForm(forms.ModelForm):
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


class LoginThrottleMixin:
    """Refuse a login after too many failures for the e-mail address or the client address.

    The same message whether or not the account exists, and the password is not even
    checked while the login is refused, so guessing on cannot succeed.
    """

    def clean(self):
        throttle = LoginThrottle(self.data.get("username"), client_ip(self.request))
        if throttle.is_blocked():
            raise forms.ValidationError(
                _(
                    "Too many failed attempts to log in. Please try again in %(minutes)s "
                    "minutes, or reset your password."
                ),
                code="too_many_attempts",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure()
            raise
        if self.user_cache is not None:
            throttle.record_success()
        return cleaned


class LoginForm(LoginThrottleMixin, AuthenticationForm):
    """The participants' login page."""


class StaffLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The admin's login page: the same limits, or it would be the way around them."""
