"""扶持资金 in the Django admin (city_admin only): sheets, rows, disbursements and policies are
read-only here (money and workflow go through the application's pages and services); the
per-estate payee (收款单位) override is reference data city_admin may set here."""

from __future__ import annotations

from django.contrib import admin

from core.admin_site import CityAdmin, ReadOnlyAdmin

from .models import Allocation, AllocationSheet, Disbursement, PayeeOverride, Policy, StartupGrant


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "valid_from_year", "valid_to_year", "city_share", "active")


@admin.register(AllocationSheet)
class SheetAdmin(ReadOnlyAdmin):
    list_display = ("year", "district", "version", "kind", "status", "total_fen", "approved_at")
    list_filter = ("year", "status", "kind")


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("sheet", "estate", "kind", "amount_fen", "city_fen", "district_fen", "payee")
    raw_id_fields = ("sheet", "estate")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("sheet", "share", "direction", "date", "amount_fen", "document_no", "recorded_by")


@admin.register(StartupGrant)
class StartupGrantAdmin(ReadOnlyAdmin):
    list_display = ("estate", "renovation_year", "area", "total_fen", "fixed_year", "run")


@admin.register(PayeeOverride)
class PayeeOverrideAdmin(CityAdmin):
    list_display = ("estate", "payee", "updated_at")
    raw_id_fields = ("estate",)
    search_fields = ("estate__code", "estate__name", "payee")
