from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from forum_portal.views import healthz
from proposals.forms import LoginForm, StaffLoginForm
from proposals.views import ProfileView, SignupConfirmView, SignupView

# Failed logins are limited on the admin's login page as on ours (proposals.forms).
admin.site.login_form = StaffLoginForm
# The admin is the moderators' workspace: it carries the portal's name, not Django's.
admin.site.site_header = _("Forum Portal · moderation")
admin.site.site_title = _("Forum Portal moderation")
admin.site.index_title = _("Proposals and programme")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", SignupView.as_view(), name="signup"),
    path(
        "accounts/signup/done/",
        TemplateView.as_view(template_name="registration/signup_done.html"),
        name="signup_done",
    ),
    path("accounts/confirm/<uidb64>/<token>/", SignupConfirmView.as_view(), name="signup_confirm"),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path("accounts/login/", LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("proposals.urls")),
    path("", include("sessions.urls")),
]
