from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum_portal.ratelimit import LoginThrottle, client_ip

from .models import User, UserManager

# Bump when the consent text in templates/proposals/consent_text.html changes: each
# participant's record says which text they agreed to.
CONSENT_VERSION = "2026-11-28"


class SignupForm(BaseUserCreationForm):
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
        self.helper.layout = Layout(
            Fieldset(_("Your account"), "email", "password1", "password2"),
            Fieldset(
                _("About you"), "surname", "first_name", "patronymic", "organisation", "position"
            ),
            "consent",
        )
        self.helper.add_input(Submit("submit", _("Register")))

    def clean_email(self):
        email = UserManager.normalize_login(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("This e-mail address is already registered. Log in, or reset your password."),
                code="duplicate_email",
            )
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.consent_version = CONSENT_VERSION
        user.consent_given_at = timezone.now()
        if commit:
            user.save()
        return user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("surname", "first_name", "patronymic", "organisation", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
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
