"""Helpers for the subsidy tests: the worked examples of policy-defaults.md §7 and a quick way
through a year (run → publish → close)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command

from communities.models import Community, Estate, Street


def example_estate(world):
    """示例小区 in 玄武区 (梅园新村街道, community MY1), renovated 2017, 32,600.50 m²."""
    return Estate.objects.create(
        code="SL001",
        name="示例小区",
        community=world.communities["MY1"],
        building_area=Decimal("32600.50"),
        category="renovated",
        renovation_year=2017,
        management_mode="public_welfare",
    )


def new_renovated_estate():
    """新整治小区 in 秦淮区, renovated 2018, 61,000.00 m²."""
    street = Street.objects.filter(district__name="秦淮区").order_by("code").first()
    community, _ = Community.objects.get_or_create(name="示例社区", street=street)
    return Estate.objects.create(
        code="XZZ01",
        name="新整治小区",
        community=community,
        building_area=Decimal("61000.00"),
        category="renovated",
        renovation_year=2018,
        management_mode="basic_service",
    )


def inspect(estate, by, year, scores=(14, 13, 9, 8)):
    from assessments.models import Inspection

    keys = ("cleanliness", "order", "greening", "facilities")
    total = sum(int(Decimal(str(v)) * 10) for v in scores)
    insp = Inspection(
        estate=estate,
        date=dt.date(year, 3, 5),
        inspector_name="检查员",
        source="street",
        status="submitted",
        scores={k: str(v) for k, v in zip(keys, scores, strict=False)},
        total_tenths=total,
        created_by=by,
    )
    insp.save()
    return insp


def worked_example_inputs(estate, by, year=2019):
    from assessments.models import FeeRate

    inspect(estate, by, year, (14, 13, 9, 8))
    inspect(estate, by, year, (15, 14, 8, 9))
    FeeRate.objects.create(estate=estate, year=year, rate=Decimal("92"), updated_by=by)


def run_year(year, username=None):
    args = [str(year)] + (["--as", username] if username else [])
    call_command("run_cycle", *args)


def close_year(year, by):
    """Publish, let the appeal window pass, close."""
    from assessments import services
    from assessments.models import AssessmentYear

    services.publish_year(year, by=by)
    AssessmentYear.objects.filter(year=year).update(appeal_deadline=dt.date(2000, 1, 1))
    services.close_year(year, by=by)


def sheet(year, district_name, version=None):
    from subsidies.models import AllocationSheet

    qs = AllocationSheet.objects.filter(year=year, district__name=district_name)
    return qs.get(version=version) if version else qs.order_by("-version").first()


def fen(yuan: str) -> int:
    return int(Decimal(yuan.replace(",", "")) * 100)
