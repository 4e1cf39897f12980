from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
