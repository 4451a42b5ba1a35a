"""Domain operations of the assessment (考核). Each takes the acting user (`by=`), checks the rule,
runs in one transaction and raises `Refused` with a Chinese message when it cannot be done
(nothing written). Views, the API, importers, commands and tasks call these.

Validation lives here once: `InspectionChecker` and `check_fee_rate` are used by the forms, the
API and the importers alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import can
from communities.models import Estate
from core.locking import EditConflict, check_version, seen_version
from core.models import ACTIVE_JOB_STATUSES, JobStatus
from core.validation import date_error
from core.years import message as closed_year_message

from . import refinements
from .choices import AppealStatus, InspectionSource, InspectionStatus, YearStatus
from .cycle import start_run
from .errors import Refused
from .models import (
    Appeal,
    AssessmentYear,
    ChecklistItem,
    CycleRun,
    EstateResult,
    FeeRate,
    GradeBand,
    Inspection,
    Notice,
    Scheme,
    SchemeBand,
    YearEvent,
)
from .third_party import deviation_reviews_count, evaluator_refusal  # noqa: F401 - the 工作台's 待复核偏差

TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def _require(by, action):
    if not can(by, action):
        raise Refused("您没有执行此操作的权限。")


# --- the year's state and what it freezes ---------------------------------------------------
def closed_years_among(years: set[int]) -> set[int]:
    """Which of `years` are closed: registered with core.years (the lower apps ask there)."""
    return set(AssessmentYear.objects.filter(year__in=years, status=YearStatus.CLOSED).values_list("year", flat=True))


def year_status(year: int) -> str:
    row = AssessmentYear.objects.filter(year=year).values_list("status", flat=True).first()
    return row or YearStatus.OPEN


class InputGate:
    """Whether an estate's inputs (inspections, fee rates) of a year may change: freely while
    the year is open; during 公示 only for an estate whose appeal was upheld (its inputs are
    being corrected); never once the year is closed. Loaded in bulk for importers."""

    def __init__(self):
        self._status: dict[int, str] = {}
        self._upheld: dict[int, set] = {}

    def status(self, year: int) -> str:
        if year not in self._status:
            self._status[year] = year_status(year)
        return self._status[year]

    def refusal(self, estate_id: int, year: int) -> str | None:
        status = self.status(year)
        if status == YearStatus.CLOSED:
            return closed_year_message(year)
        if status == YearStatus.PUBLISHED:
            if year not in self._upheld:
                self._upheld[year] = set(
                    Appeal.objects.filter(year=year, status=AppealStatus.UPHELD).values_list("estate_id", flat=True)
                )
            if estate_id not in self._upheld[year]:
                return f"{year}年度考核结果正在公示，只有申诉获支持的小区可以更正数据。"
        return None


# --- inspections ---------------------------------------------------------------------------
def parse_score(raw) -> Decimal | None:
    """A score as typed or read: None when empty; a Decimal otherwise (ValueError when not a number)."""
    if raw is None:
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("不是有效的数字") from None
    if not value.is_finite():
        raise ValueError("不是有效的数字")
    return value


def allowed_sources(user) -> list[str]:
    """Which kinds of inspection a user enters: a street its daily checks, a district its spot
    checks, an evaluator third-party evaluations; the city (and the system account) any."""
    return {
        Role.STREET_CLERK: [InspectionSource.STREET],
        Role.DISTRICT_STAFF: [InspectionSource.DISTRICT],
        Role.EVALUATOR: [InspectionSource.THIRD_PARTY],
    }.get(getattr(user, "role", ""), [s.value for s in InspectionSource])


def scheme_item_names(scheme) -> dict[str, str]:
    """Every checklist item (检查项目) of a scheme, all categories together: code → name, in
    checklist order (position, then category). The item columns of the entry form, the import
    and the exports are these, so a scheme version that adds an item adds a column."""
    names: dict[str, str] = {}
    if scheme is None:
        return names
    for code, name in (
        ChecklistItem.objects.filter(scheme=scheme).order_by("position", "category", "id").values_list("code", "name")
    ):
        names.setdefault(code, name)
    return names


def item_names_for_year(year: int) -> dict[str, str]:
    """The items of the scheme in force for `year` (empty when no scheme covers it)."""
    return scheme_item_names(Scheme.objects.for_year(year))


def item_name(code: str) -> str:
    """An item's name in the newest scheme that has it; the code itself when none does."""
    return (
        ChecklistItem.objects.filter(code=code).order_by("-scheme__version").values_list("name", flat=True).first()
        or code
    )


