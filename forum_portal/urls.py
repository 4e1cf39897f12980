from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from forum_portal.views import healthz
from proposals.forms import LoginForm, StaffLoginForm
from proposals.views import ProfileView, SignupView

# Failed logins are limited on the admin's login page as on ours (proposals.forms).
admin.site.login_form = StaffLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", SignupView.as_view(), name="signup"),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path("accounts/login/", LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("proposals.urls")),
    path("", include("sessions.urls")),
]
