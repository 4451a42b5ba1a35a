"""Users (role and unit) and evaluator assignments, administered by city_admin."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from core.admin_site import CityAdmin

from .models import EvaluatorAssignment, User

PROFILE_FIELDS = ("full_name", "role", "district", "street", "community", "organisation", "phone")


class UserCreateForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", *PROFILE_FIELDS)


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("username", *PROFILE_FIELDS, "is_active")


@admin.register(User)
class UserAdmin(CityAdmin, DjangoUserAdmin):
    """Accounts: a role and, for scoped roles, its unit (the unit's ancestors fill themselves
    in). Django's staff and superuser flags are not offered: they open nothing here."""

    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("username", "full_name", "role", "unit_label", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active", "district")
    search_fields = ("username", "full_name", "organisation", "phone")
    list_select_related = ("district", "street", "community")
    ordering = ("username",)
    raw_id_fields = ("community",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "角色与所属单位",
            {
                "fields": ("role", "district", "street", "community"),
                "description": "区级角色填所属区；街道角色填所属街道；社区辅导员填所属社区。上级单位自动补全。",
            },
        ),
        ("个人信息", {"fields": ("full_name", "organisation", "phone")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("角色与所属单位", {"fields": ("role", "district", "street", "community")}),
        ("个人信息", {"fields": ("full_name", "organisation", "phone")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="所属单位")
    def unit_label(self, obj):
        return obj.unit_label

    def has_change_permission(self, request, obj=None):
        # The built-in system account (commands act as it) is not edited by hand.
        if obj is not None and obj.is_system:
            return False
        return super().has_change_permission(request, obj)


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = EvaluatorAssignment
        fields = ("evaluator", "estate")


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(CityAdmin):
    form = AssignmentForm
    allow_delete = True
    list_display = ("evaluator", "estate", "district", "street", "assigned_by", "assigned_at")
    list_filter = ("district",)
    search_fields = ("evaluator__username", "evaluator__full_name", "estate__code", "estate__name")
    list_select_related = ("evaluator", "estate", "district", "street", "assigned_by")
    raw_id_fields = ("estate",)

    def has_change_permission(self, request, obj=None):
        # An assignment is made or withdrawn, not edited.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
