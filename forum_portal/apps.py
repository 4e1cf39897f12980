from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's own site (forum_portal.admin.PortalAdminSite)."""

    default_site = "forum_portal.admin.PortalAdminSite"
