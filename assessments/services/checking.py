"""Validation of inspection scores (InspectionChecker), sources and checklist item names."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import timezone

from accounts.choices import Role
from core.validation import date_error

from .. import refinements
from ..choices import InspectionSource
from ..models import ChecklistItem, Scheme
from ..third_party import evaluator_refusal
from .common import TENTH, _fmt
from .years import InputGate


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