class InspectionChecker:
    """Validates inspections against the checklist of the scheme in force for their year
    (policy-defaults.md §1): every item of the estate's category required, 0 to its maximum,
    at most one decimal; items outside the checklist (设施 of an unrenovated estate, an item
    that only a later scheme has) empty."""

    def __init__(self, user):
        self.user = user
        self.gate = InputGate()
        self._checklists: dict = {}
        self._item_names: dict = {}
        self._refined: dict = {}
        self._refinements: dict = {}
        self.today = timezone.localdate()

    def checklist(self, year: int, category: str, district_id=None) -> list | None:
        """(code, name, max) of the year's checklist for the category; with `district_id`, as
        entered in that district: an item its refinement (细化分解) breaks down is replaced
        by its sub-items."""
        key = (year, category)
        if key not in self._checklists:
            scheme = Scheme.objects.for_year(year)
            self._checklists[key] = (
                None
                if scheme is None
                else list(
                    ChecklistItem.objects.filter(scheme=scheme, category=category)
                    .order_by("position")
                    .values_list("code", "name", "max_points")
                )
            )
        if district_id is None or self._checklists[key] is None:
            return self._checklists[key]
        return self.refined(year, category, district_id).entries

    def refined(self, year: int, category: str, district_id) -> refinements.RefinedChecklist:
        """The district's view of the checklist (entries, sub-item parents, descriptions), cached."""
        key = (year, category, district_id)
        if key not in self._refined:
            if (year, district_id) not in self._refinements:
                self._refinements[(year, district_id)] = refinements.in_force(district_id, year)
            self._refined[key] = refinements.refine(
                self.checklist(year, category) or [], self._refinements[(year, district_id)], category
            )
        return self._refined[key]

    def item_names(self, year: int) -> dict[str, str]:
        """code → name of every item of the year's scheme (all categories), cached."""
        if year not in self._item_names:
            self._item_names[year] = item_names_for_year(year)
        return self._item_names[year]

    def check(
        self,
        estate,
        date,
        raw_scores: dict,
        source: str | None = None,
        item_names: dict | None = None,
        complete: bool = True,
    ):
        """→ (scores {code: "14.5"}, total_tenths, errors {field: message}). `raw_scores` maps
        item code → raw value; `item_names` maps code → the field's name in errors (default: code).
        `complete=False` (a draft, 草稿) lets items stay empty; what is typed is still checked."""
        errors: dict[str, str] = {}
        names = item_names or {}
        if date is None:
            errors["date"] = "请填写检查日期。"
        elif message := date_error(date, fact=True):
            errors["date"] = message
        if source is not None and source not in allowed_sources(self.user):
            errors["source"] = "您不能录入该类型的检查。"
        if estate is None or date is None or "date" in errors:
            return {}, 0, errors
        refusal = self.gate.refusal(estate.id, date.year)
        if refusal is None and getattr(self.user, "role", "") == Role.EVALUATOR:
            # A third party evaluates its engagements' estates within their period (clause 十).
            refusal = evaluator_refusal(self.user, estate.id, date)
        if refusal:
            errors["date"] = refusal
            return {}, 0, errors
        if self.checklist(date.year, estate.category) is None:
            errors["date"] = f"没有适用于{date.year}年度的考核方案。"
            return {}, 0, errors
        refined = self.refined(date.year, estate.category, estate.district_id)
        checklist = refined.entries
        codes = {code for code, _, _ in checklist}
        scores, total = {}, 0
        for code, name, max_points in checklist:
            try:
                value = parse_score(raw_scores.get(code))
            except ValueError:
                errors[names.get(code, code)] = f"{name}得分不是有效的数字。"
                continue
            if value is None:
                if complete:
                    errors[names.get(code, code)] = f"请填写{name}得分（满分{_fmt(max_points)}分）。"
            elif value < 0:
                errors[names.get(code, code)] = f"{name}得分不能小于0。"
            elif value > max_points:
                errors[names.get(code, code)] = f"{name}得分不能超过满分{_fmt(max_points)}分。"
            elif value != value.quantize(TENTH):
                errors[names.get(code, code)] = f"{name}得分最多保留一位小数。"
            else:
                scores[code] = str(value.quantize(TENTH))
                total += int(value.quantize(TENTH) * 10)
        # A refined item's score is the sum of its sub-items (exact: each has one decimal), so
        # totals, grades and subsidies come out as they would from the item scores alone.
        subs_of: dict[str, list[str]] = {}
        for sub, item in refined.parents.items():
            subs_of.setdefault(item, []).append(sub)
        for item, subs in subs_of.items():
            if all(sub in scores for sub in subs):
                scores[item] = str(sum((Decimal(scores[sub]) for sub in subs), Decimal(0)).quantize(TENTH))
        for code, raw in raw_scores.items():
            if code in codes:
                continue
            try:
                empty = parse_score(raw) is None
            except ValueError:
                empty = False
            if not empty:
                label = estate.get_category_display()
                name = self.item_names(date.year).get(code) or item_name(code)
                if code in subs_of:
                    errors[names.get(code, code)] = (
                        f"{estate.district.name}已将“{name}”细化为子项，请填写各子项得分，“{name}”本身留空。"
                    )
                elif "." in code:
                    # A sub-item code (item.n) of a refinement this estate's district does not use.
                    errors[names.get(code, code)] = (
                        f"{estate.district.name}{date.year}年度的{label}检查表没有细化子项“{code}”，请留空。"
                    )
                else:
                    errors[names.get(code, code)] = f"{label}的检查表没有“{name}”项目，请留空。"
        return scores, total, errors


