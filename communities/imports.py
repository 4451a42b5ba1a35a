"""小区登记 import (excel-templates.md): creates and updates estates by code, all or nothing."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.imports import Column, Importer
from core.imports import parsers as p

from .choices import EstateCategory, ManagementMode
from .models import Community, District, Estate, ServiceFirm, Street

CATEGORY_BY_LABEL = {c.label: c.value for c in EstateCategory}
MODE_BY_LABEL = {m.label: m.value for m in ManagementMode}
UPDATABLE_FIELDS = [
    "name",
    "community",
    "street",
    "district",
    "address",
    "grid_code",
    "year_built",
    "building_area",
    "households",
    "buildings",
    "category",
    "renovation_year",
    "management_mode",
    "service_firm",
]


class UnitDirectory:
    """Districts and streets by every name a spreadsheet may use for them (excel-templates.md:
    玄武 for 玄武区, 梅园新村 for 梅园新村街道, a 江北新区 street under its official district)."""

    def __init__(self):
        self.district_names: dict[str, list[District]] = {}
        for d in District.objects.all():
            for name in {d.name, d.short_name} - {""}:
                self.district_names.setdefault(name, []).append(d)
        # (district id, street name) → streets; a street is found under its managing district
        # and under its official one (江北新区 streets under 浦口区/六合区).
        self.street_names: dict[tuple[int, str], list[Street]] = {}
        for s in Street.objects.all():
            for district_id in {s.district_id, s.official_district_id}:
                for name in {s.name, s.short_name} - {""}:
                    self.street_names.setdefault((district_id, name), []).append(s)

    def district(self, name: str) -> District | None:
        matches = self.district_names.get(name, [])
        return matches[0] if len(matches) == 1 else None

    def street(self, district: District, name: str) -> Street | None:
        matches = self.street_names.get((district.id, name), [])
        return matches[0] if len(matches) == 1 else None


class EstateImporter(Importer):
    kind = "estates"
    title = "小区登记"
    write_action = "estate"
    instructions = (
        "小区登记表：每行一个小区；小区编码全市唯一，再次导入同一编码即更新该小区。"
        "区、街道可写简称（如“玄武”“梅园新村”）；社区不存在时自动在该街道下新建。"
        "类别为“已整治老旧小区”时必须填写整治完成年份，其他类别不填。"
    )
    columns = [
        Column("code", "小区编码", p.code, required=True, note="全市唯一"),
        Column("name", "小区名称", p.text(100), required=True),
        Column("district", "区", p.text(20), required=True, note="如 玄武区"),
        Column("street", "街道", p.text(30), required=True, note="如 梅园新村街道"),
        Column("community", "社区", p.text(50), required=True, note="不存在时自动新建"),
        Column("address", "地址", p.text(200)),
        Column("grid_code", "网格编码", p.code),
        Column("year_built", "建成年份", p.year()),
        Column(
            "building_area",
            "建筑面积(㎡)",
            p.decimal(places=2, gt=0),
            required=True,
            aliases=("建筑面积",),
            note="大于0，最多两位小数",
        ),
        Column("households", "户数", p.integer(min_value=0)),
        Column("buildings", "楼栋数", p.integer(min_value=0)),
        Column("category", "类别", p.choice(CATEGORY_BY_LABEL), required=True, note="、".join(CATEGORY_BY_LABEL)),
        Column(
            "renovation_year", "整治完成年份", p.year(), header_required=True, note="已整治老旧小区必填，其他类别留空"
        ),
        Column(
            "management_mode",
            "管理模式",
            p.choice(MODE_BY_LABEL),
            default=ManagementMode.NONE,
            note="、".join(MODE_BY_LABEL) + "；空 = 暂无",
        ),
        Column("service_firm", "物业服务企业", p.text(100), note="须为已登记的企业名称"),
    ]

    def validate(self, rows):
        from accounts.rules import can

        from .services import estate_rule_errors

        units = UnitDirectory()
        writable_streets = (
            set(Street.objects.writable_by(self.user).values_list("id", flat=True))
            if can(self.user, "estate")
            else set()
        )
        firms = {
            f.name: f
            for f in ServiceFirm.objects.filter(name__in={r["service_firm"] for r in rows if r["service_firm"]})
        }
        self.flag_duplicates(rows, "code", "小区编码在文件中重复（与第 {first} 行相同）。")

        codes = [r["code"] for r in rows if r["code"]]
        existing = {}
        for start in range(0, len(codes), 2000):
            for estate in Estate.objects.filter(code__in=codes[start : start + 2000]):
                existing[estate.code] = estate
        writable_ids = (
            set(
                Estate.objects.writable_by(self.user)
                .filter(id__in=[e.id for e in existing.values()])
                .values_list("id", flat=True)
            )
            if existing
            else set()
        )

        for row in rows:
            district = street = None
            if row["district"]:
                district = units.district(row["district"])
                if district is None:
                    row.error("district", f"区“{row['district']}”不存在。")
            if district and row["street"]:
                street = units.street(district, row["street"])
                if street is None:
                    row.error("street", f"街道“{row['street']}”不在{district.name}。")
                elif street.id not in writable_streets:
                    row.error("street", f"“{street.name}”不在您的管辖范围内。")
            row.values["_street"] = street
            estate = existing.get(row["code"])
            if estate is not None and estate.id not in writable_ids:
                # Exists outside the user's scope: neutral, like a code that cannot be used.
                row.error("code", "该编码不可用。")
            row.values["_estate"] = estate
            if row["service_firm"]:
                firm = firms.get(row["service_firm"])
                if firm is None:
                    row.error("service_firm", f"物业服务企业“{row['service_firm']}”未登记。")
                row.values["_firm"] = firm
            else:
                row.values["_firm"] = None
            for key, message in estate_rule_errors(row.values).items():
                row.error(key, message)

    def write(self, rows):
        now = timezone.now()
        # Communities: create the new ones under their street, in bulk.
        wanted = {(r["_street"].id, r["community"]) for r in rows}
        street_ids = {s for s, _ in wanted}
        communities = {(c.street_id, c.name): c for c in Community.objects.filter(street_id__in=street_ids)}
        streets = {r["_street"].id: r["_street"] for r in rows}
        new_communities = [
            Community(name=name, street_id=sid, district_id=streets[sid].district_id, created_at=now, updated_at=now)
            for sid, name in sorted(wanted)
            if (sid, name) not in communities
        ]
        if new_communities:
            bulk_create_with_history(new_communities, Community, batch_size=1000, default_user=self.user)
            for c in Community.objects.filter(street_id__in=street_ids):
                communities[(c.street_id, c.name)] = c

        creates, updates = [], []
        unchanged = 0
        for r in rows:
            community = communities[(r["_street"].id, r["community"])]
            values = {
                "name": r["name"],
                "community_id": community.id,
                "street_id": community.street_id,
                "district_id": community.district_id,
                "address": r["address"] or "",
                "grid_code": r["grid_code"] or "",
                "year_built": r["year_built"],
                "building_area": r["building_area"],
                "households": r["households"],
                "buildings": r["buildings"],
                "category": r["category"],
                "renovation_year": r["renovation_year"],
                "management_mode": r["management_mode"] or ManagementMode.NONE,
                "service_firm_id": r["_firm"].id if r["_firm"] else None,
            }
            estate = r["_estate"]
            if estate is None:
                creates.append(Estate(code=r["code"], created_at=now, updated_at=now, **values))
                continue
            changed = False
            for field, value in values.items():
                current = getattr(estate, field)
                if isinstance(current, Decimal) and value is not None:
                    same = current == value
                else:
                    same = current == value
                if not same:
                    setattr(estate, field, value)
                    changed = True
            if changed:
                estate.version += 1
                estate.updated_at = now
                updates.append(estate)
            else:
                unchanged += 1
        if creates:
            bulk_create_with_history(creates, Estate, batch_size=1000, default_user=self.user)
        if updates:
            bulk_update_with_history(
                updates, Estate, UPDATABLE_FIELDS + ["version", "updated_at"], batch_size=1000, default_user=self.user
            )
        return {
            "created": len(creates),
            "updated": len(updates),
            "unchanged": unchanged,
            "communities_created": len(new_communities),
        }
