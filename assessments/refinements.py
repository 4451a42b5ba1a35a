"""District refinements (细化分解, clause 十): a district breaks items of a city checklist down
into sub-items of its own; inspections in the district are entered by sub-item and each city
item's score is the sum of its sub-items, so everything scored from items (totals, grades,
subsidies) stays what it was and comparable across districts.

Operations take the acting user (`by=`), run in one transaction and raise `Refused` with a
Chinese message (nothing written). docs/assessments.md "District refinements".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.rules import can
from communities.choices import EstateCategory

from .choices import RefinementStatus, YearStatus
from .errors import Refused
from .models import AssessmentYear, ChecklistItem, Scheme
from .refinement_models import Refinement, SubItem

TENTH = Decimal("0.1")
CATEGORY_LABELS = dict(EstateCategory.choices)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- which refinement applies ------------------------------------------------------------------
def in_force(district_id, year: int, scheme: Scheme | None = None) -> Refinement | None:
    """The district's approved refinement for `year`: of the city scheme in force that year,
    effective from that year or earlier, the latest effective year (then version) first."""
    if district_id is None:
        return None
    scheme = scheme if scheme is not None else Scheme.objects.for_year(year)
    if scheme is None:
        return None
    return (
        Refinement.objects.filter(
            district_id=district_id, scheme=scheme, status=RefinementStatus.APPROVED, valid_from_year__lte=year
        )
        .order_by("-valid_from_year", "-version")
        .first()
    )


@dataclass
class RefinedChecklist:
    """A category's checklist as entered in a district: (code, name, max) per entry, a refined
    item replaced by its sub-items (code "item.n", name "保洁·楼道"); `parents` maps a sub-item
    code to its item code, `descriptions` a code to its sub-item's description."""

    entries: list
    parents: dict
    descriptions: dict
    refinement: Refinement | None


def refine(checklist: list, refinement: Refinement | None, category: str) -> RefinedChecklist:
    if refinement is None:
        return RefinedChecklist(list(checklist), {}, {}, None)
    subs: dict[str, list[SubItem]] = {}
    for sub in refinement.sub_items.filter(category=category).order_by("item_code", "number"):
        subs.setdefault(sub.item_code, []).append(sub)
    entries, parents, descriptions = [], {}, {}
    for code, name, max_points in checklist:
        if code not in subs:
            entries.append((code, name, max_points))
            continue
        for sub in subs[code]:
            entries.append((sub.code, f"{name}·{sub.name}", sub.max_points))
            parents[sub.code] = code
            if sub.description:
                descriptions[sub.code] = sub.description
    return RefinedChecklist(entries, parents, descriptions, refinement)


def closed_years() -> list[int]:
    return sorted(AssessmentYear.objects.filter(status=YearStatus.CLOSED).values_list("year", flat=True))


def used_by_closed_years(refinement: Refinement) -> list[int]:
    """The closed years whose inspections were entered with this refinement."""
    return [
        y
        for y in closed_years()
        if y >= refinement.valid_from_year and getattr(in_force(refinement.district_id, y), "pk", None) == refinement.pk
    ]


def is_locked(refinement: Refinement) -> bool:
    """Frozen: a closed year used it (its results must never change)."""
    return bool(used_by_closed_years(refinement))


# --- who may write -------------------------------------------------------------------------------
def _require_officer(by, district_id) -> None:
    """A district's own officer (区房产局) prepares and approves its refinement; the city sets
    the city standards but does not refine a district's (clause 十)."""
    if not can(by, "refinement") or getattr(by, "district_id", None) != district_id or by.scope_level != "district":
        raise Refused("只有本区区房产局可以编制或批准本区的细化方案。")


def _closed_year_refusal(scheme: Scheme, valid_from_year: int) -> str | None:
    """A version may not change what a closed year used: it is effective after every closed year
    the scheme covers from its start."""
    if not scheme.covers(valid_from_year):
        return f"{scheme}不适用于{valid_from_year}年度（适用{scheme.validity_label}）。"
    covered = [y for y in closed_years() if y >= valid_from_year and scheme.covers(y)]
    if covered:
        return f"{covered[-1]}年度已关闭，细化方案最早自{covered[-1] + 1}年度起生效。"
    return None


# --- preparing -----------------------------------------------------------------------------------
@transaction.atomic
def new_refinement(*, by, scheme: Scheme, valid_from_year: int, note: str = "") -> Refinement:
    """A new version for the user's district, a draft; it starts as a copy of the district's
    latest version of the same city scheme (a frozen version changes only this way)."""
    district_id = getattr(by, "district_id", None)
    _require_officer(by, district_id)
    if refusal := _closed_year_refusal(scheme, valid_from_year):
        raise Refused(refusal, {"valid_from_year": refusal})
    latest = Refinement.objects.filter(district_id=district_id).aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            refinement = Refinement.objects.create(
                district_id=district_id,
                scheme=scheme,
                version=latest + 1,
                valid_from_year=valid_from_year,
                prepared_by=by,
                note=(note or "").strip(),
            )
    except IntegrityError:
        # A colleague created the same version number a moment ago (uniq_refinement_version).
        raise Refused("本区刚有人新建了细化方案版本，请刷新后重试。") from None
    base = (
        Refinement.objects.filter(district_id=district_id, scheme=scheme)
        .exclude(pk=refinement.pk)
        .order_by("-version")
        .first()
    )
    if base is not None:
        bulk_create_with_history(
            [
                SubItem(
                    refinement=refinement,
                    category=s.category,
                    item_code=s.item_code,
                    number=s.number,
                    name=s.name,
                    description=s.description,
                    max_points=s.max_points,
                )
                for s in base.sub_items.all()
            ],
            SubItem,
            default_user=by,
        )
    return refinement


