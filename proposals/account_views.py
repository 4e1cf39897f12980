"""Sign-up and its confirmation link, and the participant's profile."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, UpdateView

from .accounts import (
    ProfileForm,
    SignupForm,
    is_awaiting_confirmation,
    signup_confirmation_token,
)
from .models import User


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.get_redirect_url()
        return context

    def form_valid(self, form):
        # No login and no message: the answer must not depend on what register() found.
        form.register(self.request, self.get_redirect_url())
        return redirect("signup_done")


class SignupConfirmView(SafeNextMixin, TemplateView):
    """The link from the confirmation e-mail: a button that activates the account and logs in.

    Opening the link (GET) changes nothing, so a mail scanner that follows links does not
    use it up; the participant's click (POST, with the CSRF token) confirms.
    """

    template_name = "registration/signup_confirm.html"
    invalid_template_name = "registration/signup_confirm_invalid.html"

    def dispatch(self, request, *args, uidb64, token, **kwargs):
        self.user = self.get_user(uidb64)
        if not (
            self.user is not None
            and is_awaiting_confirmation(self.user)
            and signup_confirmation_token.check_token(self.user, token)
        ):
            return render(request, self.invalid_template_name, {"next": self.get_redirect_url()})
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64):
        try:
            pk = int(urlsafe_base64_decode(uidb64).decode())
        except (ValueError, UnicodeDecodeError):
            return None
        return User.objects.filter(pk=pk).first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(account=self.user, next=self.get_redirect_url(), **kwargs)

    def post(self, request, *args, **kwargs):
        self.user.is_active = True
        self.user.save(update_fields=["is_active"])
        # login() keeps the session's data, so text kept for the proposal form survives.
        login(request, self.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your e-mail address is confirmed. Welcome to the forum!"))
        return redirect(self.get_redirect_url() or "profile")


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = ProfileForm
    template_name = "registration/profile.html"
    success_url = reverse_lazy("profile")
    success_message = _("Your profile has been saved.")

    def get_object(self, queryset=None):
        return self.request.user
