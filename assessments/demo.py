"""The demo city's 考核: inspections and fee collection rates for 2018 to 2020, the cycle run
for each year through the real job handler (synchronously, as `manage.py run_cycle` does),
2018 and 2019 published and closed with a few appeals (one upheld and re-scored), 2020 open
with inspections still waiting for review.

Inputs are bulk-created (with history); everything computed comes from the cycle code."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from accounts.choices import Role

from . import cycle
from .choices import AppealStatus, InspectionSource, InspectionStatus, YearStatus
from .models import (
    Appeal,
    AssessmentYear,
    ChecklistItem,
    CycleRun,
    EstateResult,
    FeeRate,
    Inspection,
    Scheme,
    YearEvent,
)

YEARS = (2018, 2019, 2020)
OPEN_YEAR = 2020
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def _dated(run, started: dt.datetime) -> None:
    """Give a demo run the times it would have had (a run of the whole city takes minutes), and the
    run it superseded the same moment as its end."""
    finished = started + dt.timedelta(minutes=6)
    CycleRun.objects.filter(pk=run.pk).update(created_at=started, started_at=started, finished_at=finished)
    CycleRun.objects.filter(year=run.year, superseded_at__isnull=False, superseded_at__gt=finished).update(
        superseded_at=finished
    )


def build(rng, ctx) -> None:
    from communities.demo import person_name

    system, users = ctx["system"], ctx.get("users", {})
    admin = users.get("shi_admin") or system
    clerk_of = {u.street_id: u for u in users.values() if u.role == Role.STREET_CLERK}
    reviewer_of = {}
    for u in users.values():
        if u.role == Role.DISTRICT_STAFF:
            reviewer_of.setdefault(u.district_id, u)

    estates = ctx["estates"]
    # An estate's "quality" carries over the years, so grades are stable but not frozen.
    quality = {e.pk: min(1.0, max(0.35, rng.gauss(0.82, 0.12))) for e in estates}
    inspectors = [person_name(rng) for _ in range(40)]

    inspections, fee_rates = [], []
    for year in YEARS:
        scheme = Scheme.objects.for_year(year)
        checklist: dict[str, list[ChecklistItem]] = {}
        for item in ChecklistItem.objects.filter(scheme=scheme).order_by("position"):
            checklist.setdefault(item.category, []).append(item)
        for estate in estates:
            items = checklist.get(estate.category, [])
            q = quality[estate.pk] + rng.uniform(-0.06, 0.06)
            participates = rng.random() < (0.9 if year < OPEN_YEAR else 0.8)
            author = clerk_of.get(estate.street_id, system)
            reviewer = reviewer_of.get(estate.district_id, system)
            for n in range(rng.randint(1, 3) if participates else 0):
                day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                scores, tenths = {}, 0
                for item in items:
                    top = int(item.max_points * 10)
                    value = max(0, min(top, round(top * min(1.0, q * rng.uniform(0.9, 1.1)))))
                    scores[item.code] = str(Decimal(value) / 10)
                    tenths += value
                status = InspectionStatus.APPROVED
                roll = rng.random()
                if roll < 0.04:
                    status = InspectionStatus.REJECTED
                elif year == OPEN_YEAR and roll < 0.25:
                    status = InspectionStatus.SUBMITTED
                elif year == OPEN_YEAR and roll < 0.28:
                    status = InspectionStatus.DRAFT
                source = InspectionSource.STREET if n == 0 or rng.random() < 0.7 else InspectionSource.DISTRICT
                row = Inspection(
                    estate=estate,
                    district_id=estate.district_id,
                    street_id=estate.street_id,
                    community_id=estate.community_id,
                    year=year,
                    date=day,
                    inspector_name=rng.choice(inspectors),
                    source=source,
                    status=status,
                    scores=scores,
                    total_tenths=tenths,
                    created_by=author if source == InspectionSource.STREET else reviewer,
                )
                if status != InspectionStatus.DRAFT:
                    row.submitted_at = _at(day, 17)
                if status in (InspectionStatus.APPROVED, InspectionStatus.REJECTED):
                    row.reviewed_by, row.reviewed_at = reviewer, _at(day + dt.timedelta(days=rng.randint(1, 10)))
                    row.reviewed_at = min(row.reviewed_at, _at(dt.date(year, 12, 31), 18))
                if status == InspectionStatus.REJECTED:
                    row.review_note = rng.choice(
                        ["评分依据不足，请补充照片", "检查日期与台账不符", "设施项评分偏高，请复核"]
                    )
                inspections.append(row)
            if rng.random() < 0.93:
                rate = Decimal(max(40.0, min(100.0, rng.gauss(70 + q * 25, 8)))).quantize(Decimal("0.01"))
                fee_rates.append(
                    FeeRate(
                        estate=estate,
                        district_id=estate.district_id,
                        street_id=estate.street_id,
                        community_id=estate.community_id,
                        year=year,
                        rate=rate,
                        updated_by=author,
                    )
                )
    inspections += _third_party(ctx, users, admin, quality, reviewer_of)
    bulk_create_with_history(inspections, Inspection, batch_size=2000, default_user=system)
    bulk_create_with_history(fee_rates, FeeRate, batch_size=2000, default_user=system)

    _review_deviations(users)
    for year in YEARS:
        run = cycle.start_run(year, by=admin, enqueue=False)
        cycle.execute_until_settled(run.pk)
        run.refresh_from_db()
        if run.status != "succeeded":
            raise RuntimeError(f"演示数据：{year}年度计分失败：{run.error}")
        if year != OPEN_YEAR:
            # A closed year was scored in the January after it, not on the day the demo loads.
            _dated(run, _at(dt.date(year + 1, 1, 12), 9))
            _publish_appeal_and_close(rng, year, admin, users, clerk_of, reviewer_of)


def _publish_appeal_and_close(rng, year, admin, users, clerk_of, reviewer_of) -> None:
    """The year's 公示 (20 January of the next year, ten days of appeal), its appeals and its
    closing, with the dates they would have had."""
    published = dt.date(year + 1, 1, 20)
    row = cycle.year_row(year)
    row.status, row.published_at, row.appeal_deadline = (
        YearStatus.PUBLISHED,
        _at(published),
        published + dt.timedelta(days=10),
    )
    row.save()
    YearEvent.objects.create(
        year=row,
        action="publish",
        by=admin,
        at=row.published_at,
        reason=f"申诉截止 {row.appeal_deadline:%Y-%m-%d} 24时",
    )

    # Appeals from the demo clerks' streets: mostly rejected; in 2019 one is upheld, its fee
    # rate corrected and the estate re-scored through the real appeal run.
    results = list(
        EstateResult.objects.filter(year=year, is_current=True, assessed=True, street_id__in=list(clerk_of))
        .select_related("estate")
        .order_by("total", "estate_id")[:3]
    )
    for i, result in enumerate(results):
        clerk = clerk_of[result.street_id]
        reviewer = reviewer_of.get(result.district_id, admin)
        upheld = year == 2019 and i == 0
        appeal = Appeal.objects.create(
            estate_id=result.estate_id,
            year=year,
            result=result,
            filed_by=clerk,
            reason=rng.choice(["物业费收缴率填报有误，实际收缴率更高", "第四季度检查未计入", "报修台账有重复登记"]),
            status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
            decided_by=reviewer,
            decided_at=_at(published + dt.timedelta(days=rng.randint(3, 9))),
            decision_note="经核实情况属实，同意更正" if upheld else "经核实，原考核结果依据充分，维持原结果",
        )
        if upheld:
            FeeRate.objects.filter(estate_id=result.estate_id, year=year).update(rate=Decimal("96.00"))
            # What services.rescore_appeal does, with the run executed here instead of queued.
            run = cycle.start_run(year, by=admin, appeal=appeal, enqueue=False)
            YearEvent.objects.create(
                year=row, action="rescore", by=admin, at=_at(published + dt.timedelta(days=12)), appeal=appeal
            )
            cycle.execute_until_settled(run.pk)
            _dated(run, _at(published + dt.timedelta(days=12), 11))

    row = AssessmentYear.objects.get(year=year)
    row.status, row.closed_at = YearStatus.CLOSED, _at(published + dt.timedelta(days=20))
    row.save()
    Scheme.objects.filter(runs__year=year).update(frozen=True)
    YearEvent.objects.create(year=row, action="close", by=admin, at=row.closed_at)


# --- 第三方评估 (clause 十) ----------------------------------------------------------------------
# Two engagements of the demo evaluator (pinggu): the city's for 2019 over 玄武区 and 鼓楼区 (10 %),
# 玄武区's own for 2020 (25 %). Two streets grade their own estates kindly in those years, so the
# deviation report (偏差分析) has something to find; every other street's checks are honest.
DEMO_ENGAGEMENTS = (
    # year, commissioner, districts, share, seed, period
    (2019, "shi_admin", ("玄武区", "鼓楼区"), "10", 20190215, (dt.date(2019, 3, 1), dt.date(2019, 11, 30))),
    (2020, "xuanwu_fang", ("玄武区",), "25", 20200301, (dt.date(2020, 4, 1), dt.date(2020, 11, 30))),
)
LENIENT_STREETS = ("梅园新村街道", "锁金村街道")
# A lenient street's estates are run worse than its own checks say: the third party finds them
# SHORTFALL below the quality from which the street's own checks were written (the street grades
# them as if they were still as good as they were).
SHORTFALL = 0.2


def _third_party(ctx, users, admin, quality, reviewer_of) -> list:
    """Engagements (through the service: the sample and the evaluator's scope as in use) and
    their third-party evaluations (unsaved rows)."""
    from communities.demo import person_name
    from communities.models import District, Street

    from .third_party import EngagementInput, create_engagement

    evaluator = users.get("pinggu")
    if evaluator is None:
        return []
    # Its own generator: the rest of the demo city stays what it was.
    rng = random.Random(19)
    names = [person_name(rng) for _ in range(6)]
    estates = {e.pk: e for e in ctx["estates"]}
    rows, years = [], set()
    lenient = set(Street.objects.filter(name__in=LENIENT_STREETS).values_list("pk", flat=True))
    for year, commissioner, district_names, share, seed, (start, end) in DEMO_ENGAGEMENTS:
        by = users.get(commissioner) or admin
        district_ids = list(District.objects.filter(name__in=district_names).values_list("pk", flat=True))
        if not district_ids:
            continue
        engagement = create_engagement(
            by=by,
            data=EngagementInput(
                year=year,
                organisation=evaluator.full_name or "第三方评估机构",
                contract_no=f"NJFC-PG-{year}-01",
                district_ids=district_ids,
                evaluator_ids=[evaluator.pk],
                start_date=start,
                end_date=end,
                contract_amount="360000" if len(district_ids) > 1 else "150000",
                sample_percent=share,
                seed=seed,
            ),
        )
        years.add(year)
        items = _item_tops(year)
        for estate_id in engagement.sample.values_list("estate_id", flat=True).order_by("estate_id"):
            estate = estates.get(estate_id)
            if estate is None:
                continue
            q = quality[estate_id] + rng.uniform(-0.04, 0.04) - (SHORTFALL if estate.street_id in lenient else 0)
            for _ in range(rng.randint(1, 2)):
                day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
                scores, tenths = {}, 0
                for code, top in items.get(estate.category, []):
                    value = max(0, min(top, round(top * min(1.0, q * rng.uniform(0.95, 1.05)))))
                    scores[code] = str(Decimal(value) / 10)
                    tenths += value
                pending = year == OPEN_YEAR and rng.random() < 0.2
                reviewer = reviewer_of.get(estate.district_id, admin)
                row = Inspection(
                    estate=estate,
                    district_id=estate.district_id,
                    street_id=estate.street_id,
                    community_id=estate.community_id,
                    year=year,
                    date=day,
                    inspector_name=rng.choice(names),
                    source=InspectionSource.THIRD_PARTY,
                    scores=scores,
                    total_tenths=tenths,
                    created_by=evaluator,
                    status=InspectionStatus.SUBMITTED if pending else InspectionStatus.APPROVED,
                    submitted_at=_at(day, 16),
                )
                if not pending:
                    row.reviewed_by = reviewer
                    row.reviewed_at = min(
                        _at(day + dt.timedelta(days=rng.randint(2, 8))), _at(dt.date(year, 12, 31), 18)
                    )
                rows.append(row)
    return rows


def _item_tops(year: int) -> dict[str, list[tuple[str, int]]]:
    """category → [(item code, maximum in tenths)] of the year's scheme."""
    out: dict[str, list] = {}
    for item in ChecklistItem.objects.filter(scheme=Scheme.objects.for_year(year)).order_by("position"):
        out.setdefault(item.category, []).append((item.code, int(item.max_points * 10)))
    return out


def _review_deviations(users) -> None:
    """玄武区 has concluded on its flagged streets of 2019 (the closed year); 2020's stay to do."""
    from .third_party import deviation_report, review_deviation

    reviewer = users.get("xuanwu_fang")
    if reviewer is None:
        return
    for row in deviation_report(2019, user=reviewer):
        if row.flagged and row.review is None:
            lenient = row.street_name in LENIENT_STREETS
            review = review_deviation(
                by=reviewer,
                year=2019,
                street_id=row.street_id,
                conclusion="confirmed" if lenient else "explained",
                note=(
                    f"已约谈{row.street_name}，责令对日常检查评分标准进行整改，2020年扩大第三方抽样比例复核。"
                    if lenient
                    else "经核查，差异源于检查时点不同（街道检查在整改后），不作处理。"
                ),
            )
            # concluded in the January after the year, as it would have been
            type(review).objects.filter(pk=review.pk).update(
                created_at=_at(dt.date(2020, 1, 8)), updated_at=_at(dt.date(2020, 1, 8))
            )
