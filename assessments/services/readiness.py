"""The year's readiness report and the 15 January reminder to city_admin."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from communities.models import Estate

from ..choices import InspectionStatus
from ..models import FeeRate, Inspection, Notice


# --- readiness and the 15 January reminder ------------------------------------------------------
def readiness_report(year: int) -> dict:
    """Before running a year: estates with no inspection that year, with no fee rate, and
    inspections still awaiting review (set-based counts)."""
    inspected = Inspection.objects.filter(year=year, estate=OuterRef("pk")).exclude(status=InspectionStatus.DRAFT)
    rated = FeeRate.objects.filter(year=year, estate=OuterRef("pk"))
    estates = Estate.objects.all()
    no_inspection = estates.exclude(Exists(inspected))
    no_rate = estates.exclude(Exists(rated))
    awaiting = Inspection.objects.filter(year=year, status=InspectionStatus.SUBMITTED)
    per_district = list(
        awaiting.values("district__name")
        .annotate(n=Count("id"))
        .order_by("district__code")
        .values_list("district__name", "n")
    )
    return {
        "year": year,
        "estates": estates.count(),
        "without_inspection": no_inspection.count(),
        "without_inspection_sample": list(no_inspection.order_by("code").values_list("code", flat=True)[:20]),
        "without_fee_rate": no_rate.count(),
        "without_fee_rate_sample": list(no_rate.order_by("code").values_list("code", flat=True)[:20]),
        "awaiting_review": awaiting.count(),
        "awaiting_review_by_district": per_district,
        "drafts": Inspection.objects.filter(year=year, status=InspectionStatus.DRAFT).count(),
    }


def send_readiness_reminder(today: dt.date | None = None) -> Notice:
    today = today or timezone.localdate()
    year = today.year - 1
    report = readiness_report(year)
    return Notice.objects.create(year=year, title=f"{year}年度考核可以开始计分", report=report)
