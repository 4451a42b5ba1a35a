"""看板: the picture at a glance for the user's scope (city, district, street — and a
community or an evaluator's estates), on the home page.

Each panel is a `Chart`: categories (x axis), series, and for every value the address of the
filtered list behind it. The page draws it with ECharts (static/js/dashboard.js reads the
data from a json_script block; no inline script) and shows the same numbers as a table.

Everything is read through `visible_to(user)` and grouped in the database: the number of
queries does not depend on the number of estates, units or cases (tests/dashboards/test_dashboards.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessments.choices import GRADE_COLUMNS
from assessments.models import EstateResult
from communities.choices import EstateCategory, ManagementMode
from communities.coverage import GAPS, mode_rules
from communities.models import District, Estate
from communities.services import SUMMARY_CACHE_SECONDS
from core.money import fen_to_yuan, format_yuan
from disputes import stats
from disputes.limits import year_bounds
from disputes.models import DisputeCase, RepairRequest
from staffing.compliance import compliance_report
from subsidies.choices import SheetKind, SheetStatus
from subsidies.models import AllocationSheet

from .charts import Chart, Unit, _unit_params, _url, units_for

GRADE_COLOURS = {"三星": "#1a7f37", "二星": "#4493f8", "一星": "#d4a72c", "不达标": "#cf222e", "未参加考核": "#8c959f"}


def estates_by_category_and_mode(user) -> Chart:
    counts = {
        (c, m): n
        for c, m, n in Estate.objects.visible_to(user)
        .order_by()
        .values_list("category", "management_mode")
        .annotate(n=Count("id"))
    }
    modes = list(ManagementMode)
    chart = Chart(
        "estates",
        "小区类别与管理模式",
        "stacked",
        [m.label for m in modes],
        unit="个",
        axis_label="小区数",
        category_links=[_url("communities:estate_list", management_mode=m.value) for m in modes],
        empty_text="您的管辖范围内还没有登记小区。",
        empty_url=_url("communities:estate_list"),
        empty_action="去小区列表登记或导入小区",
    )
    for category in EstateCategory:
        chart.series.append(
            {
                "name": category.label,
                "data": [counts.get((category.value, m.value), 0) for m in modes],
                "links": [
                    _url("communities:estate_list", category=category.value, management_mode=m.value) for m in modes
                ],
            }
        )
    return chart


def assessment_years(user) -> tuple[list[int], dict]:
    """Years with current results in the scope, and their (year, grade) counts (one query)."""

    counts = {
        (y, g): n
        for y, g, n in EstateResult.objects.visible_to(user)
        .filter(is_current=True)
        .order_by()
        .values_list("year", "grade")
        .annotate(n=Count("estate_id"))
    }
    return sorted({y for y, _ in counts}), counts


def grades_by_year(years: list[int], counts: dict) -> Chart:
    chart = Chart(
        "grade-years",
        "考核等级历年分布",
        "stacked",
        [f"{y}年" for y in years],
        unit="个",
        axis_label="小区数",
        category_links=[_url("assessments:result_list", year=y) for y in years],
        empty_text="还没有考核结果。",
        empty_url=_url("assessments:cycle"),
        empty_action="市房产局在“考核计分”中发起年度计分后显示",
    )
    for grade in GRADE_COLUMNS:
        chart.series.append(
            {
                "name": str(grade),
                "colour": GRADE_COLOURS[str(grade)],
                "data": [counts.get((y, str(grade)), 0) for y in years],
                "links": [_url("assessments:result_list", year=y, grade=str(grade)) for y in years],
            }
        )
    return chart


def grades_by_unit(user, year: int | None, scope_field: str, unit_label: str, units: list[Unit]) -> Chart:
    counts = {}
    if year is not None:
        counts = {
            (u, g): n
            for u, g, n in EstateResult.objects.visible_to(user)
            .filter(year=year, is_current=True)
            .order_by()
            .values_list(scope_field, "grade")
            .annotate(n=Count("estate_id"))
        }
    title = f"{year}年度考核等级分布（按{unit_label}）" if year else f"考核等级分布（按{unit_label}）"
    chart = Chart(
        "grade-units",
        title,
        "stacked",
        [u.name for u in units],
        unit="个",
        axis_label="小区数",
        category_links=[
            _url("assessments:result_list", year=year, **_unit_params(user, scope_field, u, "assessments"))
            for u in units
        ],
        empty_text="该年度还没有考核结果。",
        empty_url=_url("assessments:cycle"),
        empty_action="查看考核计分",
    )
    for grade in GRADE_COLUMNS:
        chart.series.append(
            {
                "name": str(grade),
                "colour": GRADE_COLOURS[str(grade)],
                "data": [counts.get((u.pk, str(grade)), 0) for u in units],
                "links": [
                    _url(
                        "assessments:result_list",
                        year=year,
                        grade=str(grade),
                        **_unit_params(user, scope_field, u, "assessments"),
                    )
                    for u in units
                ],
            }
        )
    return chart


def case_charts(user, case_year: int, scope_field: str, unit_label: str, units: list[Unit]) -> tuple[list[Chart], dict]:
    """On-time rates of the year's disputes and repairs, and the cases open past their limit
    now, per unit (disputes/stats.py: the live definitions)."""

    now = timezone.now()
    start, end = year_bounds(case_year)
    in_year = {"requested_datetime__gte": start, "requested_datetime__lt": end}
    disputes = DisputeCase.objects.visible_to(user)
    repairs = RepairRequest.objects.visible_to(user)
    d_rates = stats.rates_by(disputes.filter(**in_year), scope_field, now)
    r_rates = stats.rates_by(repairs.filter(**in_year), scope_field, now)
    d_over = stats.overdue_counts_by(disputes, scope_field, now)
    r_over = stats.overdue_counts_by(repairs, scope_field, now)

    def params(u):
        return _unit_params(user, scope_field, u, "disputes")

    names = [u.name for u in units]
    rates = Chart(
        "on-time",
        f"{case_year}年受理案件按时办结率（按{unit_label}）",
        "bar",
        names,
        unit="%",
        axis_label="按时率(%)",
        note="按时率 = 按时办结 ÷（已办结 + 未办结但已超期）；未到期的在办案件不计入。",
        empty_text=f"{case_year}年还没有受理矛盾纠纷或应急维修。",
        empty_url=_url("disputes:home"),
        empty_action="到“两站一中心”登记案件",
    )
    rates.series = [
        {
            "name": "矛盾纠纷按时办结率",
            "data": [d_rates.get(u.pk, stats.Rates()).on_time_rate for u in units],
            "links": [_url("disputes:dispute_list", year=case_year, **params(u)) for u in units],
        },
        {
            "name": "应急维修按时完成率",
            "data": [r_rates.get(u.pk, stats.Rates()).on_time_rate for u in units],
            "links": [_url("disputes:repair_list", year=case_year, **params(u)) for u in units],
        },
    ]
    overdue = Chart(
        "overdue",
        f"逾期未办结案件（按{unit_label}，截至今日）",
        "bar",
        names,
        unit="件",
        axis_label="件数",
        category_links=[_url("disputes:overdue_list", kind="repairs", **params(u)) for u in units],
        empty_text="目前没有逾期未办结的案件。",
        empty_url=_url("disputes:overdue_list"),
        empty_action="查看逾期清单",
    )
    overdue.series = [
        {
            "name": "逾期矛盾纠纷",
            "colour": "#cf222e",
            "data": [d_over.get(u.pk, 0) for u in units],
            "links": [_url("disputes:overdue_list", kind="disputes", **params(u)) for u in units],
        },
        {
            "name": "逾期应急维修",
            "colour": "#bc4c00",
            "data": [r_over.get(u.pk, 0) for u in units],
            "links": [_url("disputes:overdue_list", kind="repairs", **params(u)) for u in units],
        },
    ]
    totals = {
        "dispute_overdue": sum(d_over.values()),
        "repair_overdue": sum(r_over.values()),
        "dispute_rate": stats.Rates.sum(d_rates.values()).on_time_rate,
        "repair_rate": stats.Rates.sum(r_rates.values()).on_time_rate,
    }
    return [rates, overdue], totals


SATISFACTION_YEARS = 3  # the current calendar year and the two before it


def satisfaction_years(case_year: int, year: int | None) -> list[int]:
    """The years of the satisfaction panel: the last SATISFACTION_YEARS calendar years, and the
    chosen assessment year when it lies before them (its 效能效果 may weigh satisfaction)."""
    years = set(range(case_year - SATISFACTION_YEARS + 1, case_year + 1))
    if year is not None:
        years.add(year)
    return sorted(years)


def satisfaction_by_unit(user, years: list[int], scope_field: str, unit_label: str, units: list[Unit]) -> Chart:
    """满意率 of rated cases (disputes received and repairs reported in each year, rated by the
    resident or a call-back) per unit and year: `disputes.stats.satisfaction_by`, the one
    definition the 两站一中心 page and the assessment's satisfaction indicator use, over the
    cases `visible_to(user)`. Two grouped queries a year, whatever the number of units."""

    disputes = DisputeCase.objects.visible_to(user)
    repairs = RepairRequest.objects.visible_to(user)
    found = {}
    for y in years:
        start, end = year_bounds(y)
        in_year = {"requested_datetime__gte": start, "requested_datetime__lt": end}
        found[y] = stats.satisfaction_by([disputes.filter(**in_year), repairs.filter(**in_year)], scope_field)
    totals = {y: stats.Satisfaction.sum(found[y].values()) for y in years}
    scope = {"city": "全市", "district": "全区", "street": "全街道"}.get(user.scope_level, "合计")
    summary = "；".join(
        f"{y}年 {totals[y].rate}%（{totals[y].rated:,}件）" if totals[y].rated else f"{y}年 —" for y in years
    )
    chart = Chart(
        "satisfaction",
        f"居民满意率（已评价案件，按{unit_label}）",
        "bar",
        [u.name for u in units],
        unit="%",
        axis_label="满意率(%)",
        category_links=[_url("disputes:home", year=years[-1]) for _ in units],
        note=f"满意率 =（满意 + 基本满意）÷ 已评价案件（居民评价或回访登记；未评价的不计），按受理年度。{scope}：{summary}。",
        empty_text="还没有居民评价或回访登记满意度的案件。",
        empty_url=_url("disputes:home"),
        empty_action="查看两站一中心",
    )

    def text(s: stats.Satisfaction | None) -> str:
        return f"{s.rate}%（{s.rated:,}件）" if s and s.rated else "—"

    chart.series = [
        {
            "name": f"{y}年",
            "data": [found[y][u.pk].rate if u.pk in found[y] else None for u in units],
            "texts": [text(found[y].get(u.pk)) for u in units],
            "links": [_url("disputes:home", year=y) for _ in units],
        }
        for y in years
    ]
    return chart


def subsidies_by_district(user, year: int | None) -> Chart | None:
    """扶持资金 per district with the city's and the district's shares (issue 4's sheets), for
    the city and district levels (street roles see no sheet). The year shown is the chosen one
    if the user sees sheets of it, else the latest the user sees (a finance role sees approved
    sheets only). One query: the sheets are few (districts × years × versions)."""

    if user.scope_level not in ("city", "district"):
        return None
    sheets = list(
        AllocationSheet.objects.visible_to(user)
        .order_by("district_id", "version")
        .values_list(
            "pk",
            "year",
            "district_id",
            "kind",
            "status",
            "city_fen",
            "district_fen",
            "city_pay_fen",
            "city_recover_fen",
            "district_pay_fen",
            "district_recover_fen",
        )
    )
    years = sorted({row[1] for row in sheets})
    shown = year if year in years else (years[-1] if years else year)
    districts = list(District.objects.order_by("code")) if user.scope_level == "city" else [user.district]
    city: dict[int, int] = {}
    district: dict[int, int] = {}
    first_sheet: dict[int, int] = {}
    status: dict[int, str] = {}
    for pk, y, d, kind, st, c_fen, d_fen, c_pay, c_rec, d_pay, d_rec in sheets:
        if y != shown:
            continue
        if kind == SheetKind.ORIGINAL:
            city[d], district[d] = city.get(d, 0) + c_fen, district.get(d, 0) + d_fen
            first_sheet.setdefault(d, pk)
        else:  # an adjustment: what is paid more, less what is recovered
            city[d] = city.get(d, 0) + c_pay - c_rec
            district[d] = district.get(d, 0) + d_pay - d_rec
        status[d] = SheetStatus(st).label
    total_city, total_district = sum(city.values()), sum(district.values())
    total = total_city + total_district
    note = ""
    if total:
        share = (Decimal(100) * total_city / total).quantize(Decimal("0.1"))
        note = (
            f"合计 {format_yuan(total, unit=True)}：市级承担 {format_yuan(total_city, unit=True)}（{share}%），"
            f"区级承担 {format_yuan(total_district, unit=True)}（{Decimal(100) - share}%）。"
        )
    chart = Chart(
        "subsidies",
        f"{shown}年度扶持资金（按区，市级与区级承担）" if shown else "扶持资金（按区）",
        "stacked",
        [f"{d.name}（{status[d.pk]}）" if d.pk in status else d.name for d in districts],
        unit="元",
        axis_label="金额(元)",
        category_links=[_url("subsidies:index", year=shown) for _ in districts],
        note=note,
        empty_text="还没有可查看的扶持资金分配表。",
        empty_url=_url("subsidies:index"),
        empty_action="查看扶持资金",
    )
    for name, amounts in (("市级承担", city), ("区级承担", district)):
        chart.series.append(
            {
                "name": name,
                "data": [fen_to_yuan(amounts.get(d.pk, 0)) for d in districts],
                "texts": [format_yuan(amounts.get(d.pk, 0), unit=True) for d in districts],
                "links": [
                    reverse("subsidies:sheet_detail", args=[first_sheet[d.pk]]) if d.pk in first_sheet else ""
                    for d in districts
                ],
            }
        )
    return chart


def staffing_and_coverage(user, scope_field: str, unit_label: str, units: list[Unit]) -> Chart:
    """人员配备达标率 (issue 6's compliance report: the units at and below each unit that meet
    their norm) and 物业管理覆盖率 (estates without a coverage gap of clause 八 ÷ estates)."""

    report = compliance_report(user, with_communities=True)
    met: dict[int, list[int]] = {}
    unit_of_row = {
        "district_id": lambda r: r.district.pk,
        "street_id": lambda r: r.street.pk if r.street else None,
        "community_id": lambda r: r.unit.pk if r.level == "community" else None,
    }.get(scope_field)
    if unit_of_row:
        for row in report.rows:
            key = unit_of_row(row)
            if key is None:
                continue
            tally = met.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += 1 if row.meets_norm else 0
    covered: dict[int, list[int]] = {}
    for unit_id, category, mode, n in (
        Estate.objects.visible_to(user)
        .order_by()
        .values_list("id" if scope_field == "estate_id" else scope_field, "category", "management_mode")
        .annotate(n=Count("id"))
    ):
        tally = covered.setdefault(unit_id, [0, 0])
        tally[0] += n
        tally[1] += 0 if GAPS & set(mode_rules(category, mode)) else n

    def pct(tally):
        return (Decimal(100) * tally[1] / tally[0]).quantize(Decimal("0.1")) if tally and tally[0] else None

    def params(u):
        if scope_field in ("district_id", "street_id"):
            return {scope_field.removesuffix("_id"): u.code}
        return {"street": user.street.code, "communities": "1"} if user.street_id else {}

    chart = Chart(
        "staffing",
        f"人员配备达标率与物业管理覆盖率（按{unit_label}）",
        "bar",
        [u.name for u in units],
        unit="%",
        axis_label="比例(%)",
        note="达标率：本级及下级单位中专职人员达到配备标准的单位所占比例；覆盖率：没有“未全覆盖/无基本服务保障”问题的小区所占比例。",
        empty_text="还没有人员配备或小区登记数据。",
        empty_url=_url("staffing:compliance"),
        empty_action="查看人员配备达标情况",
    )
    chart.series = [
        {
            "name": "人员配备达标率",
            "data": [pct(met.get(u.pk)) for u in units],
            "links": [_url("staffing:compliance", **params(u)) for u in units],
        },
        {
            "name": "物业管理覆盖率",
            "data": [pct(covered.get(u.pk)) for u in units],
            "links": [_url("staffing:coverage", **params(u)) for u in units],
        },
    ]
    return chart


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def cached_dashboard(user, params, *, large: bool) -> dict:
    """The dashboard; for a scope too large to count on every visit (the registry summary's
    threshold: a city of 220,000 estates) it is kept for SUMMARY_CACHE_SECONDS, like the
    summary above it, which then says when it was counted. Keyed by scope, role (a finance role
    sees approved sheets only) and year."""
    if not large:
        return dashboard(user, params)

    year = _int(params.get("year"), "")
    unit = {"city": "all", "district": user.district_id, "street": user.street_id}.get(
        user.scope_level, f"user{user.pk}"
    )
    key = f"dashboard:{user.scope_level}:{unit}:{user.role}:{year}"
    cached = cache.get(key)
    if cached is None:
        cached = dashboard(user, params)
        cache.set(key, cached, SUMMARY_CACHE_SECONDS)
    return cached


def dashboard(user, params) -> dict:
    """The home page's panels for `user`; `params` is request.GET (`year`: the assessment year)."""
    scope_field, unit_label, units = units_for(user)
    years, year_counts = assessment_years(user)
    year = _int(params.get("year"))
    if year not in years:
        year = years[-1] if years else None
    case_year = timezone.localdate().year
    case_panels, case_totals = case_charts(user, case_year, scope_field, unit_label, units)
    charts = [
        estates_by_category_and_mode(user),
        grades_by_unit(user, year, scope_field, unit_label, units),
        grades_by_year(years, year_counts),
        *case_panels,
        satisfaction_by_unit(user, satisfaction_years(case_year, year), scope_field, unit_label, units),
        subsidies_by_district(user, year),
        staffing_and_coverage(user, scope_field, unit_label, units),
    ]
    charts = [c for c in charts if c is not None]
    assessed = sum(n for (y, g), n in year_counts.items() if y == year and g != "未参加考核")
    return {
        "charts": charts,
        "year": year,
        "years": years,
        "case_year": case_year,
        "dash_unit_label": unit_label,
        "assessed": assessed,
        **case_totals,
    }
