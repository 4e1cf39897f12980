import uuid
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlencode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forum_portal.ratelimit import LoginThrottle, client_ip

from .models import Proposal, User, UserManager

# Bump when the consent text in templates/proposals/consent_text.html changes: each
# participant's record says which text they agreed to.
CONSENT_VERSION = "2026-11-28"


class SignupConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """The token in a sign-up confirmation link: signed, for one account, for a few days.

    It hashes the password and the active flag too, so a link stops working once it has
    confirmed the account, and every earlier link dies when a new sign-up replaces the details
    of an account still waiting for confirmation.
    """

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
                return self.send_confirmation(request, user, next_url)
        if is_awaiting_confirmation(existing):
            # The latest sign-up's details replace the earlier ones, and the new password
            # voids every earlier link: only the owner of the mailbox can confirm, and only
            # the details they see in the newest message.
            user = self.save(commit=False)
            for name in (*self._meta.fields, "password", "consent_version", "consent_given_at"):
                if name != "email":
                    setattr(existing, name, getattr(user, name))
            existing.save()
            return self.send_confirmation(request, existing, next_url)
        # Nothing is created or changed. The hash is thrown away: it only makes this path
        # cost what the others cost (they hash the password to store it).
        make_password(self.cleaned_data["password1"])
        return self.send_existing_account_notice(request, existing, next_url)

    def send_confirmation(self, request, user, next_url=""):
        """E-mail the link that activates the account (and brings its owner back to next)."""
        confirm_url = reverse(
            "signup_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": signup_confirmation_token.make_token(user),
            },
        )
        if next_url:
            confirm_url = f"{confirm_url}?{urlencode({'next': next_url})}"
        context = {
            "user": user,
            "site_name": request.get_host(),
            "confirm_url": request.build_absolute_uri(confirm_url),
            "days": SignupConfirmationTokenGenerator.max_age.days,
        }
        return _send(user, "signup_confirm", context)

    def send_existing_account_notice(self, request, user, next_url=""):
        """Tell the owner of a known address that someone tried to register with it."""
        login_url = reverse("login")
        if next_url:
            login_url = f"{login_url}?{urlencode({'next': next_url})}"
        context = {
            "user": user,
            "site_name": request.get_host(),
            "login_url": request.build_absolute_uri(login_url),
            "reset_url": request.build_absolute_uri(reverse("password_reset")),
        }
        return _send(user, "signup_existing", context)


def _send(user, name, context):
    # A header must stay on one line, whatever the template holds.
    subject = " ".join(render_to_string(f"registration/{name}_subject.txt", context).split())
    body = render_to_string(f"registration/{name}_email.txt", context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    ).send()


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


# How many proposals one participant may send to one session within the window, unless the
# settings say otherwise: enough for a real participant, too few to flood the moderators.
DEFAULT_PROPOSAL_RATE_LIMIT = 5
DEFAULT_PROPOSAL_RATE_WINDOW = timedelta(hours=1)


def normalise_wording(text):
    """The wording as the duplicate check compares it: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def submission_refusal(*, session, author, wording, exclude=None):
    """Why this participant may not send this wording to this session now, or None.

    Returns (message, existing proposal or None). Callers run it inside the transaction that
    locks the author's row (see lock_author), so two requests of one participant at once
    cannot both slip under the limit or both send the same text.
    """
    reason = session.proposals_closed_reason()
    if reason:
        return reason, None
    mine = Proposal.objects.by_author(author).filter(session=session)
    if exclude is not None:
        mine = mine.exclude(pk=exclude.pk)
    limit = getattr(settings, "PROPOSAL_RATE_LIMIT", DEFAULT_PROPOSAL_RATE_LIMIT)
    window = getattr(settings, "PROPOSAL_RATE_WINDOW", DEFAULT_PROPOSAL_RATE_WINDOW)
    since = timezone.now() - window
    not_standing = (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN)
    # One query for both rules (a submission's cost is mostly its queries): the standing
    # proposals, whose wording a new one may not repeat, and those sent within the window.
    candidates = list(
        mine.filter(~Q(status__in=not_standing) | Q(submitted_at__gte=since)).only(
            "pk", "title", "wording", "status", "submitted_at"
        )
    )
    wanted = normalise_wording(wording)
    for existing in candidates:
        if existing.status not in not_standing and normalise_wording(existing.wording) == wanted:
            return (
                _(
                    "You have already sent a proposal with this wording to this session: "
                    "“%(title)s”. There is no need to send it again."
                )
                % {"title": existing.title},
                existing,
            )
    # Withdrawn proposals count too: sending and withdrawing in a loop is flooding as well.
    recent = sorted(
        p.submitted_at for p in candidates if p.submitted_at and p.submitted_at >= since
    )
    if len(recent) >= limit:
        # The oldest submission still counted leaves the window first.
        free_at = timezone.localtime(recent[len(recent) - limit] + window)
        return (
            ngettext(
                "You have sent %(count)d proposal to this session recently, the most it "
                "takes from one participant at a time. You can send the next one after "
                "%(time)s.",
                "You have sent %(count)d proposals to this session recently, the most it "
                "takes from one participant at a time. You can send the next one after "
                "%(time)s.",
                len(recent),
            )
            % {"count": len(recent), "time": formats.time_format(free_at, "H:i")},
            None,
        )
    return None


def lock_author(user):
    """Serialise one participant's submissions: call inside transaction.atomic()."""
    User.objects.select_for_update().only("pk").get(pk=user.pk)


