"""Corrections after approval (issue 4 §5): reopening an approved year for a corrected estate
yields an adjustment with the right 补拨 or 追回, confirmed and approved like a sheet; finance
records a 追回 as a recovery; the approved sheet stays as it was, readable and downloadable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from assessments import services as assessment_services
from assessments.errors import Refused
from subsidies import services
from subsidies.models import Allocation

from .helpers import close_year, example_estate, fen, inspect, run_year, sheet, worked_example_inputs

pytestmark = pytest.mark.django_db


def _approved_2019(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    s = services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff)
    return estate, services.approve_sheet(s, by=world.city_admin2)


def test_upheld_late_appeal_gives_a_supplement(world, tmp_path):
    estate, original = _approved_2019(world)
    # a late appeal upheld: another estate of the district was not counted (one inspection lost)
    other = world.estates["MY102"]  # 21,000 + ... m², unrenovated
    assessment_services.reopen_year(2019, by=world.city_admin, reason="逾期申诉经复核成立：MY102漏录检查记录")
    inspect(other, world.meiyuan_clerk, 2019, (19, 19, 9))  # unrenovated checklist: 47 + 20 + 0 + 8 = 75 → 一星
    run_year(2019, "city_admin")
    adj = sheet(2019, "玄武区")
    assert adj.version == 2 and adj.kind == "adjustment" and adj.status == "draft"
    row = adj.rows.get()
    expected = (other.building_area * Decimal("1.20")).quantize(Decimal("0.01"))
    assert (row.estate_id, row.previous_fen, row.amount_fen, row.diff_label) == (
        other.pk,
        0,
        fen(str(expected)),
        "补拨",
    )
    assert adj.city_pay_fen + adj.district_pay_fen == fen(str(expected)) and adj.city_recover_fen == 0
    # the approved original is untouched
    original.refresh_from_db()
    assert original.status == "approved" and original.rows.count() == 1 and original.total_fen == fen("117361.80")
    # the adjustment goes through confirmation (once closed) and approval
    with pytest.raises(Refused, match="尚未关闭"):
        services.confirm_sheet(adj, by=world.xuanwu_staff)
    close_year(2019, world.city_admin)
    adj = services.confirm_sheet(adj, by=world.xuanwu_staff)
    adj = services.approve_sheet(adj, by=world.city_admin2)
    services.record_disbursement(
        adj, by=world.city_finance, amount=adj.city_pay_fen, date=dt.date.today(), document_no="补拨1"
    )
    with pytest.raises(Refused):
        services.record_disbursement(
            adj, by=world.city_finance, amount=1, date=dt.date.today(), document_no="x", direction="recovery"
        )
    # the workbook lists the adjustment beside the original amounts
    out = tmp_path / "adj.xlsx"
    call_command("export_allocations", "2019", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert "调整明细" in wb.sheetnames
    rows = list(wb["调整明细"].iter_rows(values_only=True))
    assert rows[2][6] == other.code and rows[2][11] == "补拨"
    management = list(wb["管理扶持明细"].iter_rows(values_only=True))
    assert [r[4] for r in management[2:-1]] == [estate.code]  # the approved sheet, as it was


def test_audit_finding_gives_a_recovery_recorded_by_finance(world):
    estate, original = _approved_2019(world)
    today = dt.date.today()
    services.record_disbursement(original, by=world.city_finance, amount="29340.45", date=today, document_no="宁财1")
    services.record_disbursement(original, by=world.xuanwu_finance, amount="88021.35", date=today, document_no="玄财1")
    original.refresh_from_db()
    assert original.settled_at is not None
    assessment_services.reopen_year(2019, by=world.city_admin, reason="审计发现面积多报")
    estate.building_area = Decimal("30000.00")
    estate.save()
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    adj = services.approve_sheet(
        services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff), by=world.city_admin2
    )
    row = adj.rows.get()
    assert (row.diff_fen, row.diff_label, row.diff_city_fen, row.diff_district_fen) == (
        -fen("9361.80"),
        "追回",
        -fen("2340.45"),
        -fen("7021.35"),
    )
    with pytest.raises(Refused, match="超过待追回余额"):
        services.record_disbursement(
            adj, by=world.city_finance, amount="2340.46", date=today, document_no="追1", direction="recovery"
        )
    services.record_disbursement(
        adj, by=world.city_finance, amount="2340.45", date=today, document_no="追1", direction="recovery"
    )
    services.record_disbursement(
        adj, by=world.xuanwu_finance, amount="7021.35", date=today, document_no="追2", direction="recovery"
    )
    adj.refresh_from_db()
    assert adj.settled_at is not None
    # the original rows are unchanged
    assert Allocation.objects.get(sheet=original).amount_fen == fen("117361.80")


def test_a_rerun_without_change_makes_no_adjustment(world):
    _, original = _approved_2019(world)
    assessment_services.reopen_year(2019, by=world.city_admin, reason="复核")
    run_year(2019, "city_admin")
    assert sheet(2019, "玄武区").pk == original.pk
