from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("surname", "first_name")
    list_display = ("email", "surname", "first_name", "organisation", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "surname", "first_name", "organisation")
    autocomplete_fields = ("person",)
    readonly_fields = ("consent_version", "consent_given_at", "last_login", "date_joined")
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