# A draft, a submitted one awaiting review, and a returned one (退回) can be corrected by their
# author; an approved one cannot.
EDITABLE_STATUSES = (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED, InspectionStatus.REJECTED)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _check_version(current: Inspection, seen) -> None:
    try:
        check_version(current, seen)
    except EditConflict as exc:
        raise Refused(exc.message_text) from exc


def writable_estate(user, estate_id) -> Estate:
    estate = Estate.objects.writable_by(user).filter(pk=estate_id).first()
    if estate is None:
        raise Refused("小区编码不存在。")
    return estate


@transaction.atomic
def save_inspection(
    *,
    by,
    estate,
    date,
    scores: dict,
    inspector_name: str,
    source: str | None = None,
    note: str = "",
    submit: bool = True,
    inspection: Inspection | None = None,
) -> Inspection:
    """Create (or, for its author, change) an inspection; `submit` makes it count, otherwise a draft."""
    _require(by, "inspection")
    estate = writable_estate(by, estate.pk)
    source = source or allowed_sources(by)[0]
    if inspection is not None:
        # Lock the row and refuse a save from a page opened before someone else's change
        # (inspection.version is the version the page showed; core.locking).
        seen = seen_version(inspection)
        inspection = Inspection.objects.writable_by(by).select_for_update().filter(pk=inspection.pk).first()
        if inspection is None:
            raise Refused("检查记录不存在。")
        _check_version(inspection, seen)
        if inspection.status not in EDITABLE_STATUSES:
            raise Refused("已审核通过的检查记录不能修改。")
        if inspection.created_by_id != by.pk and not by.is_role(Role.CITY_ADMIN):
            raise Refused("只有录入人可以修改这条检查记录。")
        refusal = InputGate().refusal(inspection.estate_id, inspection.date.year)
        if refusal:
            raise Refused(refusal)
    checker = InspectionChecker(by)
    cleaned, total, errors = checker.check(estate, date, scores, source, complete=submit)
    if not (inspector_name or "").strip():
        errors["inspector_name"] = "请填写检查人。"
    if errors:
        raise Refused("检查记录有误，请按提示修改。", errors)
    target = inspection or Inspection(created_by=by)
    target.estate = estate
    target.date = date
    target.source = source
    target.inspector_name = inspector_name.strip()
    target.note = (note or "").strip()
    target.scores = cleaned
    target.total_tenths = total
    if target.status == InspectionStatus.REJECTED:
        # A returned inspection corrected by its author starts a new round of review; the
        # previous review stays in the change history.
        target.reviewed_by = target.reviewed_at = None
        target.review_note = ""
        target.submitted_at = None
    if submit:
        target.status = InspectionStatus.SUBMITTED
        target.submitted_at = target.submitted_at or timezone.now()
    else:
        target.status = InspectionStatus.DRAFT
    target.save()
    return target


