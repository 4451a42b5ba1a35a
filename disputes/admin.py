"""Django admin: the stations' reference data (time limits, departments) for city_admin.

Cases, referrals and filings are not here: they have workflows (the pages and the API are the
only way to change them) and carry residents' personal data that the admin would not mask."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, TimeLimit


@admin.register(TimeLimit)
class TimeLimitAdmin(SimpleHistoryAdmin):
    list_display = ("case_type", "category", "urgency", "hours", "valid_from", "valid_to", "source")
    list_filter = ("case_type", "urgency")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "full_name", "code", "valid_from", "valid_to", "successor", "source")
    list_filter = ("valid_to",)
    search_fields = ("name", "full_name", "code")
