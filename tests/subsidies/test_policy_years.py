"""The budget's years come from the policies (issue 13.7): no year is fixed in code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from communities.models import District
from subsidies.models import AllocationSheet, Policy
from subsidies.views import budget_rows

pytestmark = pytest.mark.django_db


def test_the_budget_lists_the_years_and_districts_a_policy_covers(world):
    pukou = District.objects.get(name="浦口区")
    policy = Policy.objects.create(
        kind="management",
        name="浦口区老旧小区管理扶持（区级自筹）",
        source_document="浦政办",
        valid_from_year=2016,
        valid_to_year=2017,
        categories=["unrenovated"],
        city_share=Decimal("0"),
        active=False,
    )  # since withdrawn: its sheets still count
    policy.districts.set([pukou])
    for year in (2015, 2016, 2017):
        AllocationSheet.objects.create(
            year=year, district=pukou, management_fen=100_00, total_fen=100_00, district_fen=100_00, status="approved"
        )
    # no policy covers 秦淮区 in 2016
    AllocationSheet.objects.create(year=2016, district=District.objects.get(name="秦淮区"), total_fen=1)
    rows = budget_rows(world.city_admin)
    assert sorted((r["year"], r["district"]) for r in rows) == [(2016, "浦口区"), (2017, "浦口区")]
