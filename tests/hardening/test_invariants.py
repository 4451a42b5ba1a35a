"""`manage.py check_invariants` (issue 8, point 8): passes on a consistent database, and
catches each kind of corrupted row with a Chinese report and a non-zero exit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from assessments.cycle import run_in_process
from assessments.models import EstateResult, UnitResult
from communities.models import Estate
from tests.assessments.conftest import add_fee_rate, add_inspection

pytestmark = pytest.mark.django_db


def scored_world(world):
    for i, estate in enumerate(Estate.objects.order_by("code")):
        scores = {"cleanliness": 10 + i % 6, "order": 9 + i % 7, "greening": 5 + i % 5, "facilities": 6 + i % 4}
        if estate.category != "renovated":
            scores.pop("facilities")
        if i % 3:
            add_inspection(estate, world.meiyuan_clerk, dt.date(2019, 3, 5), scores)
        add_fee_rate(estate, world.meiyuan_clerk, 2019, str(70 + i))
    first = run_in_process(2019, by=world.city_admin)
    second = run_in_process(2019, by=world.city_admin)  # the first is kept, superseded
    assert first.status == second.status == "succeeded"
    return first, second


def check(capsys):
    try:
        call_command("check_invariants")
    except CommandError as exc:
        return False, capsys.readouterr().err + str(exc)
    return True, capsys.readouterr().out


def test_every_app_registers_its_checks():
    from core.invariants import discover

    apps = {c.app for c in discover()}
    assert "assessments" in apps


def test_a_consistent_database_passes(world, capsys):
    scored_world(world)
    ok, text = check(capsys)
    assert ok and "全部通过" in text and "✗" not in text, text


def test_a_unit_total_that_does_not_match_its_estates_is_caught(world, capsys):
    scored_world(world)
    unit = UnitResult.objects.filter(is_current=True, level="community").first()
    UnitResult.objects.filter(pk=unit.pk).update(estates=unit.estates + 1, three_star=unit.three_star + 1)
    ok, text = check(capsys)
    assert not ok and "各等级数）：1 处不符" in text and "小区数 汇总 3 / 明细 2" in text, text
    assert "数据一致性检查未通过" in text


def test_a_current_result_of_a_superseded_run_is_caught(world, capsys):
    first, second = scored_world(world)
    estate_id = EstateResult.objects.filter(run=second).values_list("estate_id", flat=True).first()
    EstateResult.objects.filter(run=second, estate_id=estate_id).update(is_current=False)
    EstateResult.objects.filter(run=first, estate_id=estate_id).update(is_current=True)
    ok, text = check(capsys)
    assert not ok, text
    assert f"来自非当前计分 #{first.pk}" in text and "实有当前结果" in text, text


def test_a_second_current_result_is_caught_where_the_database_lets_one_in(world, capsys, require_postgres):
    """The partial unique index forbids it; a restore without its indexes (or a hand edit with
    them dropped) would not — the check does not rely on the index."""
    from django.db import connection

    first, second = scored_world(world)
    estate_id = EstateResult.objects.filter(run=second).values_list("estate_id", flat=True).first()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("DROP INDEX IF EXISTS one_current_result_per_estate_year")
        cur.execute("ALTER TABLE assessments_estateresult DROP CONSTRAINT IF EXISTS one_current_result_per_estate_year")
    EstateResult.objects.filter(run=first, estate_id=estate_id).update(is_current=True)
    ok, text = check(capsys)
    assert not ok and "有 2 条当前有效的考核结果" in text, text


# --- subsidies (sheets) -------------------------------------------------------------------------
def subsidised_world(world):
    from subsidies.models import Allocation
    from tests.subsidies.helpers import example_estate, run_year, worked_example_inputs

    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019)
    assert Allocation.objects.filter(estate=estate).exists()
    return estate


def test_subsidies_register_their_checks():
    from core.invariants import discover

    labels = {c.label for c in discover() if c.app == "subsidies"}
    assert any("明细之和" in label for label in labels) and any("承担之和" in label for label in labels)


def test_sheets_with_rows_pass(world, capsys):
    subsidised_world(world)
    ok, text = check(capsys)
    assert ok and "分配表的合计等于其明细之和" in text, text


def test_a_row_changed_behind_its_sheet_is_caught(world, capsys):
    from django.db.models import F

    from subsidies.models import Allocation

    estate = subsidised_world(world)
    row = Allocation.objects.filter(estate=estate).first()
    Allocation.objects.filter(pk=row.pk).update(amount_fen=F("amount_fen") + 100, city_fen=F("city_fen") + 100)
    ok, text = check(capsys)
    assert not ok and f"合计金额 表头 {row.sheet.total_fen} / 明细 {row.sheet.total_fen + 100}" in text, text


def test_a_sheet_whose_shares_do_not_add_up_is_caught(world, capsys):
    from django.db.models import F

    from subsidies.models import Allocation, AllocationSheet

    estate = subsidised_world(world)
    sheet = Allocation.objects.filter(estate=estate).first().sheet
    AllocationSheet.objects.filter(pk=sheet.pk).update(city_fen=F("city_fen") + 1)
    ok, text = check(capsys)
    assert not ok and "市级与区级承担之和等于金额（每条明细、每张分配表）：1 处不符" in text, text


def test_an_approved_sheet_and_its_adjustment_pass(world, capsys):
    """An adjustment's totals are sums of differences (补拨 / 追回): the checks follow them."""
    from assessments import services as assessment_services
    from subsidies import services
    from tests.subsidies.helpers import close_year, inspect, run_year, sheet

    subsidised_world(world)
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    services.approve_sheet(services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff), by=world.city_admin2)
    assessment_services.reopen_year(2019, by=world.city_admin, reason="逾期申诉经复核成立")
    inspect(world.estates["MY102"], world.meiyuan_clerk, 2019, (19, 19, 9))
    run_year(2019, "city_admin")
    assert sheet(2019, "玄武区").kind == "adjustment"
    ok, text = check(capsys)
    assert ok, text
