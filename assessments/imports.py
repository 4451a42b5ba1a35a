"""检查记录 and 物业费收缴率 imports (excel-templates.md), all or nothing, validated in bulk by
the same checks as the forms (services.InspectionChecker, services.check_fee_rate)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.imports import Column, Importer, register_importer
from core.imports import parsers as p

from .choices import InspectionSource, InspectionStatus
from .defaults import ITEM_HEADERS
from .models import FeeRate, Inspection
from .services import InputGate, InspectionChecker, check_fee_rate

SOURCE_BY_LABEL = {s.label: s.value for s in InspectionSource}
ITEM_KEYS = list(ITEM_HEADERS.values())


class InspectionImporter(Importer):
    kind = "inspections"
    title = "检查记录"
    write_action = "inspection"
    instructions = (
        "检查记录：每行一次检查；检查日期不得晚于今天；检查类型可填 街道日常检查（默认）、区级抽查、第三方评估。"
        "各项得分为0到该项满分之间的数，最多一位小数；小区类别检查表中的每一项都必填，"
        "未整治老旧小区没有“设施”项目，须留空。导入的检查记录为“已提交”状态。"
    )
    columns = [
        Column("estate_code", "小区编码", p.code, required=True),
        Column("date", "检查日期", p.date(not_future=True), required=True, note="不得晚于今天"),
        Column("inspector_name", "检查人", p.text(50), required=True),
        Column("source", "检查类型", p.choice(SOURCE_BY_LABEL), default=InspectionSource.STREET,
               note="、".join(SOURCE_BY_LABEL)),
        *[
            Column(code, header, p.decimal(places=1, min_value=0), header_required=code != "facilities",
                   note="未整治老旧小区留空" if code == "facilities" else "")
            for header, code in ITEM_HEADERS.items()
        ],
        Column("note", "备注", p.text(500)),
    ]

    def validate(self, rows):
        estates = self.estates_by_code((r["estate_code"] for r in rows), writable=True)
        checker = InspectionChecker(self.user)
        for row in rows:
            estate = estates.get(row["estate_code"])
            if row["estate_code"] and estate is None:
                row.error("estate_code", "小区编码不存在。")
            row.values["_estate"] = estate
            if estate is None or row["date"] is None:
                continue
            bad = {key for key, _ in row.errors}
            raw = {code: row.values.get(code) for code in ITEM_KEYS}
            scores, total, errors = checker.check(estate, row["date"], raw, row["source"] or InspectionSource.STREET,
                                                  item_names={c: c for c in ITEM_KEYS})
            for key, message in errors.items():
                if key not in bad:
                    row.error(key if key in row.values else "estate_code", message)
            row.values["_scores"], row.values["_total"] = scores, total

    def write(self, rows):
        now = timezone.now()
        objs = []
        for r in rows:
            estate = r["_estate"]
            objs.append(Inspection(
                estate_id=estate.id, district_id=estate.district_id, street_id=estate.street_id,
                community_id=estate.community_id, year=r["date"].year, date=r["date"],
                inspector_name=r["inspector_name"], source=r["source"] or InspectionSource.STREET,
                status=InspectionStatus.SUBMITTED, scores=r["_scores"], total_tenths=r["_total"],
                note=r["note"] or "", created_by=self.user, submitted_at=now, created_at=now, updated_at=now,
            ))
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
        Column("rate", "物业费收缴率(%)", p.decimal(places=2), required=True, aliases=("物业费收缴率", "收缴率(%)", "收缴率"),
               note="0–100，最多两位小数"),
    ]

    def validate(self, rows):
        estates = self.estates_by_code((r["estate_code"] for r in rows), writable=True)
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
            for fr in FeeRate.objects.filter(estate_id__in=estate_ids[start : start + 2000], year__in={k[1] for k in wanted}):
                existing[(fr.estate_id, fr.year)] = fr
        creates, updates, unchanged = [], [], 0
        for key, r in wanted.items():
            rate = Decimal(r["rate"]).quantize(Decimal("0.01"))
            fr = existing.get(key)
            if fr is None:
                e = r["_estate"]
                creates.append(FeeRate(estate_id=e.id, district_id=e.district_id, street_id=e.street_id,
                                       community_id=e.community_id, year=r["year"], rate=rate, updated_by=self.user,
                                       created_at=now, updated_at=now))
            elif fr.rate != rate:
                fr.rate, fr.updated_by, fr.updated_at = rate, self.user, now
                updates.append(fr)
            else:
                unchanged += 1
        if creates:
            bulk_create_with_history(creates, FeeRate, batch_size=1000, default_user=self.user)
        if updates:
            bulk_update_with_history(updates, FeeRate, ["rate", "updated_by", "updated_at"], batch_size=1000,
                                     default_user=self.user)
        return {"created": len(creates), "updated": len(updates), "unchanged": unchanged}


register_importer(InspectionImporter)
register_importer(FeeRateImporter)