def field_key(category: str, item_code: str) -> str:
    """The form field (and error key) of one city item's sub-items."""
    return f"sub__{category}__{item_code}"


def check_sub_items(scheme: Scheme, rows: dict) -> dict:
    """`rows` maps (category, item code) → [(name, points, description)] (empty: not refined).
    → errors {field key: message}. An item is broken into two or more sub-items, each named
    (unique within the item), each with more than 0 points and at most one decimal, and
    their points add up to the item's maximum exactly."""
    items = {(i.category, i.code): i for i in ChecklistItem.objects.filter(scheme=scheme)}
    errors = {}
    for (category, code), subs in rows.items():
        key = field_key(category, code)
        item = items.get((category, code))
        if item is None:
            errors[key] = f"{CATEGORY_LABELS.get(category, category)}的检查表没有“{code}”项目。"
            continue
        if not subs:
            continue
        where = f"{CATEGORY_LABELS[category]}·{item.name}"
        if len(subs) < 2:
            errors[key] = f"{where}：细化须至少分为两个子项；不细化请留空。"
            continue
        names = [name for name, _, _ in subs]
        bad = next((n for n in names if not n or len(n) > 20), None)
        if bad is not None:
            errors[key] = f"{where}：子项名称须填写且不超过20个字（“{bad}”）。"
            continue
        if len(set(names)) != len(names):
            errors[key] = f"{where}：子项名称不能重复。"
            continue
        points = [p for _, p, _ in subs]
        if any(p <= 0 or p != p.quantize(TENTH) for p in points):
            errors[key] = f"{where}：每个子项的分值须大于0，最多一位小数。"
            continue
        if any(len(d) > 200 for _, _, d in subs):
            errors[key] = f"{where}：子项说明不超过200个字。"
            continue
        total = sum(points, Decimal(0))
        if total != item.max_points:
            errors[key] = (
                f"{where}：子项分值合计为{_fmt(total)}分（{' + '.join(_fmt(p) for p in points)}），"
                f"须等于该项目满分{_fmt(item.max_points)}分。"
            )
    return errors


def _locked_for_edit(refinement: Refinement, by) -> Refinement:
    refinement = Refinement.objects.select_for_update().get(pk=refinement.pk)
    _require_officer(by, refinement.district_id)
    if refinement.status != RefinementStatus.DRAFT:
        if is_locked(refinement):
            raise Refused("该细化方案已被已关闭年度使用，已冻结，不能修改；请新建下一版本。")
        raise Refused("已批准的细化方案不能修改；请新建下一版本。")
    return refinement


@transaction.atomic
def save_sub_items(
    refinement: Refinement, *, by, rows: dict, valid_from_year: int | None = None, note: str | None = None
) -> Refinement:
    """Replace a draft's sub-items (all of them: `rows` as in check_sub_items). The one who
    saves is its preparer, so somebody else approves it."""
    refinement = _locked_for_edit(refinement, by)
    errors = check_sub_items(refinement.scheme, rows)
    if valid_from_year is not None and (refusal := _closed_year_refusal(refinement.scheme, valid_from_year)):
        errors["valid_from_year"] = refusal
    if errors:
        raise Refused("细化方案有误，请按提示修改。", errors)
    for old in refinement.sub_items.all():  # one by one, so that the history records each removal
        old.delete()
    bulk_create_with_history(
        [
            SubItem(
                refinement=refinement,
                category=category,
                item_code=code,
                number=n,
                name=name,
                description=description,
                max_points=points,
            )
            for (category, code), subs in rows.items()
            for n, (name, points, description) in enumerate(subs, start=1)
        ],
        SubItem,
        default_user=by,
    )
    if valid_from_year is not None:
        refinement.valid_from_year = valid_from_year
    if note is not None:
        refinement.note = note.strip()
    refinement.prepared_by = by
    refinement.save()
    return refinement


@transaction.atomic
def approve_refinement(refinement: Refinement, *, by) -> Refinement:
    """Four eyes: another officer of the same district approves; from then on the district's
    inspections of its years are entered by sub-item."""
    refinement = _locked_for_edit(refinement, by)
    if refinement.prepared_by_id == by.pk:
        raise Refused("不能批准自己编制的细化方案，请由本区另一名工作人员批准。")
    if not refinement.sub_items.exists():
        raise Refused("细化方案还没有任何子项，不能批准。")
    if refusal := _closed_year_refusal(refinement.scheme, refinement.valid_from_year):
        raise Refused(refusal)
    rows: dict = {}
    for s in refinement.sub_items.order_by("category", "item_code", "number"):
        rows.setdefault((s.category, s.item_code), []).append((s.name, s.max_points, s.description))
    if errors := check_sub_items(refinement.scheme, rows):
        # The city scheme's maxima changed since it was prepared (a scheme not yet frozen).
        raise Refused("细化方案与市考核方案不一致：" + "；".join(errors.values()))
    refinement.status = RefinementStatus.APPROVED
    refinement.approved_by, refinement.approved_at = by, timezone.now()
    refinement.save()
    return refinement
