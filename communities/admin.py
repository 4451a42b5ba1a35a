"""Reference data of the registry in the Django admin (city_admin only, core.admin_site):
districts, streets, communities and service firms. Estates, committees and owners'
organisations are read-only here: they are written through the registry's pages, the API and
the importer, which apply the rules and optimistic locking."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.admin_site import CityAdmin, ReadOnlyAdmin

from . import services
from .models import Community, District, Estate, OwnersOrganisation, PropertyCommittee, ServiceFirm, Street


@admin.register(District)
class DistrictAdmin(CityAdmin):
    list_display = ("code", "name", "short_name", "kind", "is_main_urban")
    list_filter = ("kind", "is_main_urban")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


@admin.register(Street)
class StreetAdmin(CityAdmin):
    """A change of managing district goes through services.reassign_street, so everything
    under the street moves with it and the move is in the history."""

    list_display = ("code", "name", "kind", "district", "official_district", "residential_estate_count")
    list_filter = ("district", "kind")
    search_fields = ("code", "name")
    list_select_related = ("district", "official_district")

    def get_readonly_fields(self, request, obj=None):
        return ("code", "official_district") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change and "district" in form.changed_data:
            new_district = obj.district
            current = Street.objects.get(pk=obj.pk)
            obj.district = current.district
            obj.save()
            try:
                result = services.reassign_street(obj, new_district, by=request.user)
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), level=messages.ERROR)
                return
            moved = "，".join(f"{label}{n}条" for label, n in result.moved.items())
            self.message_user(request, f"{obj.name}已划归{new_district.name}（{moved}）。")
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)


@admin.register(Community)
class CommunityAdmin(CityAdmin):
    list_display = ("name", "code", "street", "district")
    list_filter = ("district",)
    search_fields = ("name", "code", "street__name")
    list_select_related = ("street", "district")

    def get_readonly_fields(self, request, obj=None):
        return ("street",) if obj is not None else ()


class FirmAdminForm(forms.ModelForm):
    """The firm's rules are services.validate_firm's, as on the pages and in the API."""

    class Meta:
        model = ServiceFirm
        fields = list(services.FIRM_FIELDS)

    def clean(self):
        cleaned = super().clean()
        values = {key: cleaned.get(key) for key in services.FIRM_FIELDS}
        try:
            checked = services.validate_firm(values, by=self.user, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
            return cleaned
        cleaned.update(checked)
        return cleaned


@admin.register(ServiceFirm)
class ServiceFirmAdmin(CityAdmin):
    form = FirmAdminForm
    list_display = ("name", "credit_code", "is_public_welfare", "founding", "district", "street")
    list_filter = ("is_public_welfare", "founding", "district")
    search_fields = ("name", "credit_code")
    list_select_related = ("district", "street")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            user = request.user

        return WithUser


@admin.register(Estate)
class EstateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "district", "street", "community", "category", "management_mode", "version")
    list_filter = ("category", "management_mode", "district")
    search_fields = ("=code", "name")
    list_select_related = ("district", "street", "community")
    raw_id_fields = ("community", "service_firm")


@admin.register(PropertyCommittee)
class PropertyCommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name", "estate", "street", "term_start", "term_end", "is_active")
    list_filter = ("is_active", "district")
    search_fields = ("name", "estate__code", "estate__name")
    list_select_related = ("estate", "street")


@admin.register(OwnersOrganisation)
class OwnersOrganisationAdmin(ReadOnlyAdmin):
    list_display = ("estate", "kind", "established_on", "term_end", "is_active")
    list_filter = ("kind", "is_active", "district")
    search_fields = ("estate__code", "estate__name")
    list_select_related = ("estate",)