@transaction.atomic
def review_inspection(inspection: Inspection, *, by, approve: bool, reason: str = "") -> Inspection:
    """District review: approve, or reject with a reason. Nobody reviews their own inspection."""
    _require(by, "inspection_review")
    seen = seen_version(inspection)
    inspection = Inspection.objects.writable_by(by).select_for_update().filter(pk=inspection.pk).first()
    if inspection is None:
        raise Refused("检查记录不存在。")
    _check_version(inspection, seen)  # never approve scores other than those the reviewer saw
    if inspection.created_by_id == by.pk:
        raise Refused("不能审核自己录入的检查记录。")
    if inspection.status != InspectionStatus.SUBMITTED:
        raise Refused("只有已提交的检查记录可以审核。")
    refusal = InputGate().refusal(inspection.estate_id, inspection.year)
    if refusal:
        raise Refused(refusal)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Refused("退回必须填写原因。", {"reason": "请填写退回原因。"})
    inspection.status = InspectionStatus.APPROVED if approve else InspectionStatus.REJECTED
    inspection.reviewed_by, inspection.reviewed_at, inspection.review_note = by, timezone.now(), reason
    inspection.save()
    return inspection


# --- fee rates -----------------------------------------------------------------------------
def check_fee_rate(year, rate) -> tuple[int | None, Decimal | None, dict]:
    errors = {}
    this_year = timezone.localdate().year
    try:
        year = int(year)
        if year < 2000 or year > this_year:
            errors["year"] = f"年度须在2000年到{this_year}年之间。"
    except (TypeError, ValueError):
        errors["year"] = "年度格式不正确。"
        year = None
    try:
        value = parse_score(rate)
    except ValueError:
        value = None
        errors["rate"] = "收缴率不是有效的数字。"
    else:
        if value is None:
            errors["rate"] = "请填写收缴率。"
        elif value < 0 or value > 100:
            errors["rate"] = "收缴率须在0到100之间。"
        elif value != value.quantize(CENT):
            errors["rate"] = "收缴率最多保留两位小数。"
    return year, value, errors


@transaction.atomic
def set_fee_rate(*, by, estate, year, rate) -> FeeRate:
    _require(by, "fee_rate")
    estate = writable_estate(by, estate.pk)
    year, value, errors = check_fee_rate(year, rate)
    if not errors:
        refusal = InputGate().refusal(estate.pk, year)
        if refusal:
            errors["year"] = refusal
    if errors:
        raise Refused("收缴率有误，请按提示修改。", errors)
    obj = FeeRate.objects.filter(estate=estate, year=year).first() or FeeRate(estate=estate, year=year)
    obj.rate, obj.updated_by = value.quantize(CENT), by
    obj.save()
    return obj


