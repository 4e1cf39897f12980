"""Participants' accounts in the admin: for superusers (the Moderators group has no user rights)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from forum_portal.admin import BadInputAdminMixin

from ..models import User


@admin.register(User)
class UserAdmin(BadInputAdminMixin, DjangoUserAdmin):
    """Participants' accounts: for superusers (the Moderators group has no user permissions)."""

    ordering = ("surname", "first_name")
    list_display = ("email", "surname", "first_name", "organisation", "person", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("person",)
    search_fields = ("email", "surname", "first_name", "organisation")
    autocomplete_fields = ("person",)
    readonly_fields = ("consent_version", "consent_given_at", "last_login", "date_joined")
    # Only a superuser hands out rights, even if someone is given "change user" one day.
    rights_fields = ("is_staff", "is_superuser", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("surname", "first_name", "patronymic")}),
        (_("Affiliation"), {"fields": ("organisation", "position", "person")}),
        (_("Consent"), {"fields": ("consent_version", "consent_given_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "surname", "first_name", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.rights_fields)