class SecondarySubmit(Submit):
    """A submit button drawn as an outline: the less final of two choices."""

    field_classes = "btn btn-outline-primary"


class ProposalForm(forms.ModelForm):
    """A participant's proposal: what they write, and which button they pressed."""

    SAVE_DRAFT = "save_draft"
    SUBMIT = "submit"

    # Not a UUIDField, nor a CharField (which refuses a NUL character): a mangled hidden value
    # is no reason to refuse the participant's text, with an error on a field they cannot see;
    # it only costs this one submission its protection against a double click.
    submission_token = forms.Field(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Proposal
        fields = ("title", "wording", "rationale", "addressee")
        labels = {
            "title": _("Short title"),
            "wording": _("Proposed wording of the recommendation"),
            "rationale": _("Why it is needed"),
            "addressee": _("To whom the recommendation is addressed"),
        }
        error_messages = {
            "title": {
                "required": _("Please give your proposal a short title."),
                "max_length": _(
                    "Please shorten the title to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "wording": {
                "required": _("Please write the recommendation you propose."),
                "max_length": _(
                    "Please shorten the wording to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "rationale": {
                "required": _("Please explain why the recommendation is needed."),
                "max_length": _(
                    "Please shorten the rationale to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "addressee": {
                "required": _("Please choose to whom the recommendation is addressed."),
                "invalid_choice": _("Please choose one of the listed addressees."),
            },
        }
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 6}),
            "rationale": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, session, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.author = author
        # The existing proposal a duplicate submission points to; the template links to it.
        self.duplicate = None
        limits = {
            "title": Proposal.TITLE_MAX_LENGTH,
            "wording": Proposal.WORDING_MAX_LENGTH,
            "rationale": Proposal.RATIONALE_MAX_LENGTH,
        }
        for name, limit in limits.items():
            field = self.fields[name]
            field.help_text = _("Up to %(limit)d characters.") % {"limit": limit}
            # No maxlength attribute: a browser silently cuts a longer pasted text, and the
            # participant's words must never be lost. The server says what is too long.
            field.widget.attrs.pop("maxlength", None)
        self.fields["addressee"].choices = [("", _("Choose…")), *Proposal.Addressee.choices]
        if self.is_draft and self.is_bound and not self.wants_submit:
            # A draft is work in progress: only its title is needed to find it again.
            for name in ("wording", "rationale", "addressee"):
                self.fields[name].required = False
        self.helper = FormHelper()
        # The template draws the <form> with its action and CSRF token.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "title", "wording", "rationale", "addressee", "submission_token"
        )
        if self.is_draft:
            self.helper.add_input(SecondarySubmit(self.SAVE_DRAFT, _("Save draft")))
            self.helper.add_input(Submit(self.SUBMIT, _("Submit")))
        else:
            self.helper.add_input(Submit(self.SAVE_DRAFT, _("Save changes")))

    @property
    def is_draft(self):
        """A new proposal, or one saved as a draft and not sent yet."""
        return self.instance.pk is None or self.instance.status == Proposal.Status.DRAFT

    @property
    def wants_submit(self):
        """The participant pressed "Submit" (a draft saved with "Save draft" stays a draft)."""
        return self.is_bound and self.SUBMIT in self.data

    def clean_submission_token(self):
        try:
            return uuid.UUID(self.cleaned_data["submission_token"])
        except (TypeError, ValueError):  # missing (None) or mangled
            return None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.wants_submit or not self.is_draft:
            # Creating even a draft in a closed session is refused, and so is changing a sent
            # proposal (a late change is a late submission); an existing draft may still be
            # saved, so that nothing typed is lost.
            reason = self.session.proposals_closed_reason()
            if reason:
                raise forms.ValidationError(reason, code="closed")
        if self.wants_submit and cleaned.get("wording"):
            refusal = submission_refusal(
                session=self.session,
                author=self.author,
                wording=cleaned["wording"],
                exclude=self.instance if self.instance.pk else None,
            )
            if refusal:
                message, self.duplicate = refusal
                raise forms.ValidationError(message, code="refused")
        return cleaned

    def save(self, commit=True):
        proposal = super().save(commit=False)
        if proposal.pk is None:
            proposal.session = self.session
            proposal.author = self.author
            proposal.submission_token = self.cleaned_data.get("submission_token")
        if commit:
            if proposal.pk is None:
                proposal.save()
            else:
                # Only the author's own fields: never write back a status a moderator may
                # have changed since this form was loaded.
                proposal.save(update_fields=[*self.Meta.fields, "updated_at"])
        return proposal


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