# --- publication, closing, reopening ----------------------------------------------------------
def _locked_year(year: int) -> AssessmentYear:
    AssessmentYear.objects.get_or_create(year=year)
    return AssessmentYear.objects.select_for_update().get(year=year)


def _no_active_run(year: int):
    if CycleRun.objects.filter(year=year, status__in=ACTIVE_JOB_STATUSES).exists():
        raise Refused(f"{year}年度有计分任务正在进行，请等待其完成。")


@transaction.atomic
def publish_year(year: int, *, by) -> AssessmentYear:
    """公示: the current results go public with the date and the appeal deadline (the
    publication day is day 0; the window ends at 24:00 of day N, Asia/Shanghai)."""
    _require(by, "cycle")
    row = _locked_year(year)
    if row.status != YearStatus.OPEN:
        raise Refused(f"{year}年度当前状态为“{row.get_status_display()}”，不能公示。")
    _no_active_run(year)
    run = CycleRun.objects.filter(year=year, is_current=True).select_related("scheme").first()
    if run is None:
        raise Refused(f"{year}年度还没有考核结果，请先完成计分。")
    now = timezone.now()
    row.status, row.published_at = YearStatus.PUBLISHED, now
    row.appeal_deadline = timezone.localdate(now) + dt.timedelta(days=run.scheme.appeal_window_days)
    row.save()
    YearEvent.objects.create(
        year=row, action="publish", by=by, at=now, reason=f"申诉截止 {row.appeal_deadline:%Y-%m-%d} 24时"
    )
    return row


def close_year_refusal(year: int, row: AssessmentYear | None = None) -> str | None:
    """Why 关闭 would be refused now (None: it may be done). The one rule: close_year checks
    it under the row lock, the year page disables its button with the same words."""
    row = row if row is not None else AssessmentYear.objects.filter(year=year).first()
    if row is None or row.status != YearStatus.PUBLISHED:
        return f"{year}年度须先公示，申诉期满后才能关闭。"
    if row.appeal_window_open():
        return f"申诉期未满：申诉期至{row.appeal_deadline.month}月{row.appeal_deadline.day}日24时截止，期满后才能关闭。"
    if Appeal.objects.filter(year=year, status=AppealStatus.PENDING).exists():
        return "还有待处理的申诉，处理完毕后才能关闭。"
    upheld_open = Appeal.objects.filter(year=year, status=AppealStatus.UPHELD).exclude(
        Exists(CycleRun.objects.filter(appeal=OuterRef("pk"), status=JobStatus.SUCCEEDED))
    )
    if upheld_open.exists():
        return "还有已支持但尚未重新计分的申诉，请先重新计分。"
    if CycleRun.objects.filter(year=year, status__in=ACTIVE_JOB_STATUSES).exists():
        return f"{year}年度有计分任务正在进行，请等待其完成。"
    return None


@transaction.atomic
def close_year(year: int, *, by) -> AssessmentYear:
    """关闭: after the appeal window; freezes the year's inspections, fee rates and results,
    and the scheme its run used."""
    _require(by, "cycle")
    row = _locked_year(year)
    refusal = close_year_refusal(year, row)
    if refusal:
        raise Refused(refusal)
    now = timezone.now()
    row.status, row.closed_at = YearStatus.CLOSED, now
    row.save()
    Scheme.objects.filter(runs__year=year).update(frozen=True)
    YearEvent.objects.create(year=row, action="close", by=by, at=now)
    return row


