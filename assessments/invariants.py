"""The assessment's invariants (core/invariants.py): one current cycle run per year, one
current result per estate and year, current results made by the current run, and the roll-ups
equal to the estate results they sum."""

from __future__ import annotations

from django.db.models import Count, F, Q

from core.invariants import register

from .choices import Grade, UnitLevel
from .models import CycleRun, EstateResult, UnitResult

GRADE_FIELDS = {
    Grade.THREE_STAR: "three_star",
    Grade.TWO_STAR: "two_star",
    Grade.ONE_STAR: "one_star",
    Grade.FAIL: "fail",
    Grade.NOT_ASSESSED: "not_assessed",
}


@register("每个年度只有一个当前有效的考核计分")
def one_current_run_per_year():
    for row in CycleRun.objects.filter(is_current=True).values("year").annotate(n=Count("id")).filter(n__gt=1):
        yield f"{row['year']}年度有 {row['n']} 个当前有效的计分任务。"
    for run in CycleRun.objects.filter(is_current=True).exclude(status="succeeded"):
        yield f"{run.year}年度当前有效的计分任务 #{run.pk} 的状态不是“已完成”。"


@register("每个小区每个年度只有一条当前有效的考核结果")
def one_current_result_per_estate_year():
    rows = (
        EstateResult.objects.filter(is_current=True)
        .values("estate__code", "year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("year", "estate__code")
    )
    for row in rows:
        yield f"小区 {row['estate__code']} 的 {row['year']} 年度有 {row['n']} 条当前有效的考核结果。"


@register("当前有效的考核结果都来自该年度当前有效的计分，且条数与计分记录一致")
def current_results_come_from_the_current_run():
    stray = (
        EstateResult.objects.filter(is_current=True)
        .filter(Q(run__is_current=False) | ~Q(run__year=F("year")))
        .values("year", "run_id")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    for row in stray:
        yield f"{row['year']}年度有 {row['n']} 条当前有效的结果来自非当前计分 #{row['run_id']}。"
    for run in (
        CycleRun.objects.filter(is_current=True)
        .annotate(n=Count("results", filter=Q(results__is_current=True)))
        .order_by("year")
    ):
        if run.n != run.estates_total:
            yield f"{run.year}年度当前计分 #{run.pk} 记录计分小区 {run.estates_total} 个，实有当前结果 {run.n} 条。"


@register("社区、街道、区的汇总与其小区的当前结果一致（小区数、参加考核数、各等级数）")
def unit_results_match_estate_results():
    path = {UnitLevel.COMMUNITY: "community_id", UnitLevel.STREET: "street_id", UnitLevel.DISTRICT: "district_id"}
    for level, column in path.items():
        counted = {}
        rows = (
            EstateResult.objects.filter(is_current=True)
            .values("year", column, "grade")
            .annotate(n=Count("id"), assessed_n=Count("id", filter=Q(assessed=True)))
            .order_by()
        )
        for row in rows:
            key = (row["year"], row[column])
            c = counted.setdefault(key, {"estates": 0, "assessed": 0, **dict.fromkeys(GRADE_FIELDS.values(), 0)})
            c["estates"] += row["n"]
            c["assessed"] += row["assessed_n"]
            c[GRADE_FIELDS[row["grade"]]] += row["n"]
        units = UnitResult.objects.filter(is_current=True, level=level).values(
            "year", "unit_key", column, f"{level}__name", "estates", "assessed", *GRADE_FIELDS.values()
        )
        seen = set()
        for unit in units:
            key = (unit["year"], unit[column])
            seen.add(key)
            expected = counted.get(key, {"estates": 0, "assessed": 0, **dict.fromkeys(GRADE_FIELDS.values(), 0)})
            wrong = [f for f, v in expected.items() if unit[f] != v]
            if wrong:
                detail = "、".join(f"{_LABELS[f]} 汇总 {unit[f]} / 明细 {expected[f]}" for f in wrong)
                yield f"{unit['year']}年度{UnitLevel(level).label}“{unit[f'{level}__name']}”的汇总：{detail}。"
        for key in counted.keys() - seen:
            if UnitResult.objects.filter(year=key[0], is_current=True).exists():
                yield f"{key[0]}年度有当前结果的{UnitLevel(level).label}（id {key[1]}）没有当前汇总。"


_LABELS = {"estates": "小区数", "assessed": "参加考核数", **{v: k.label for k, v in GRADE_FIELDS.items()}}
