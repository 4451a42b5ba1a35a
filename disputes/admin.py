"""Django admin: the stations' reference data (time limits, departments) for city_admin.

Cases, referrals and filings are not here: they have workflows (the pages and the API are the
only way to change them) and carry residents' personal data that the admin would not mask.
Deleting is off (CityAdmin): a limit or a department is ended by its valid_to, not deleted."""

from django.contrib import admin

from core.admin_site import CityAdmin

from .models import Department, TimeLimit


@admin.register(TimeLimit)
class TimeLimitAdmin(CityAdmin):
    list_display = ("case_type", "category", "urgency", "hours", "valid_from", "valid_to", "source")
    list_filter = ("case_type", "urgency")


@admin.register(Department)
class DepartmentAdmin(CityAdmin):
    list_display = ("name", "full_name", "code", "valid_from", "valid_to", "successor", "source")
    list_filter = ("valid_to",)
    search_fields = ("name", "full_name", "code")
