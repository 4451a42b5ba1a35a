"""三级考核 (policy-defaults.md §3c): each year the city assesses its districts, each district its
streets, each street its communities, on the unit scheme (UnitScheme, data).

Items for unit U in year Y (each rounded once to 0.01 half-up; the total is their sum):
- 老旧小区考核结果: points × U's area-weighted mean score ÷ 100, from the year's current roll-up
  (UnitResult, §3b); 0 if U has no assessed estate;
- 矛盾纠纷处理: points × disputes of U's estates received in Y and mediated successfully by 31 December
  ÷ those received (disputes.effectiveness.case_counts, the definitions the cycle uses); full if none;
- 人员配备: full if U meets its staffing norm on 31 December of Y (staffing.compliance), else points ×
  counted staff ÷ the norm's minimum (at most the points);
- 管理覆盖: points × U's estates without a coverage gap ÷ U's estates (communities.coverage), the
  estates' categories, modes and places as registered on 31 December of Y (their change history,
  communities.coverage.estates_as_of; an estate registered only later as it stood when Y's
  current run was made), not today's registry; full if none;
- 日常工作: entered by the assessor, 0 to its points, one decimal, with a comment.
Ranks: among the units of one sheet (siblings), by total, highest first, ties sharing (1, 1, 3).

Every input is year Y's: the current run's roll-up (recorded on the sheet as `cycle_run`), the
disputes of Y (frozen once Y is closed, core.years), the staff in post on 31 December of Y and the
registry as of that day. So re-computing a closed year's sheet gives the same scores whatever was
changed since. Only a closed year is assessed (its estate results are final). The assessor computes the sheet
(again as often as needed: the entered 日常工作 are kept), enters 日常工作 for every unit and signs
the sheet off; a signed-off sheet never changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.choices import ROLE_LEVEL
from accounts.rules import can
from communities.coverage import end_of_year, estates_as_of, gap_counts
from communities.models import Community, District, Street
from core.history import acting_as
from core.scoping import Level
from disputes.effectiveness import case_counts

from .choices import UnitLevel, YearStatus
from .errors import Refused
from .models import AssessmentYear, CycleRun, UnitResult
from .scoring import round_score
from .unit_models import UnitScheme, UnitScore, UnitSheet

ACTION = {
    UnitLevel.DISTRICT: "unit_assessment_district",
    UnitLevel.STREET: "unit_assessment_street",
    UnitLevel.COMMUNITY: "unit_assessment_community",
}
PARENT = {UnitLevel.STREET: District, UnitLevel.COMMUNITY: Street}
ITEMS = (
    ("estate_score", "老旧小区考核结果", "estate_points"),
    ("dispute_score", "矛盾纠纷处理", "dispute_points"),
    ("staffing_score", "人员配备", "staffing_points"),
    ("coverage_score", "管理覆盖", "coverage_points"),
    ("daily_score", "日常工作", "daily_points"),
)


# --- who assesses what -------------------------------------------------------------------------------
def parse_key(key: str):
    """ "district" | "street-<district id>" | "community-<street id>" → (level, parent) or None."""
    if key == "district":
        return UnitLevel.DISTRICT, None
    level, _, pk = key.partition("-")
    if level in PARENT and pk.isdigit():
        parent = PARENT[level].objects.filter(pk=int(pk)).first()
        if parent is not None:
            return level, parent
    return None


def key_of(level: str, parent) -> str:
    return UnitSheet.key_for(level, getattr(parent, "pk", None))


def sheet_visible(user, level: str, parent) -> bool:
    """The city reads every sheet; a district its sheet of streets and its streets' sheets of
    communities; a street its sheet of communities."""
    role_level = ROLE_LEVEL.get(getattr(user, "role", None))
    if role_level == Level.CITY:
        return True
    if level == UnitLevel.DISTRICT:
        return False
    if role_level == Level.DISTRICT:
        district_id = parent.pk if level == UnitLevel.STREET else parent.district_id
        return district_id == user.district_id
    if role_level == Level.STREET:
        return level == UnitLevel.COMMUNITY and parent.pk == user.street_id
    return False


def may_assess(user, level: str, parent) -> bool:
    if not can(user, ACTION[level]):
        return False
    role_level = ROLE_LEVEL.get(user.role)
    if level == UnitLevel.DISTRICT:
        return role_level == Level.CITY
    if level == UnitLevel.STREET:
        return role_level == Level.DISTRICT and parent.pk == user.district_id
    return role_level == Level.STREET and parent.pk == user.street_id


def own_sheet(user) -> tuple[str, object] | None:
    """The sheet this user fills in, if any."""
    role_level = ROLE_LEVEL.get(getattr(user, "role", None))
    if role_level == Level.CITY and can(user, ACTION[UnitLevel.DISTRICT]):
        return UnitLevel.DISTRICT, None
    if role_level == Level.DISTRICT and can(user, ACTION[UnitLevel.STREET]) and user.district_id:
        return UnitLevel.STREET, user.district
    if role_level == Level.STREET and can(user, ACTION[UnitLevel.COMMUNITY]) and user.street_id:
        return UnitLevel.COMMUNITY, user.street
    return None


def units_of(level: str, parent):
    if level == UnitLevel.DISTRICT:
        return District.objects.order_by("code")
    if level == UnitLevel.STREET:
        return Street.objects.filter(district=parent).order_by("code")
    return Community.objects.filter(street=parent).order_by("name")


# --- computing ------------------------------------------------------------------------------------------
def _closed(year: int) -> AssessmentYear:
    row = AssessmentYear.objects.filter(year=year).first()
    if row is None or row.status != YearStatus.CLOSED:
        raise Refused(f"{year}年度考核尚未关闭，关闭后才能进行单位考核。")
    return row


def item(points: Decimal, part, whole) -> Decimal:
    """points × part ÷ whole, rounded once to 0.01 half-up; full points when whole is 0."""
    if not whole:
        return round_score(Fraction(points))
    return round_score(Fraction(points) * Fraction(part) / Fraction(whole))


def ranks(rows: list[UnitScore]) -> None:
    ordered = sorted(rows, key=lambda r: r.total, reverse=True)
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank


# 组织与人员 (staffing's compliance of each unit on 31 December) is staffing's to compute, and
# staffing sits above assessments (its district targets read the unit results): it registers
# its `unit_rows(day, level, units) -> {unit id: row}` here in its AppConfig.ready().
_staffing_rows: Callable[..., dict] | None = None


def register_staffing_rows(rows: Callable[..., dict]) -> None:
    global _staffing_rows
    _staffing_rows = rows


def staffing_rows() -> Callable[..., dict]:
    if _staffing_rows is None:
        raise ImproperlyConfigured("单位考核的组织与人员得分未注册：INSTALLED_APPS 须包含 staffing。")
    return _staffing_rows


def total_of(row: UnitScore) -> Decimal:
    return (
        row.estate_score
        + row.dispute_score
        + row.staffing_score
        + row.coverage_score
        + (row.daily_score or Decimal("0"))
    )


def compute_sheet(year: int, level: str, parent, *, by) -> UnitSheet:
    """Fill the computed items of every unit of the sheet; keep 日常工作 already entered."""
    unit_rows = staffing_rows()
    closed_at = _closed(year).closed_at
    run = CycleRun.objects.filter(year=year, is_current=True).first()
    # The run fixed the year's estates: one the registry learnt of after 31 December Y stands as
    # recorded when that run was made, one registered after it is not part of Y.
    known_by = (run.finished_at if run is not None else None) or closed_at
    scheme = UnitScheme.for_year(year)
    if scheme is None:
        raise Refused(f"没有适用于{year}年度的单位考核方案。")
    # a unit set up after the year's run (a new community) was no unit of that year
    units = [u for u in units_of(level, parent) if known_by is None or u.created_at <= known_by]
    key = UnitSheet.key_for(level, getattr(parent, "pk", None))
    with transaction.atomic(), acting_as(by):
        sheet, _ = UnitSheet.objects.select_for_update().get_or_create(
            year=year,
            sheet_key=key,
            defaults={
                "level": level,
                "scheme": scheme,
                "district": parent
                if level == UnitLevel.STREET
                else (parent.district if level == UnitLevel.COMMUNITY else None),
                "street": parent if level == UnitLevel.COMMUNITY else None,
            },
        )
        if sheet.is_signed_off:
            raise Refused("考核表已签批，不能重新计算。")
        kept = {(s.district_id, s.street_id, s.community_id): s for s in sheet.scores.all()}
        means = dict(
            UnitResult.objects.filter(year=year, is_current=True, level=level).values_list(f"{level}_id", "mean_score")
        )
        unit_ids = {u.pk for u in units}
        received: dict = defaultdict(int)
        resolved: dict = defaultdict(int)
        # the estates' places on 31 December of Y: a later move of an estate moves none of Y's cases
        registry = estates_as_of(end_of_year(year), known_by=known_by)
        estate_units = dict(registry.filter(**{f"{level}_id__in": unit_ids}).values_list("id", f"{level}_id"))
        for estate_id, counts in case_counts(year).items():
            unit_id = estate_units.get(estate_id)
            if unit_id is not None:
                received[unit_id] += counts.disputes_received
                resolved[unit_id] += counts.disputes_resolved
        staffing = unit_rows(dt.date(year, 12, 31), level, units)
        coverage = gap_counts(end_of_year(year), known_by=known_by)
        rows = []
        for unit in units:
            ids = {
                "district_id": unit.pk if level == UnitLevel.DISTRICT else unit.district_id,
                "street_id": unit.pk if level == UnitLevel.STREET else getattr(unit, "street_id", None),
                "community_id": unit.pk if level == UnitLevel.COMMUNITY else None,
            }
            row = kept.pop((ids["district_id"], ids["street_id"], ids["community_id"]), None) or UnitScore(
                sheet=sheet, year=year, level=level, **ids
            )
            mean = means.get(unit.pk)
            row.mean_score = mean
            row.estate_score = (
                round_score(Fraction(scheme.estate_points) * Fraction(mean) / 100)
                if mean is not None
                else Decimal("0.00")
            )
            row.disputes_received, row.disputes_resolved = received[unit.pk], resolved[unit.pk]
            row.dispute_score = item(scheme.dispute_points, row.disputes_resolved, row.disputes_received)
            staff = staffing[unit.pk]
            row.staff_counted, row.staff_minimum = staff.counted, staff.minimum
            row.staffing_score = (
                round_score(Fraction(scheme.staffing_points))
                if staff.meets_norm
                else item(scheme.staffing_points, staff.counted, staff.minimum)
            )
            estates, gaps = coverage.get((level, unit.pk), (0, 0))
            row.estates, row.estates_covered = estates, estates - gaps
            row.coverage_score = item(scheme.coverage_points, row.estates_covered, estates)
            row.total = total_of(row)
            rows.append(row)
        ranks(rows)
        for stale in kept.values():
            stale.delete()
        for row in rows:
            row.save()
        sheet.scheme, sheet.computed_at = scheme, timezone.now()
        sheet.cycle_run = run
        sheet.save()
    return sheet


def compute_year(year: int, *, by) -> tuple[int, int]:
    """Every sheet of the year with units to assess: the city's, each district's, each street's
    (the command). Signed-off sheets are left alone. Returns (computed, signed off and kept)."""
    done = kept = 0
    plan = (
        [(UnitLevel.DISTRICT, None)]
        + [(UnitLevel.STREET, d) for d in District.objects.order_by("code")]
        + [(UnitLevel.COMMUNITY, s) for s in Street.objects.order_by("code")]
    )
    for level, parent in plan:
        if not units_of(level, parent).exists():
            continue
        if UnitSheet.objects.filter(year=year, sheet_key=key_of(level, parent), signed_off_at__isnull=False).exists():
            kept += 1
            continue
        compute_sheet(year, level, parent, by=by)
        done += 1
    return done, kept


# --- the assessor's part -----------------------------------------------------------------------------------
def parse_daily(value, points: Decimal) -> Decimal:
    message = f"日常工作得分须为0至{points.normalize():f}之间的数，最多一位小数。"
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Refused(message, {"daily_score": [message]}) from None
    if not score.is_finite() or score < 0 or score > points or score != score.quantize(Decimal("0.1")):
        raise Refused(message, {"daily_score": [message]})
    return score.quantize(Decimal("0.1"))


def enter_daily(score: UnitScore, value, comment: str, *, by) -> UnitScore:
    sheet = score.sheet
    parent = sheet.street if sheet.level == UnitLevel.COMMUNITY else sheet.district
    if not may_assess(by, sheet.level, parent):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("您没有执行此操作的权限。")
    daily = parse_daily(value, sheet.scheme.daily_points)
    comment = (comment or "").strip()
    if not comment:
        raise Refused("请填写日常工作评价。", {"daily_comment": ["请填写日常工作评价。"]})
    with transaction.atomic(), acting_as(by):
        sheet = UnitSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.is_signed_off:
            raise Refused("考核表已签批，不能修改。")
        score = UnitScore.objects.get(pk=score.pk)
        score.daily_score, score.daily_comment, score.daily_by = daily, comment[:2000], by
        score.total = total_of(score)
        score.save()
        rows = list(sheet.scores.all())
        ranks(rows)
        for row in rows:
            UnitScore.objects.filter(pk=row.pk).update(rank=row.rank)
    return score


def sign_off(sheet: UnitSheet, *, by) -> UnitSheet:
    parent = sheet.street if sheet.level == UnitLevel.COMMUNITY else sheet.district
    if not may_assess(by, sheet.level, parent):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("您没有执行此操作的权限。")
    with transaction.atomic(), acting_as(by):
        sheet = UnitSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.is_signed_off:
            raise Refused("考核表已签批。")
        missing = sheet.scores.filter(daily_score__isnull=True).count()
        if missing:
            raise Refused(f"还有{missing}个单位未录入日常工作，不能签批。")
        sheet.signed_off_by, sheet.signed_off_at = by, timezone.now()
        sheet.save()
    return sheet


def closed_years() -> list[int]:
    return list(
        AssessmentYear.objects.filter(status=YearStatus.CLOSED).order_by("-year").values_list("year", flat=True)
    )
