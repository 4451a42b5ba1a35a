"""检查记录 and 物业费收缴率 imports (excel-templates.md), all or nothing, validated in bulk by
the same checks as the forms (services.InspectionChecker, services.check_fee_rate)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.functional import classproperty
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communities.choices import EstateCategory
from communities.lookups import estates_by_code
from core.imports import Column, Importer
from core.imports import parsers as p

from . import refinements
from .choices import InspectionSource, InspectionStatus, RefinementStatus
from .models import ChecklistItem, FeeRate, Inspection, Scheme
from .refinement_models import SubItem
from .services import InputGate, InspectionChecker, check_fee_rate, scheme_item_names

SOURCE_BY_LABEL = {s.label: s.value for s in InspectionSource}
CATEGORY_LABELS = dict(EstateCategory.choices)


def template_scheme() -> Scheme | None:
    """The scheme whose items the empty template carries: the one in force this year, else
    the newest (a scheme for a future year is the one people will prepare files for)."""
    return Scheme.objects.for_year(timezone.localdate().year) or Scheme.objects.order_by("-version").first()


def _item_column(code: str, name: str, scheme: Scheme | None, aliases: tuple = ()) -> Column:
    """An item's score column. Its header is not required by itself: which items a row needs
    depends on the row's year and category, so validate() asks for the missing ones."""
    note = ""
    if scheme is not None:
        has = set(ChecklistItem.objects.filter(scheme=scheme, code=code).values_list("category", flat=True))
        without = [label for value, label in EstateCategory.choices if value not in has]
        if has and without:
            note = "、".join(without) + "留空"
    return Column(code, name, p.decimal(places=1, min_value=0), aliases=aliases, note=note)


HEAD_COLUMNS = [
    Column("estate_code", "小区编码", p.code, required=True),
    Column("date", "检查日期", p.date(not_future=True), required=True, note="不得晚于今天"),
    Column("inspector_name", "检查人", p.text(50), required=True),
    Column(
        "source",
        "检查类型",
        p.choice(SOURCE_BY_LABEL),
        default=InspectionSource.STREET,
        note="、".join(SOURCE_BY_LABEL),
    ),
]
NOTE_COLUMN = Column("note", "备注", p.text(500))
SUB = "sub:"  # the key of a sub-item column (细化子项) is its header: "sub:保洁·楼道"


def _sub_column(header: str, note: str = "") -> Column:
    """A district sub-item's score column. Its header (“保洁·楼道”) names it in every district
    that uses it; which sub-item it is depends on the row's estate (its district's refinement)."""
    return Column(f"{SUB}{header}", header, p.decimal(places=1, min_value=0), note=note)


def template_refinement(district_id) -> refinements.Refinement | None:
    """The district's refinement for the template's scheme, in force this year (or the scheme's
    first year, for a scheme that starts later)."""
    scheme = template_scheme()
    if scheme is None or district_id is None:
        return None
    year = timezone.localdate().year
    return refinements.in_force(district_id, year if scheme.covers(year) else scheme.valid_from_year, scheme)


def template_columns(district_id=None) -> list[Column]:
    """The template's columns; a district's template has its sub-items after the item they
    break down (the item's own column stays while a category still scores it as a whole)."""
    scheme = template_scheme()
    refinement = template_refinement(district_id)
    subs: dict[str, list] = {}
    refined_in: dict[str, set] = {}
    if refinement is not None:
        for sub in refinement.sub_items.order_by("item_code", "number", "category"):
            refined_in.setdefault(sub.item_code, set()).add(sub.category)
            names = subs.setdefault(sub.item_code, [])
            if sub.name not in names:
                names.append(sub.name)
    columns = []
    for code, name in scheme_item_names(scheme).items():
        categories = set(ChecklistItem.objects.filter(scheme=scheme, code=code).values_list("category", flat=True))
        if code not in subs or categories - refined_in[code]:
            column = _item_column(code, name, scheme)
            if code in subs:
                column.note = "、".join(CATEGORY_LABELS[c] for c in sorted(refined_in[code])) + "按子项填写，本列留空"
            columns.append(column)
        for sub_name in subs.get(code, ()):
            columns.append(_sub_column(f"{name}·{sub_name}", note=f"{refinement}的子项；各子项之和为“{name}”得分"))
    return [*HEAD_COLUMNS, *columns, NOTE_COLUMN]


