"""Sign-up and its confirmation link, login, password reset, and the participant's profile."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, UpdateView

from .accounts import (
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignupConfirmForm,
    SignupForm,
    ThrottledPasswordChangeForm,
    is_awaiting_confirmation,
    signup_confirmation_token,
)
from .models import User
from .throttle import clear_account, set_device_cookie


class SafeNextMixin:
    """The `next` page a sign-up carries along (through the confirmation link too)."""

    def get_redirect_url(self):
        """Where the participant was going before they had to sign up, when it is ours."""
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return ""


class SignupView(SafeNextMixin, FormView):
    """Sign-up: always "check your e-mail", whether or not the address has an account."""

    form_class = SignupForm
    template_name = "registration/signup.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.get_redirect_url()
        return context

    def form_valid(self, form):
        # No login and no message: the answer must not depend on what register() found.
        form.register(self.get_redirect_url())
        return redirect("signup_done")


class SignupConfirmView(SafeNextMixin, FormView):
    """The link from the confirmation e-mail: choose a password, which activates and logs in.

    Opening the link (GET) changes nothing, so a mail scanner that follows links does not
    use it up. Only whoever reads the mailbox can choose the password: a sign-up never sets one.
    """

    form_class = SignupConfirmForm
    template_name = "registration/signup_confirm.html"
    invalid_template_name = "registration/signup_confirm_invalid.html"

    def dispatch(self, request, *args, uidb64, token, **kwargs):
        self.user = self.get_user(uidb64)
        if not (
            self.user is not None
            and is_awaiting_confirmation(self.user)
            and signup_confirmation_token.check_token(self.user, token)
        ):
            return self.invalid_link()
        return super().dispatch(request, *args, **kwargs)

    def invalid_link(self):
        return render(self.request, self.invalid_template_name, {"next": self.get_redirect_url()})

    def get_user(self, uidb64):
        try:
            pk = int(urlsafe_base64_decode(uidb64).decode())
        except (ValueError, UnicodeDecodeError):
            return None
        return User.objects.filter(pk=pk).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(account=self.user, next=self.get_redirect_url(), **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            # Two clicks at once: the second finds the account confirmed and the link used.
            current = User.objects.select_for_update().get(pk=self.user.pk)
            if not is_awaiting_confirmation(current):
                return self.invalid_link()
            form.user = current
            user = form.save()
        # login() keeps the session's data, so text kept for the proposal form survives.
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Your e-mail address is confirmed. Welcome to the forum!"))
        response = redirect(self.get_redirect_url() or "profile")
        set_device_cookie(response, user.email)
        return response


class LoginView(auth_views.LoginView):
    """Our login page: a right password also marks this browser as the owner's (throttle)."""

    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        set_device_cookie(response, form.get_user().email)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the old password's guesses limited (accounts.py)."""

    form_class = ThrottledPasswordChangeForm


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link: limited, and the same work whether the address has an account."""

    form_class = PasswordResetRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A reset link always works: it also clears the account's failed logins and marks the
    browser as the owner's, so nobody else's guessing can keep the owner out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        clear_account(form.user.email)
        set_device_cookie(response, form.user.email)
        return response


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = ProfileForm
    template_name = "registration/profile.html"
    success_url = reverse_lazy("profile")
    success_message = _("Your profile has been saved.")

    def get_object(self, queryset=None):
        return self.request.user
