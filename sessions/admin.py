from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forum_portal.admin import BadInputAdminMixin

from .models import Forum, Material, Organisation, Participation, Person, Session, SessionOrganiser


@admin.register(Forum)
class ForumAdmin(BadInputAdminMixin, admin.ModelAdmin):
    list_display = ("name", "edition", "starts_on", "ends_on", "city")
    search_fields = ("name", "city")


@admin.register(Organisation)
class OrganisationAdmin(BadInputAdminMixin, admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Person)
class PersonAdmin(BadInputAdminMixin, admin.ModelAdmin):
    list_display = ("full_name", "slug")
    search_fields = ("surname", "first_name", "patronymic")
    prepopulated_fields = {"slug": ("surname", "first_name", "patronymic")}

    def public_queryset(self):
        """People whose page the site shows ("view on site" for those who may not change them)."""
        return Person.objects.in_programme()

    # A person's full name ("ФИО"), not the "name" of a forum or an organisation.
    @admin.display(description=pgettext_lazy("person", "name"), ordering="surname")
    def full_name(self, person):
        return person.full_name


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("person", "organisation")
    fields = ("order", "role", "person", "organisation", "position", "report_title", "is_confirmed")


class SessionOrganiserInline(admin.TabularInline):
    model = SessionOrganiser
    extra = 0
    autocomplete_fields = ("organisation",)
    fields = ("order", "organisation")


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("order", "title", "kind", "file", "url")


@admin.register(Session)
class SessionAdmin(BadInputAdminMixin, admin.ModelAdmin):
    list_display = ("title", "format", "starts_at", "room", "is_published", "accepts_proposals")
    list_filter = ("forum", "format", "is_published", "accepts_proposals")
    list_select_related = ("forum",)
    search_fields = ("title", "summary", "room")
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("forum",)
    inlines = (ParticipationInline, SessionOrganiserInline, MaterialInline)
    fieldsets = (
        (None, {"fields": ("forum", "title", "slug", "format", "is_published")}),
        (_("When and where"), {"fields": ("starts_at", "ends_at", "room")}),
        (_("Summary"), {"fields": ("summary",)}),
        (_("Proposals"), {"fields": ("accepts_proposals", "proposals_deadline")}),
    )

    def public_queryset(self):
        """Sessions the site shows ("view on site" for those who may not change them)."""
        return Session.objects.published()
