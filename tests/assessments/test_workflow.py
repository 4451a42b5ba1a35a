"""Review, the year's order (publication, appeals, closing, reopening), frozen schemes,
the signal and the reminder — through the services that the pages and commands call."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from assessments import services
from assessments.cycle import start_run
from assessments.errors import Refused
from assessments.models import (
    AssessmentYear,
    CycleRun,
    EstateResult,
    FeeRate,
    Inspection,
    Notice,
    Scheme,
    UnitResult,
    YearEvent,
)
from assessments.signals import cycle_run_finished

from .conftest import add_inspection, worked_example_inputs

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FULL = {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"}


def current(estate, year=2019):
    return EstateResult.objects.get(estate=estate, year=year, is_current=True)


# --- inspections -------------------------------------------------------------------------------
def test_clerk_enters_and_district_reviews_but_never_their_own(world, example_estate):
    insp = services.save_inspection(
        by=world.meiyuan_clerk, estate=example_estate, date=dt.date(2019, 3, 5), scores=FULL, inspector_name="张三"
    )
    assert (insp.status, insp.total, insp.source, insp.district_id) == (
        "submitted",
        Decimal("44"),
        "street",
        example_estate.district_id,
    )
    with pytest.raises(Refused, match="需要|退回必须填写原因"):
        services.review_inspection(insp, by=world.xuanwu_staff, approve=False, reason="")
    spot = services.save_inspection(
        by=world.xuanwu_staff, estate=example_estate, date=dt.date(2019, 4, 5), scores=FULL, inspector_name="区检查员"
    )
    assert spot.source == "district"
    with pytest.raises(Refused, match="不能审核自己"):
        services.review_inspection(spot, by=world.xuanwu_staff, approve=True)
    services.review_inspection(spot, by=world.xuanwu_staff2, approve=True)
    with pytest.raises(Refused):  # another district: does not exist for it
        services.review_inspection(insp, by=world.gulou_staff, approve=True)
    with pytest.raises(Refused, match="权限"):
        services.review_inspection(insp, by=world.city_admin, approve=True)
    services.review_inspection(insp, by=world.xuanwu_staff, approve=False, reason="照片与现场不符")
    insp.refresh_from_db()
    assert insp.status == "rejected" and insp.review_note == "照片与现场不符"


def test_rejected_and_draft_inspections_do_not_count(world, example_estate):
    add_inspection(
        example_estate,
        world.meiyuan_clerk,
        dt.date(2019, 3, 5),
        {"cleanliness": 15, "order": 15, "greening": 10, "facilities": 10},
    )
    add_inspection(
        example_estate,
        world.meiyuan_clerk,
        dt.date(2019, 3, 6),
        {"cleanliness": 0, "order": 0, "greening": 0, "facilities": 0},
        status="rejected",
    )
    add_inspection(
        example_estate,
        world.meiyuan_clerk,
        dt.date(2019, 3, 7),
        {"cleanliness": 0, "order": 0, "greening": 0, "facilities": 0},
        status="draft",
    )
    add_inspection(
        example_estate,
        world.meiyuan_clerk,
        dt.date(2018, 12, 31),
        {"cleanliness": 0, "order": 0, "greening": 0, "facilities": 0},
    )
    call_command("run_cycle", "2019")
    r = current(example_estate)
    assert (r.management, r.inspections_counted, r.fee, r.total) == (
        Decimal("50.00"),
        1,
        Decimal("0.00"),
        Decimal("78.00"),
    )
    assert r.grade == "一星"


def test_evaluator_enters_only_for_assigned_estates(world):
    my101, my102 = world.estates["MY101"], world.estates["MY102"]
    insp = services.save_inspection(
        by=world.evaluator, estate=my101, date=dt.date(2019, 5, 1), scores=FULL, inspector_name="评估员"
    )
    assert insp.source == "third_party"
    with pytest.raises(Refused, match="小区编码不存在"):
        services.save_inspection(
            by=world.evaluator,
            estate=my102,
            date=dt.date(2019, 5, 1),
            scores={"cleanliness": "14", "order": "13", "greening": "9"},
            inspector_name="评估员",
        )


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"cleanliness": "15.5", "order": "13", "greening": "9", "facilities": "8"}, "不能超过满分15分"),
        ({"cleanliness": "-1", "order": "13", "greening": "9", "facilities": "8"}, "不能小于0"),
        ({"cleanliness": "14.25", "order": "13", "greening": "9", "facilities": "8"}, "最多保留一位小数"),
        ({"cleanliness": "14", "greening": "9", "facilities": "8"}, "请填写秩序得分"),
        ({"cleanliness": "abc", "order": "13", "greening": "9", "facilities": "8"}, "不是有效的数字"),
    ],
)
def test_bad_scores_are_refused_and_nothing_written(world, example_estate, scores, message):
    with pytest.raises(Refused) as exc:
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=example_estate,
            date=dt.date(2019, 3, 5),
            scores=scores,
            inspector_name="张三",
        )
    assert any(message in m for m in exc.value.errors.values()), exc.value.errors
    assert not Inspection.objects.exists()


def test_facilities_on_unrenovated_and_future_dates_are_refused(world):
    unrenovated = world.estates["MY102"]
    with pytest.raises(Refused) as exc:
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=unrenovated,
            date=dt.date(2019, 3, 5),
            scores={"cleanliness": "18", "order": "18", "greening": "9", "facilities": "5"},
            inspector_name="张三",
        )
    assert "没有“设施”项目" in exc.value.errors["facilities"]
    with pytest.raises(Refused) as exc:
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=unrenovated,
            date=dt.date.today() + dt.timedelta(days=1),
            scores={"cleanliness": "18", "order": "18", "greening": "9"},
            inspector_name="张三",
        )
    assert "日期不合理" in exc.value.errors["date"]
    assert not Inspection.objects.exists()


def test_fee_rate_bounds(world, example_estate):
    for rate, message in (("100.01", "0到100"), ("-1", "0到100"), ("92.555", "两位小数"), ("x", "不是有效的数字")):
        with pytest.raises(Refused) as exc:
            services.set_fee_rate(by=world.meiyuan_clerk, estate=example_estate, year=2019, rate=rate)
        assert message in exc.value.errors["rate"]
    with pytest.raises(Refused, match="小区编码不存在"):
        services.set_fee_rate(by=world.ninghai_clerk, estate=example_estate, year=2019, rate="90")
    assert not FeeRate.objects.exists()
    services.set_fee_rate(by=world.meiyuan_clerk, estate=example_estate, year=2019, rate="100")
    assert FeeRate.objects.get().rate == Decimal("100.00")


# --- the cycle ---------------------------------------------------------------------------------
def test_second_start_while_one_is_active_is_refused(world):
    start_run(2019, by=world.city_admin, enqueue=False)
    with pytest.raises(Refused, match="正在进行"):
        start_run(2019, by=world.city_admin, enqueue=False)
    assert CycleRun.objects.count() == 1
    start_run(2018, by=world.city_admin, enqueue=False)  # another year is independent
    with pytest.raises(Refused, match="市房产局"):
        start_run(2017, by=world.xuanwu_staff, enqueue=False)


def test_signal_is_sent_inside_the_job_before_it_is_marked_done(world, example_estate):
    seen = []

    def receiver(sender, run, **kwargs):
        run_row = CycleRun.objects.get(pk=run.pk)
        seen.append(
            (sender, run_row.status, run_row.is_current, EstateResult.objects.filter(run=run, is_current=True).count())
        )

    cycle_run_finished.connect(receiver)
    try:
        worked_example_inputs(example_estate, world.meiyuan_clerk)
        call_command("run_cycle", "2019")
    finally:
        cycle_run_finished.disconnect(receiver)
    assert seen == [(CycleRun, "running", True, 13)]


def test_a_failing_receiver_fails_the_run_and_nothing_becomes_current(world, example_estate):
    def broken(sender, run, **kwargs):
        raise RuntimeError("subsidies exploded")

    cycle_run_finished.connect(broken)
    try:
        with pytest.raises(Exception):  # noqa: B017 - the command reports the failure
            call_command("run_cycle", "2019")
    finally:
        cycle_run_finished.disconnect(broken)
    run = CycleRun.objects.get()
    assert run.status == "failed" and not run.is_current
    assert not EstateResult.objects.filter(is_current=True).exists()


def test_rollups_count_rank_and_weight_by_area(world):
    # MY101 (21,000 m²) 44 + 20 + 20 + 8 = 92 → 三星; MY201 (23,000 m²) 78; XJK101 (25,000) 78
    e = world.estates
    for code, full in (("MY101", True), ("MY201", False), ("XJK101", False)):
        scores = (
            {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8}
            if full
            else {"cleanliness": 15, "order": 15, "greening": 10, "facilities": 10}
        )
        add_inspection(e[code], world.city_admin, dt.date(2019, 3, 5), scores)
    FeeRate.objects.create(estate=e["MY101"], year=2019, rate=Decimal("95"), updated_by=world.city_admin)
    call_command("run_cycle", "2019")
    totals = {r.estate.code: r.total for r in EstateResult.objects.filter(is_current=True, total__isnull=False)}
    assert totals == {"MY101": Decimal("92.00"), "MY201": Decimal("78.00"), "XJK101": Decimal("78.00")}
    units = {u.unit_key: u for u in UnitResult.objects.filter(is_current=True)}
    meiyuan = units[f"s{e['MY101'].street_id}"]
    assert (meiyuan.estates, meiyuan.assessed, meiyuan.three_star, meiyuan.one_star, meiyuan.not_assessed) == (
        4,
        2,
        1,
        1,
        2,
    )
    # (92 × 21,000 + 78 × 23,000) / 44,000 = 84.6818… → 84.68
    assert meiyuan.mean_score == Decimal("84.68")
    xinjiekou = units[f"s{e['XJK101'].street_id}"]
    assert xinjiekou.mean_score == Decimal("78.00")
    assert (meiyuan.rank, xinjiekou.rank) == (1, 2)
    ninghai = units[f"s{e['NH101'].street_id}"]
    assert ninghai.mean_score is None and ninghai.rank is None
    # communities of 梅园新村: MY1 92, MY2 78 → ranks 1, 2; districts: 玄武 ranked, 鼓楼 not
    assert units[f"c{e['MY101'].community_id}"].rank == 1 and units[f"c{e['MY201'].community_id}"].rank == 2
    assert units[f"d{e['MY101'].district_id}"].rank == 1 and units[f"d{e['NH101'].district_id}"].rank is None


def test_ranks_share_ties():
    from assessments.cycle import Tally, ranks

    def t(score_cents):
        tally = Tally(1)
        tally.score_area, tally.area = score_cents * 100, 100
        return tally

    assert ranks([("a", t(9000)), ("b", t(9000)), ("c", t(8000)), ("d", Tally(1))]) == {"a": 1, "b": 1, "c": 3}


# --- publication, appeals, closing -----------------------------------------------------------------
def test_appeal_deadline_is_end_of_the_tenth_day_in_shanghai():
    state = AssessmentYear(year=2019, status="published", appeal_deadline=dt.date(2020, 3, 11))
    assert state.appeal_window_open(now=dt.datetime(2020, 3, 11, 23, 59, 59, tzinfo=SH))
    assert not state.appeal_window_open(now=dt.datetime(2020, 3, 12, 0, 0, 0, tzinfo=SH))
    # 16:00 UTC on the 11th is already midnight in Shanghai
    assert not state.appeal_window_open(now=dt.datetime(2020, 3, 11, 16, 0, 0, tzinfo=dt.UTC))


def _publish(world, example_estate):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    return services.publish_year(2019, by=world.city_admin)


def test_year_order_publish_appeal_uphold_rescore_close_reopen(world, example_estate):
    with pytest.raises(Refused, match="还没有考核结果"):
        services.publish_year(2019, by=world.city_admin)
    state = _publish(world, example_estate)
    from django.utils import timezone

    assert state.appeal_deadline == timezone.localdate() + dt.timedelta(days=10)
    # during 公示 the inputs are frozen except for upheld appeals
    with pytest.raises(Refused) as exc:
        services.set_fee_rate(by=world.meiyuan_clerk, estate=example_estate, year=2019, rate="50")
    assert "公示" in exc.value.errors["year"]
    with pytest.raises(Refused, match="申诉期"):
        services.close_year(2019, by=world.city_admin)
    with pytest.raises(Refused, match="正在公示"):
        start_run(2019, by=world.city_admin, enqueue=False)
    with pytest.raises(Refused, match="未在公示期"):
        services.file_appeal(by=world.meiyuan_clerk, estate=example_estate, year=2018, reason="不服")
    with pytest.raises(Refused, match="申诉理由"):
        services.file_appeal(by=world.meiyuan_clerk, estate=example_estate, year=2019, reason=" ")
    with pytest.raises(Refused, match="小区编码不存在"):
        services.file_appeal(by=world.xinjiekou_clerk, estate=example_estate, year=2019, reason="不服")
    appeal = services.file_appeal(
        by=world.meiyuan_clerk, estate=example_estate, year=2019, reason="收缴率填报有误，应为75%"
    )
    with pytest.raises(Refused, match="待处理"):
        services.file_appeal(by=world.meiyuan_clerk, estate=example_estate, year=2019, reason="再次")
    with pytest.raises(Refused, match="处理意见"):
        services.decide_appeal(appeal, by=world.xuanwu_staff, uphold=True, note="")
    services.decide_appeal(appeal, by=world.xuanwu_staff, uphold=True, note="核实，收缴率应为75%")
    services.set_fee_rate(by=world.meiyuan_clerk, estate=example_estate, year=2019, rate="75")
    before = CycleRun.objects.get(is_current=True)
    other_before = current(world.estates["MY102"])
    run = services.rescore_appeal(appeal, by=world.xuanwu_staff)
    from assessments.cycle import execute_until_settled

    execute_until_settled(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.is_current and run.kind == "appeal"
    before.refresh_from_db()
    assert not before.is_current and before.superseded_at
    r = current(example_estate)
    assert (r.fee, r.total, r.grade, r.run_id) == (Decimal("12.00"), Decimal("85.00"), "二星", run.pk)
    other = current(world.estates["MY102"])
    assert other.run_id == run.pk and other.grade == other_before.grade
    assert EstateResult.objects.filter(run=run).count() == EstateResult.objects.filter(run=before).count()
    assert UnitResult.objects.filter(run=run, is_current=True).count() == UnitResult.objects.filter(run=before).count()
    assert YearEvent.objects.filter(action="rescore").count() == 1

    # the window ends; closing freezes the year and the scheme it used
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2020, 1, 1))
    with pytest.raises(Refused, match="已于"):
        services.file_appeal(by=world.meiyuan_clerk, estate=example_estate, year=2019, reason="迟到的申诉")
    services.close_year(2019, by=world.city_admin)
    scheme = Scheme.objects.get(version=1)
    assert scheme.frozen and scheme.is_locked()
    with pytest.raises(Refused, match="已冻结"):
        services.update_scheme(scheme, by=world.city_admin, fields={"management_points": Decimal("40")})
    with pytest.raises(Refused, match="已关闭"):
        start_run(2019, by=world.city_admin, enqueue=False)
    with pytest.raises(Refused) as exc:
        services.save_inspection(
            by=world.meiyuan_clerk, estate=example_estate, date=dt.date(2019, 6, 1), scores=FULL, inspector_name="张三"
        )
    assert "已关闭" in exc.value.errors["date"]
    with pytest.raises(Refused) as exc:
        services.set_fee_rate(by=world.meiyuan_clerk, estate=example_estate, year=2019, rate="99")
    assert "已关闭" in exc.value.errors["year"]
    # a later registry change does not touch the closed year's results
    example_estate.building_area = Decimal("60000.00")
    example_estate.save()
    assert current(example_estate).size == Decimal("8.00")

    with pytest.raises(Refused, match="原因"):
        services.reopen_year(2019, by=world.city_admin, reason="")
    services.reopen_year(2019, by=world.city_admin, reason="审计发现面积登记错误")
    assert YearEvent.objects.filter(action="reopen", reason="审计发现面积登记错误").exists()
    call_command("run_cycle", "2019")
    assert current(example_estate).size == Decimal("10.00")


def test_scheme_versions_and_checks(world):
    base = Scheme.objects.get(version=1)
    with pytest.raises(Refused) as exc:
        services.update_scheme(base, by=world.city_admin, fields={"management_points": Decimal("45")})
    assert "合计须为100分" in exc.value.errors["management_points"]
    with pytest.raises(Refused, match="权限"):
        services.update_scheme(base, by=world.xuanwu_staff, fields={})
    new = services.new_scheme_version(
        base, by=world.city_admin, valid_from_year=2021, source_document="宁房物字〔2021〕1号"
    )
    base.refresh_from_db()
    assert (base.valid_to_year, new.version, new.valid_from_year) == (2020, 2, 2021)
    assert Scheme.objects.for_year(2020) == base and Scheme.objects.for_year(2022) == new
    assert new.items.count() == 11 and new.bands.count() == 9 and new.grade_bands.count() == 4
    services.update_scheme(
        new, by=world.city_admin, fields={"dispute_points": Decimal("5"), "repair_points": Decimal("15")}
    )
    with pytest.raises(Refused) as exc:
        services.update_scheme(new, by=world.city_admin, fields={"valid_from_year": 2020})
    assert "重叠" in exc.value.errors["valid_from_year"]


def test_reminder_reports_readiness_without_starting_the_cycle(world, example_estate):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="assessments.tasks.yearly_readiness_reminder")
    assert (task.crontab.month_of_year, task.crontab.day_of_month, task.enabled) == ("1", "15", True)
    add_inspection(example_estate, world.meiyuan_clerk, dt.date(2019, 3, 5), FULL)
    from assessments.tasks import yearly_readiness_reminder

    yearly_readiness_reminder.delay()
    notice = Notice.objects.get()
    assert notice.year == dt.date.today().year - 1
    report = services.readiness_report(2019)
    assert (report["estates"], report["without_inspection"], report["without_fee_rate"], report["awaiting_review"]) == (
        13,
        12,
        13,
        1,
    )
    assert not CycleRun.objects.exists()
