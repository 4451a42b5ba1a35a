from django.contrib import admin

from .admin_site import ReadOnlyAdmin
from .models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "progress", "created_by", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "kind", "created_by__username")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"


# Roles are the application's (accounts.Role); Django's groups are not used.
from django.contrib.auth.models import Group  # noqa: E402

if admin.site.is_registered(Group):
    admin.site.unregister(Group)
