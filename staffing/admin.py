"""Reference data of the organisation in the Django admin (city_admin only, core.admin_site): the
staffing norms, the organisation defaults (committee size and term, warning periods) and the unit
assessment scheme are data, edited here; the registers (staff, meetings, contracts...) are read-only
here and written through their pages, which apply the rules."""

from __future__ import annotations

from django.contrib import admin

from assessments.unit_models import UnitScheme
from communities.models import OrganisationNorm, ServiceContract
from core.admin_site import CityAdmin, ReadOnlyAdmin

from .models import DistrictTarget, JointMeeting, StaffingNorm, StaffMember


@admin.register(StaffingNorm)
class StaffingNormAdmin(CityAdmin):
    list_display = (
        "level",
        "estates_from",
        "min_staff",
        "max_staff",
        "counted_post",
        "requires_deputy",
        "valid_from_year",
        "valid_to_year",
        "source",
    )


@admin.register(OrganisationNorm)
class OrganisationNormAdmin(CityAdmin):
    list_display = (
        "__str__",
        "committee_min_members",
        "committee_max_members",
        "committee_min_owner_share",
        "committee_max_term_months",
        "committee_term_warning_days",
        "contract_warning_days",
    )


@admin.register(UnitScheme)
class UnitSchemeAdmin(CityAdmin):
    list_display = (
        "version",
        "name",
        "valid_from_year",
        "valid_to_year",
        "estate_points",
        "dispute_points",
        "staffing_points",
        "coverage_points",
        "daily_points",
    )


@admin.register(StaffMember)
class StaffMemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "level", "district", "street", "community", "post", "full_time", "since", "until")
    list_filter = ("level", "post", "full_time", "district")


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyAdmin):
    list_display = ("date", "level", "title", "chair")
    list_filter = ("level",)


@admin.register(DistrictTarget)
class DistrictTargetAdmin(ReadOnlyAdmin):
    list_display = ("year", "district", "indicator", "target")


@admin.register(ServiceContract)
class ServiceContractAdmin(ReadOnlyAdmin):
    list_display = ("estate", "firm", "entrusted_by", "start_date", "end_date", "terminated_on", "fee_per_m2_month")
    list_filter = ("entrusted_by",)
