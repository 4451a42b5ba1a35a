"""Allocations after a cycle run reproduce policy-defaults.md §7 to the fen, sheets carry their
totals, approved sheets are never touched, and a correction after approval is an adjustment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subsidies.models import Allocation, AllocationSheet, StartupGrant

from .helpers import (
    close_year,
    example_estate,
    fen,
    inspect,
    new_renovated_estate,
    run_year,
    sheet,
    worked_example_inputs,
)

pytestmark = pytest.mark.django_db


def test_worked_example_management_subsidy(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019)
    row = Allocation.objects.get(estate=estate, sheet__year=2019, kind="management")
    assert (row.area, row.score, row.grade, row.rate) == (
        Decimal("32600.50"),
        Decimal("93.00"),
        "三星",
        Decimal("3.60"),
    )
    assert (row.amount_fen, row.city_fen, row.district_fen) == (fen("117,361.80"), fen("29,340.45"), fen("88,021.35"))
    assert row.payee == "梅园新村街道办事处"  # public welfare mode without a firm on record: the street office
    # renovated 2017: no start-up tranche
    assert not Allocation.objects.filter(estate=estate, kind="startup").exists()
    s = sheet(2019, "玄武区")
    assert (s.status, s.version, s.estates, s.total_fen, s.city_fen, s.district_fen) == (
        "draft",
        1,
        1,
        fen("117361.80"),
        fen("29340.45"),
        fen("88021.35"),
    )


def test_every_covered_district_gets_a_sheet_zeros_included(world):
    run_year(2019)
    names = set(AllocationSheet.objects.filter(year=2019).values_list("district__name", flat=True))
    assert names == {"玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "雨花台区"}
    assert set(AllocationSheet.objects.filter(year=2019).values_list("total_fen", flat=True)) == {0}


def test_worked_example_startup_tranches_over_three_years(world):
    estate = new_renovated_estate()
    expected = {
        2018: (1, "80000.00", "20000.00", "60000.00"),
        2019: (2, "48000.00", "12000.00", "36000.00"),
        2020: (3, "32000.00", "8000.00", "24000.00"),
    }
    for year, (tranche, amount, city, district) in expected.items():
        inspect(estate, world.meiyuan_clerk, year, (10, 10, 5, 5))  # 不达标 still gets its tranche
        run_year(year)
        row = Allocation.objects.get(estate=estate, sheet__year=year, kind="startup")
        assert (row.tranche, row.grant_total_fen) == (tranche, fen("160000.00"))
        assert (row.amount_fen, row.city_fen, row.district_fen) == (fen(amount), fen(city), fen(district))
        assert row.grade == "不达标"
        assert not Allocation.objects.filter(estate=estate, sheet__year=year, kind="management").exists()
        if year == 2018:
            # the tier is fixed: a bigger area later does not change the total
            estate.building_area = Decimal("150000.00")
            estate.save()
    assert StartupGrant.objects.get(estate=estate).total_fen == fen("160000.00")


def test_a_tranche_not_paid_in_its_year_is_not_carried_over(world):
    estate = new_renovated_estate()
    run_year(2018)  # not assessed in 2018
    inspect(estate, world.meiyuan_clerk, 2019)
    run_year(2019)
    assert not Allocation.objects.filter(estate=estate, sheet__year=2018).exists()
    row = Allocation.objects.get(estate=estate, sheet__year=2019, kind="startup")
    assert (row.tranche, row.amount_fen) == (2, fen("48000.00"))


def test_rerun_recomputes_drafts_but_never_an_approved_sheet(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    from subsidies import services

    s = services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff)
    s = services.approve_sheet(s, by=world.city_admin2)
    assert s.status == "approved" and s.approved_by == world.city_admin2
    before = list(Allocation.objects.filter(sheet=s).values_list("estate_id", "amount_fen", "city_fen"))
    # an audit finding: the area was wrong. Reopen, correct, re-run.
    from assessments import services as assessment_services

    assessment_services.reopen_year(2019, by=world.city_admin, reason="审计发现面积有误")
    estate.building_area = Decimal("30000.00")
    estate.save()
    run_year(2019, "city_admin")
    s.refresh_from_db()
    assert s.status == "approved"
    assert list(Allocation.objects.filter(sheet=s).values_list("estate_id", "amount_fen", "city_fen")) == before
    adj = sheet(2019, "玄武区")
    assert (adj.version, adj.kind, adj.status, adj.reason) == (2, "adjustment", "draft", "审计发现面积有误")
    row = adj.rows.get()
    # 30,000 × 3.60 = 108,000.00 → 追回 9,361.80 (city 2,340.45, district 7,021.35)
    assert (row.previous_fen, row.amount_fen, row.diff_fen, row.diff_label) == (
        fen("117361.80"),
        fen("108000.00"),
        -fen("9361.80"),
        "追回",
    )
    assert (row.diff_city_fen, row.diff_district_fen) == (-fen("2340.45"), -fen("7021.35"))
    assert (adj.total_fen, adj.city_recover_fen, adj.district_recover_fen, adj.city_pay_fen) == (
        -fen("9361.80"),
        fen("2340.45"),
        fen("7021.35"),
        0,
    )
    # other districts were approved? no: they stay drafts and are recomputed in place
    assert sheet(2019, "鼓楼区").version == 1


def test_a_district_outside_the_six_with_its_own_district_funded_policy(world):
    from communities.models import Community, District, Estate, Street
    from subsidies.models import Policy

    pukou = District.objects.get(name="浦口区")
    street = Street.objects.filter(district=pukou).order_by("code").first()
    community = Community.objects.create(name="浦口示例社区", street=street)
    estate = Estate.objects.create(
        code="PK001", name="浦口小区", community=community, building_area=Decimal("10000.00"), category="unrenovated"
    )
    policy = Policy.objects.create(
        kind="management",
        name="浦口区老旧小区管理扶持（区级自筹）",
        source_document="浦政办",
        valid_from_year=2019,
        valid_to_year=2019,
        categories=["unrenovated"],
        city_share=Decimal("0"),
    )
    policy.districts.set([pukou])
    policy.rates.create(grade="一星", rate=Decimal("1.00"))
    inspect(estate, world.meiyuan_clerk, 2019, (19, 19, 9))  # 47 + 20 + 0 + 6 = 73 → 一星
    run_year(2019)
    row = Allocation.objects.get(estate=estate)
    assert (row.amount_fen, row.city_fen, row.district_fen) == (fen("10000.00"), 0, fen("10000.00"))
    assert sheet(2019, "浦口区").district_fen == fen("10000.00")


def test_a_confirmed_sheet_recomputed_after_reopening_returns_to_draft(world):
    from assessments import services as assessment_services
    from subsidies import services

    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019)
    close_year(2019, world.city_admin)
    s = services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff)
    assessment_services.reopen_year(2019, by=world.city_admin, reason="更正面积")
    estate.building_area = Decimal("30000.00")
    estate.save()
    run_year(2019)
    s.refresh_from_db()
    assert (s.version, s.status, s.confirmed_by, s.total_fen) == (1, "draft", None, fen("108000.00"))
    assert list(s.events.values_list("action", flat=True)) == ["computed", "confirmed", "recomputed"]


def _qinhuai_staff():
    from accounts.choices import Role
    from communities.models import District
    from tests.factories import make_user

    return make_user("qinhuai_staff", Role.DISTRICT_STAFF, District.objects.get(name="秦淮区"))


def _corrected_2018(reviewer, estate, first_2018):
    """The correction of issue 13.3: the area was 40,000 m², and the 2018 inspection is rejected."""
    from assessments import services as assessment_services

    estate.building_area = Decimal("40000.00")
    estate.save()
    assessment_services.review_inspection(first_2018, by=reviewer, approve=False, reason="检查记录不实")


def test_a_grant_fixed_by_a_superseded_run_does_not_survive_it(world):
    """Issue 13.3: 2018's first run fixes 160,000 from 61,000 m²; after the correction the re-run
    pays no 2018 tranche, so its grant goes; 2019 pays tranche 2 of the 120,000 tier."""
    estate = new_renovated_estate()
    first = inspect(estate, world.meiyuan_clerk, 2018)
    run_year(2018, "city_admin")
    grant = StartupGrant.objects.get(estate=estate)
    assert (grant.total_fen, grant.area, grant.fixed_year) == (fen("160000.00"), Decimal("61000.00"), 2018)
    _corrected_2018(_qinhuai_staff(), estate, first)
    run_year(2018, "city_admin")
    assert not Allocation.objects.filter(estate=estate, sheet__year=2018).exists()
    assert not StartupGrant.objects.filter(estate=estate).exists()
    inspect(estate, world.meiyuan_clerk, 2019)
    run_year(2019, "city_admin")
    row = Allocation.objects.get(estate=estate, sheet__year=2019, kind="startup")
    assert (row.tranche, row.grant_total_fen, row.amount_fen) == (2, fen("120000.00"), fen("36000.00"))
    assert (row.city_fen, row.district_fen) == (fen("9000.00"), fen("27000.00"))
    grant = StartupGrant.objects.get(estate=estate)
    assert (grant.total_fen, grant.area, grant.fixed_year) == (fen("120000.00"), Decimal("40000.00"), 2019)


def test_a_grant_of_an_approved_year_goes_with_the_tranche_a_correction_recovers(world):
    """The same correction after 2018's sheet was approved: the adjustment recovers the whole
    2018 tranche, and the grant goes with it, so 2019 is paid from the corrected tier."""
    from accounts.choices import Role
    from assessments import services as assessment_services
    from communities.models import District
    from subsidies import services
    from tests.factories import make_user

    qinhuai_staff = make_user("qinhuai_staff", Role.DISTRICT_STAFF, District.objects.get(name="秦淮区"))
    estate = new_renovated_estate()
    first = inspect(estate, world.meiyuan_clerk, 2018)
    run_year(2018, "city_admin")
    close_year(2018, world.city_admin)
    s = services.confirm_sheet(sheet(2018, "秦淮区"), by=qinhuai_staff)
    services.approve_sheet(s, by=world.city_admin2)
    assessment_services.reopen_year(2018, by=world.city_admin, reason="审计发现面积有误、检查记录不实")
    _corrected_2018(qinhuai_staff, estate, first)
    run_year(2018, "city_admin")
    adj = sheet(2018, "秦淮区")
    row = adj.rows.get(estate=estate, kind="startup")
    assert (adj.kind, row.previous_fen, row.amount_fen, row.diff_label) == ("adjustment", fen("80000.00"), 0, "追回")
    assert not StartupGrant.objects.filter(estate=estate).exists()
    inspect(estate, world.meiyuan_clerk, 2019)
    run_year(2019, "city_admin")
    row = Allocation.objects.get(estate=estate, sheet__year=2019, kind="startup")
    assert (row.tranche, row.grant_total_fen, row.amount_fen) == (2, fen("120000.00"), fen("36000.00"))