@transaction.atomic
def reopen_year(year: int, *, by, reason: str) -> AssessmentYear:
    _require(by, "cycle")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("重新开放必须说明原因。", {"reason": "请填写原因。"})
    row = _locked_year(year)
    if row.status != YearStatus.CLOSED:
        raise Refused(f"{year}年度未关闭，无需重新开放。")
    row.status = YearStatus.OPEN
    row.published_at = row.appeal_deadline = row.closed_at = None
    row.save()
    YearEvent.objects.create(year=row, action="reopen", by=by, reason=reason)
    return row


def is_assessment_year(year: int) -> bool:
    """A year the assessment can have: one that a scheme (考核方案) covers, up to this year.
    The year pages answer 404 for any other (an impossible year such as 99999999999 used to
    show "年度考核 进行中")."""
    if year > timezone.localdate().year:
        return False
    return (
        Scheme.objects.filter(valid_from_year__lte=year)
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
        .exists()
        or AssessmentYear.objects.filter(year=year).exists()
    )


# --- appeals -------------------------------------------------------------------------------
@transaction.atomic
def file_appeal(*, by, estate, year: int, reason: str) -> Appeal:
    _require(by, "appeal_file")
    estate = writable_estate(by, estate.pk)
    row = AssessmentYear.objects.filter(year=year).first()
    if row is None or row.status != YearStatus.PUBLISHED:
        raise Refused(f"{year}年度考核结果未在公示期，不能申诉。")
    if not row.appeal_window_open():
        raise Refused(f"申诉期已于{row.appeal_deadline.month}月{row.appeal_deadline.day}日24时截止。")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请填写申诉理由。", {"reason": "请填写申诉理由。"})
    result = EstateResult.objects.filter(estate=estate, year=year, is_current=True).first()
    if result is None:
        raise Refused("该小区没有本年度的考核结果。")
    try:
        with transaction.atomic():
            return Appeal.objects.create(estate=estate, year=year, result=result, reason=reason, filed_by=by)
    except IntegrityError:
        raise Refused("该小区已有待处理的申诉。") from None


@transaction.atomic
def decide_appeal(appeal: Appeal, *, by, uphold: bool, note: str = "") -> Appeal:
    _require(by, "appeal_decide")
    appeal = Appeal.objects.writable_by(by).select_for_update().filter(pk=appeal.pk).first()
    if appeal is None:
        raise Refused("申诉不存在。")
    if appeal.status != AppealStatus.PENDING:
        raise Refused("该申诉已处理。")
    if year_status(appeal.year) == YearStatus.CLOSED:
        raise Refused(f"{appeal.year}年度考核已关闭。")
    note = (note or "").strip()
    if not note:
        raise Refused("请填写处理意见。", {"note": "请填写处理意见。"})
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = by, timezone.now(), note
    appeal.save()
    return appeal


def rescore_appeal(appeal: Appeal, *, by) -> CycleRun:
    """After an upheld appeal's inputs are corrected: a new current run of the year that
    re-scores that estate (and carries every other estate's result over), refreshing the
    roll-ups and — through `cycle_run_finished` — the year's draft allocations."""
    if not (can(by, "appeal_decide") or can(by, "cycle")):
        raise Refused("您没有执行此操作的权限。")
    with transaction.atomic():
        appeal = Appeal.objects.writable_by(by).filter(pk=appeal.pk).first()
        if appeal is None:
            raise Refused("申诉不存在。")
        if appeal.status != AppealStatus.UPHELD:
            raise Refused("只有已支持的申诉可以重新计分。")
        run = start_run(appeal.year, by=by, appeal=appeal)
        YearEvent.objects.create(
            year=AssessmentYear.objects.get(year=appeal.year), action="rescore", by=by, appeal=appeal
        )
    return run


