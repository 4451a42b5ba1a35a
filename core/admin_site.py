"""The Django admin (后台管理) is for reference data and support, and only for city_admin
(DESIGN.md): an active user whose role is city_admin. Django's own flags (is_staff,
is_superuser) open nothing here, and model permissions come from the role, not from Django's
permission tables. Models with workflows or money are registered read-only (ReadOnlyAdmin), so no
rule of the application can be bypassed through the admin."""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import permissions


def is_city_admin(user) -> bool:
    return user is not None and permissions.administers(user) and not getattr(user, "is_system", False)


class CityAdminSite(admin.AdminSite):
    site_header = "老旧小区管理平台 · 后台管理"
    site_title = "老旧小区管理平台"
    index_title = "参考数据与运维支持"

    def has_permission(self, request):
        return is_city_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            # Signed in but not city_admin: forbidden, rather than the admin's login page.
            if request.user.is_authenticated and not self.has_permission(request):
                if request.path != reverse("admin:logout", current_app=self.name):
                    raise PermissionDenied("后台管理仅限市房产局管理员使用。")
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin — ours, other apps', third parties' (tokens, schedules) — takes
        its rights from the role: whatever Django permissions say, only city_admin, and never
        more than the admin class itself allows."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RoleRights):
            admin_class = type(admin_class.__name__, (RoleRights, admin_class), {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        """One sign-in page for the whole site (with its lockout): the application's."""
        from django.contrib.auth.views import redirect_to_login

        if self.has_permission(request):
            from django.shortcuts import redirect

            return redirect(request.GET.get("next") or reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            raise PermissionDenied("后台管理仅限市房产局管理员使用。")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name))


class CityAdminConfig(AdminConfig):
    default_site = "core.admin_site.CityAdminSite"


_DJANGO_DEFAULTS = (admin.options.BaseModelAdmin, admin.ModelAdmin)


class RoleRights:
    """Rights from the role (city_admin), in place of Django's permission tables; an admin class
    that restricts a right further (returns False) keeps its restriction."""

    def _own(self, name):
        # The classes after this one in the MRO: those a third-party admin was wrapped around
        # (a subclass's own override runs before us and calls super() itself).
        mro = type(self).__mro__
        for klass in mro[mro.index(RoleRights) + 1 :]:
            if klass in _DJANGO_DEFAULTS:
                continue
            if name in klass.__dict__:
                return klass.__dict__[name]
        return None

    def _right(self, name, request, *args):
        if not is_city_admin(request.user):
            return False
        own = self._own(name)
        return own(self, request, *args) if own is not None else True

    def has_module_permission(self, request):
        return self._right("has_module_permission", request)

    def has_view_permission(self, request, obj=None):
        return self._right("has_view_permission", request, obj)

    def has_add_permission(self, request):
        return self._right("has_add_permission", request)

    def has_change_permission(self, request, obj=None):
        return self._right("has_change_permission", request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._right("has_delete_permission", request, obj)


class CityAdmin(RoleRights, admin.ModelAdmin):
    """A model administered by city_admin. Deleting is off unless `allow_delete`: reference rows
    are referenced everywhere (and protected), so they are corrected, not deleted."""

    show_full_result_count = False  # no COUNT(*) over a national table on every page
    allow_delete = False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and is_city_admin(request.user)


class ReadOnlyAdmin(CityAdmin):
    """Shown for support; changed only through the application's pages and services."""

    def has_view_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
