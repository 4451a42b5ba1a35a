"""Checking and editing a scheme (考核方案), and starting its next version."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..choices import YearStatus
from ..errors import Refused
from ..models import ChecklistItem, GradeBand, Scheme, SchemeBand
from .common import _fmt, _require


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
    from ..models import AssessmentYear

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
