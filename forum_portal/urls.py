from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from forum_portal.views import healthz
from proposals.accounts import StaffLoginForm
from proposals.urls import account_urlpatterns

# Failed logins are limited on the admin's login page as on ours (proposals.accounts).
admin.site.login_form = StaffLoginForm
# The admin is the moderators' workspace: it carries the portal's name, not Django's.
admin.site.site_header = _("Forum Portal · moderation")
admin.site.site_title = _("Forum Portal moderation")
admin.site.index_title = _("Proposals and programme")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Ours first: our login page (with the throttle) overrides django.contrib.auth's.
    path("accounts/", include(account_urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("sessions.api.urls")),
    path("", include("proposals.urls")),
    path("", include("sessions.urls")),
]
