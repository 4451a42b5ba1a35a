"""Helpers for the assessment tests: the worked example of policy-defaults.md §7."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from communities.models import Estate


@pytest.fixture
def example_estate(world):
    """示例小区 in 玄武区 (梅园新村街道, community MY1), renovated (completed 2017), 32,600.50 m²."""
    return Estate.objects.create(
        code="SL001",
        name="示例小区",
        community=world.communities["MY1"],
        building_area=Decimal("32600.50"),
        category="renovated",
        renovation_year=2017,
        management_mode="public_welfare",
    )


def add_inspection(estate, by, day, scores, *, status="submitted", source=None):
    from assessments.models import Inspection

    total = sum(int(Decimal(str(v)) * 10) for v in scores.values())
    insp = Inspection(
        estate=estate,
        date=day,
        inspector_name="检查员",
        source=source or "street",
        status=status,
        scores={k: str(Decimal(str(v))) for k, v in scores.items()},
        total_tenths=total,
        created_by=by,
        review_note="退回" if status == "rejected" else "",
    )
    insp.save()
    return insp


def add_fee_rate(estate, by, year, rate):
    from assessments.models import FeeRate

    return FeeRate.objects.create(estate=estate, year=year, rate=Decimal(rate), updated_by=by)


def worked_example_inputs(estate, by):
    add_inspection(estate, by, dt.date(2019, 3, 5), {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8})
    add_inspection(estate, by, dt.date(2019, 9, 12), {"cleanliness": 15, "order": 14, "greening": 8, "facilities": 9})
    add_fee_rate(estate, by, 2019, "92")