# --- schemes -------------------------------------------------------------------------------
def check_scheme(scheme: Scheme, items: list, bands: list, grades: list) -> dict:
    """The whole scheme as it would be saved: validity without overlap, a checklist for every
    category, indicator maxima (satisfaction included) not negative and adding up to 100, a grade
    band starting at 0."""
    from communities.choices import EstateCategory

    errors = {}
    if scheme.valid_to_year is not None and scheme.valid_to_year < scheme.valid_from_year:
        errors["valid_to_year"] = "截止年度不能早于起始年度。"
    overlapping = Scheme.objects.exclude(pk=scheme.pk).filter(
        Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=scheme.valid_from_year)
    )
    if scheme.valid_to_year is not None:
        overlapping = overlapping.filter(valid_from_year__lte=scheme.valid_to_year)
    other = overlapping.first()
    if other is not None:
        errors["valid_from_year"] = f"适用年度与{other}（{other.validity_label}）重叠。"
    for category in EstateCategory:
        if not any(i["category"] == category for i in items):
            errors.setdefault("items", f"“{category.label}”没有检查项目。")
    fee_max = max((b["points"] for b in bands if b["kind"] == "fee"), default=Decimal(0))
    size_max = max((b["points"] for b in bands if b["kind"] == "size"), default=Decimal(0))
    points = {
        "management_points": scheme.management_points,
        "dispute_points": scheme.dispute_points,
        "repair_points": scheme.repair_points,
        "satisfaction_points": scheme.satisfaction_points,
    }
    for name, value in points.items():
        if value is None or value < 0:
            errors[name] = "分值不能为负数。"
    if not any(name in errors for name in points):
        # 满意度 (optional, 0 in the shipped scheme) is one of the parts: a scheme that weighs it
        # gives its points from the others.
        total = sum(points.values()) + fee_max + size_max
        if total != 100:
            errors["management_points"] = (
                f"各指标满分合计须为100分（管理水平、矛盾纠纷、应急维修、满意度分值与收缴率、规模分档最高分之和），"
                f"现为{_fmt(total)}分。"
            )
    if not grades or min(g["min_score"] for g in grades) != 0:
        errors["grades"] = "等级划分须有一档从0分起。"
    return errors


@transaction.atomic
def update_scheme(
    scheme: Scheme,
    *,
    by,
    fields: dict,
    items: list | None = None,
    bands: list | None = None,
    grades: list | None = None,
) -> Scheme:
    _require(by, "scheme")
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_locked():
        raise Refused("该方案已被已关闭年度的考核使用，已冻结，不能修改；请新建下一版本。")
    for name, value in fields.items():
        setattr(scheme, name, value)
    items = (
        items if items is not None else list(scheme.items.values("category", "code", "name", "max_points", "position"))
    )
    bands = bands if bands is not None else list(scheme.bands.values("kind", "threshold", "points"))
    grades = grades if grades is not None else list(scheme.grade_bands.values("min_score", "grade"))
    errors = check_scheme(scheme, items, bands, grades)
    if errors:
        raise Refused("方案有误，请按提示修改。", errors)
    scheme.save()
    _replace_rows(scheme, items, bands, grades)
    return scheme


def _replace_rows(scheme, items, bands, grades):
    # Row by row so that the change history records each item, band and grade.
    for model, rows, key in (
        (ChecklistItem, items, ("category", "code")),
        (SchemeBand, bands, ("kind", "threshold")),
        (GradeBand, grades, ("grade",)),
    ):
        existing = {tuple(getattr(o, k) for k in key): o for o in model.objects.filter(scheme=scheme)}
        seen = set()
        for row in rows:
            k = tuple(row[k] for k in key)
            seen.add(k)
            obj = existing.get(k) or model(scheme=scheme)
            for name, value in row.items():
                setattr(obj, name, value)
            obj.save()
        for k, obj in existing.items():
            if k not in seen:
                obj.delete()