class InspectionImporter(Importer):
    """检查记录. The item columns are the scheme's (checklist items are data): the template
    carries the items of the scheme in force this year; a file is read with the items of every
    scheme, and each row is checked against the checklist of its year's scheme and its estate's
    category — a file whose rows need an item it has no column for is refused naming it."""

    kind = "inspections"
    title = "检查记录"
    write_action = "inspection"

    @classproperty
    def instructions(cls) -> str:
        scheme = template_scheme()
        checklists = ""
        if scheme is not None:
            by_category: dict[str, list[str]] = {}
            for category, name, max_points in scheme.items.order_by("position").values_list(
                "category", "name", "max_points"
            ):
                by_category.setdefault(category, []).append(f"{name}{max_points.normalize():f}")
            checklists = (
                f"{scheme}（{scheme.validity_label}）各类别检查项目及满分："
                + "；".join(
                    f"{label} {'、'.join(by_category[value])}"
                    for value, label in EstateCategory.choices
                    if value in by_category
                )
                + "。"
            )
        return (
            "检查记录：每行一次检查；检查日期不得晚于今天；检查类型可填 街道日常检查（默认）、区级抽查、第三方评估。"
            "各项得分为0到该项满分之间的数，最多一位小数；小区类别检查表中的每一项都必填，"
            f"不在该类别检查表中的项目须留空。{checklists}导入的检查记录为“已提交”状态。"
            "有细化分解方案的区按子项填写（“保洁·楼道”等列，请下载本区模板），项目得分为其子项之和。"
        )

    @classproperty
    def columns(cls) -> list[Column]:
        """The template's columns (the upload page lists these too)."""
        return template_columns(None)

    def __init__(self, user):
        super().__init__(user)
        self.columns = self._reading_columns()

    @staticmethod
    def _reading_columns() -> list[Column]:
        """What a file may carry: the items of every scheme, the template's first (a file made
        for an earlier year's scheme is read as well as one for this year's)."""
        first = template_scheme()
        names: dict[str, list[str]] = {code: [name] for code, name in scheme_item_names(first).items()}
        for scheme in Scheme.objects.order_by("-version"):
            if first is not None and scheme.pk == first.pk:
                continue
            for code, name in scheme_item_names(scheme).items():
                if name not in names.setdefault(code, []):
                    names[code].append(name)
        items = [_item_column(code, headers[0], first, aliases=tuple(headers[1:])) for code, headers in names.items()]
        # Every approved district sub-item's header: a row's estate decides whether it may use it.
        item_names = {
            (i.scheme_id, i.category, i.code): i.name
            for i in ChecklistItem.objects.filter(scheme__refinements__status=RefinementStatus.APPROVED).distinct()
        }
        sub_headers: dict[str, None] = {}
        for sub in (
            SubItem.objects.filter(refinement__status=RefinementStatus.APPROVED)
            .select_related("refinement")
            .order_by("item_code", "number")
        ):
            item = item_names.get((sub.refinement.scheme_id, sub.category, sub.item_code), sub.item_code)
            sub_headers.setdefault(f"{item}·{sub.name}")
        return [*HEAD_COLUMNS, *items, *(_sub_column(h) for h in sub_headers), NOTE_COLUMN]

    def validate(self, rows):
        estates = estates_by_code(self.user, (r["estate_code"] for r in rows), writable=True)
        checker = InspectionChecker(self.user)
        item_keys = [c.key for c in self.columns[len(HEAD_COLUMNS) : -1] if not c.key.startswith(SUB)]
        sub_keys = [c.key for c in self.columns if c.key.startswith(SUB)]
        missing: dict[str, set[int]] = {}  # an item the rows need but the file has no column for → years
        for row in rows:
            estate = estates.get(row["estate_code"])
            if row["estate_code"] and estate is None:
                row.error("estate_code", "小区编码不存在。")
            row.values["_estate"] = estate
            if estate is None or row["date"] is None:
                continue
            bad = {key for key, _ in row.errors}
            raw = {code: row.values.get(code) for code in item_keys}
            keys = {c: c for c in item_keys}
            if checker.checklist(row["date"].year, estate.category) is not None:
                # The district's sub-item columns map onto its sub-item codes; a sub-item column
                # filled for an estate whose district (that year) has no such sub-item is refused.
                refined = checker.refined(row["date"].year, estate.category, estate.district_id)
                own = {f"{SUB}{name}": code for code, name, _ in refined.entries if code in refined.parents}
                for key in sub_keys:
                    if key in own:
                        raw[own[key]], keys[own[key]] = row.values.get(key), key
                    elif row.values.get(key) is not None:
                        row.error(
                            key,
                            f"{estate.district.name}{row['date'].year}年度{estate.get_category_display()}"
                            f"没有细化子项“{key[len(SUB) :]}”，请留空（按市检查项目填写）。",
                        )
                        bad.add(key)
                for code, name, _ in refined.entries:
                    key = f"{SUB}{name}" if code in refined.parents else code
                    if key not in self.present_columns:
                        missing.setdefault(key, set()).add(row["date"].year)
                        bad.add(key)  # one message for the file, not one per row
            scores, total, errors = checker.check(
                estate, row["date"], raw, row["source"] or InspectionSource.STREET, item_names=keys
            )
            for key, message in errors.items():
                if key not in bad:
                    row.error(key if key in row.values else "estate_code", message)
            row.values["_scores"], row.values["_total"] = scores, total
        if missing:
            names = {c.key: c.header for c in self.columns}
            years = sorted(set().union(*missing.values()))
            self.file_error(
                "缺少必需的列："
                + "、".join(names.get(code, code.removeprefix(SUB)) for code in missing)
                + f"（{'、'.join(map(str, years))}年度考核方案的检查项目）。请下载该年度的模板，补上这些列后重新导入。"
            )

    def write(self, rows):
        now = timezone.now()
        objs = []
        for r in rows:
            estate = r["_estate"]
            objs.append(
                Inspection(
                    estate_id=estate.id,
                    district_id=estate.district_id,
                    street_id=estate.street_id,
                    community_id=estate.community_id,
                    year=r["date"].year,
                    date=r["date"],
                    inspector_name=r["inspector_name"],
                    source=r["source"] or InspectionSource.STREET,
                    status=InspectionStatus.SUBMITTED,
                    scores=r["_scores"],
                    total_tenths=r["_total"],
                    note=r["note"] or "",
                    created_by=self.user,
                    submitted_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
        bulk_create_with_history(objs, Inspection, batch_size=1000, default_user=self.user)
        return {"created": len(objs)}


class FeeRateImporter(Importer):
    kind = "fee_rates"
    title = "物业费收缴率"
    write_action = "fee_rate"
    instructions = (
        "物业费收缴率：每行一个小区一个年度；收缴率为0到100之间的百分数，最多两位小数（如 92 表示92%）。"
        "再次导入同一小区同一年度即替换原值。"
    )
    columns = [
        Column("estate_code", "小区编码", p.code, required=True),
        Column("year", "年度", p.year(min_value=2000), required=True),
        Column(
            "rate",
            "物业费收缴率(%)",
            p.decimal(places=2),
            required=True,
            aliases=("物业费收缴率", "收缴率(%)", "收缴率"),
            note="0–100，最多两位小数",
        ),
    ]

    def validate(self, rows):
        estates = estates_by_code(self.user, (r["estate_code"] for r in rows), writable=True)
        gate = InputGate()
        seen: dict = {}
        for row in rows:
            estate = estates.get(row["estate_code"])
            if row["estate_code"] and estate is None:
                row.error("estate_code", "小区编码不存在。")
            row.values["_estate"] = estate
            if row["rate"] is not None or row["year"] is not None:
                _, _, errors = check_fee_rate(row["year"], row["rate"])
                for key, message in errors.items():
                    if row[key] is not None:
                        row.error(key, message)
            if estate is not None and row["year"] is not None:
                key = (estate.id, row["year"])
                if key in seen:
                    row.error("estate_code", f"该小区该年度在文件中重复（与第 {seen[key]} 行相同）。")
                else:
                    seen[key] = row.number
                refusal = gate.refusal(estate.id, row["year"])
                if refusal:
                    row.error("year", refusal)

    def write(self, rows):
        now = timezone.now()
        wanted = {(r["_estate"].id, r["year"]): r for r in rows}
        existing = {}
        estate_ids = sorted({k[0] for k in wanted})
        for start in range(0, len(estate_ids), 2000):
            for fr in FeeRate.objects.filter(
                estate_id__in=estate_ids[start : start + 2000], year__in={k[1] for k in wanted}
            ):
                existing[(fr.estate_id, fr.year)] = fr
        creates, updates, unchanged = [], [], 0
        for key, r in wanted.items():
            rate = Decimal(r["rate"]).quantize(Decimal("0.01"))
            fr = existing.get(key)
            if fr is None:
                e = r["_estate"]
                creates.append(
                    FeeRate(
                        estate_id=e.id,
                        district_id=e.district_id,
                        street_id=e.street_id,
                        community_id=e.community_id,
                        year=r["year"],
                        rate=rate,
                        updated_by=self.user,
                        created_at=now,
                        updated_at=now,
                    )
                )
            elif fr.rate != rate:
                fr.rate, fr.updated_by, fr.updated_at = rate, self.user, now
                updates.append(fr)
            else:
                unchanged += 1
        if creates:
            bulk_create_with_history(creates, FeeRate, batch_size=1000, default_user=self.user)
        if updates:
            bulk_update_with_history(
                updates, FeeRate, ["rate", "updated_by", "updated_at"], batch_size=1000, default_user=self.user
            )
        return {"created": len(creates), "updated": len(updates), "unchanged": unchanged}
