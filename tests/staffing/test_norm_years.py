"""Staffing norms are dated (issue 13.7): a past year is judged by the norms in force then; and a
street without its count of all residential estates is judged provisionally, and says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from communities.models import Street
from staffing.compliance import compliance_report, unit_rows
from staffing.models import StaffingNorm
from tests.staffing.helpers import add_staff

pytestmark = pytest.mark.django_db


def _community_row(world, day):
    report = compliance_report(world.city_admin, street=world.communities["MY1"].street, day=day)
    return next(r for r in report.rows if r.level == "community" and r.unit == world.communities["MY1"])


def test_a_past_year_is_judged_by_the_norms_in_force_then(world):
    # from 2021 a community needs 2–3 full-time advisors; until 2020 it was 1–2
    StaffingNorm.objects.filter(level="community").update(valid_to_year=2020)
    StaffingNorm.objects.create(
        level="community",
        estates_from=0,
        min_staff=2,
        max_staff=3,
        counted_post="advisor",
        valid_from_year=2021,
        source="示例：2021年新标准",
    )
    add_staff(world.communities["MY1"], 1, since=dt.date(2019, 1, 1))
    old = _community_row(world, dt.date(2020, 12, 31))
    new = _community_row(world, dt.date(2021, 12, 31))
    assert (old.range_label, old.status) == ("1–2人", "达标")
    assert (new.range_label, new.status) == ("2–3人", "缺编1人")
    rows = unit_rows(dt.date(2020, 12, 31), "community", [world.communities["MY1"]])
    assert rows[world.communities["MY1"].pk].meets_norm


def test_overlapping_norms_are_refused_with_a_message(world):
    norm = StaffingNorm(
        level="community", estates_from=0, min_staff=2, max_staff=3, counted_post="advisor", valid_from_year=2021
    )
    with pytest.raises(ValidationError) as info:
        norm.full_clean()
    assert "重叠" in info.value.message_dict["valid_from_year"][0]


def test_an_unrecorded_street_count_is_a_provisional_judgement(world):
    street = Street.objects.get(name="梅园新村街道")
    add_staff(street, 3)
    report = compliance_report(world.city_admin, street=street)
    row = next(r for r in report.rows if r.level == "street")
    assert row.estate_count_recorded is False and row.provisional
    assert row.status == "达标（暂定：辖区住宅小区总数未填报，按登记老旧小区4个判定）"
    Street.objects.filter(pk=street.pk).update(residential_estate_count=40)
    row = next(r for r in compliance_report(world.city_admin, street=street).rows if r.level == "street")
    assert (row.provisional, row.status) == (False, "达标")
    # old estates already in the top band: the stand-in is conclusive (the true count is higher)
    StaffingNorm.objects.filter(level="street", estates_from=100).update(estates_from=3)
    Street.objects.filter(pk=street.pk).update(residential_estate_count=None)
    row = next(r for r in compliance_report(world.city_admin, street=street).rows if r.level == "street")
    assert (row.provisional, row.status, row.range_label) == (False, "缺编2人", "至少5人")