@transaction.atomic
def new_scheme_version(base: Scheme, *, by, valid_from_year: int, name: str = "", source_document: str = "") -> Scheme:
    """The next version: a copy of `base` valid from `valid_from_year`; the schemes valid
    before end the year before (a frozen one only if no closed year it scored falls after)."""
    _require(by, "scheme")
    from .models import AssessmentYear

    this_year = timezone.localdate().year
    if not (2000 <= int(valid_from_year) <= this_year + 5):
        raise Refused("起始年度不正确。", {"valid_from_year": "起始年度不正确。"})
    if Scheme.objects.filter(valid_from_year__gte=valid_from_year).exists():
        raise Refused("已有从该年度或更晚开始的方案。", {"valid_from_year": "已有从该年度或更晚开始的方案。"})
    closed = set(AssessmentYear.objects.filter(status=YearStatus.CLOSED).values_list("year", flat=True))
    for prev in Scheme.objects.select_for_update().filter(
        Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=valid_from_year)
    ):
        used = set(prev.runs.values_list("year", flat=True)) & closed
        if any(y >= valid_from_year for y in used):
            raise Refused(f"{prev}已用于{max(used)}年度（已关闭），新方案不能早于{max(used) + 1}年。")
        prev.valid_to_year = valid_from_year - 1
        prev.save(update_fields=["valid_to_year", "updated_at"])
    version = (Scheme.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    scheme = Scheme.objects.create(
        version=version,
        name=name or base.name,
        valid_from_year=valid_from_year,
        valid_to_year=None,
        source_document=source_document or base.source_document,
        management_points=base.management_points,
        dispute_points=base.dispute_points,
        repair_points=base.repair_points,
        satisfaction_points=base.satisfaction_points,
        appeal_window_days=base.appeal_window_days,
        notes=base.notes,
        third_party_rule=base.third_party_rule,
        deviation_threshold=base.deviation_threshold,
        deviation_alpha=base.deviation_alpha,
    )
    for i in base.items.all():
        ChecklistItem.objects.create(
            scheme=scheme, category=i.category, code=i.code, name=i.name, max_points=i.max_points, position=i.position
        )
    for b in base.bands.all():
        SchemeBand.objects.create(scheme=scheme, kind=b.kind, threshold=b.threshold, points=b.points)
    for g in base.grade_bands.all():
        GradeBand.objects.create(scheme=scheme, min_score=g.min_score, grade=g.grade)
    return scheme


# --- readiness and the 15 January reminder ------------------------------------------------------
def readiness_report(year: int) -> dict:
    """Before running a year: estates with no inspection that year, with no fee rate, and
    inspections still awaiting review (set-based counts)."""
    inspected = Inspection.objects.filter(year=year, estate=OuterRef("pk")).exclude(status=InspectionStatus.DRAFT)
    rated = FeeRate.objects.filter(year=year, estate=OuterRef("pk"))
    estates = Estate.objects.all()
    no_inspection = estates.exclude(Exists(inspected))
    no_rate = estates.exclude(Exists(rated))
    awaiting = Inspection.objects.filter(year=year, status=InspectionStatus.SUBMITTED)
    per_district = list(
        awaiting.values("district__name")
        .annotate(n=Count("id"))
        .order_by("district__code")
        .values_list("district__name", "n")
    )
    return {
        "year": year,
        "estates": estates.count(),
        "without_inspection": no_inspection.count(),
        "without_inspection_sample": list(no_inspection.order_by("code").values_list("code", flat=True)[:20]),
        "without_fee_rate": no_rate.count(),
        "without_fee_rate_sample": list(no_rate.order_by("code").values_list("code", flat=True)[:20]),
        "awaiting_review": awaiting.count(),
        "awaiting_review_by_district": per_district,
        "drafts": Inspection.objects.filter(year=year, status=InspectionStatus.DRAFT).count(),
    }


def send_readiness_reminder(today: dt.date | None = None) -> Notice:
    today = today or timezone.localdate()
    year = today.year - 1
    report = readiness_report(year)
    return Notice.objects.create(year=year, title=f"{year}年度考核可以开始计分", report=report)
