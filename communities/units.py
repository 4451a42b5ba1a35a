"""The districts and streets bundled with the project (data/nanjing_streets.csv, the official
statistical codes, 2022 edition) and the streets that 江北新区 manages directly.

`load_units` is used by the data migration (with the historical models) and by
`manage.py load_units` (with the live ones); it is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "nanjing_streets.csv"

MAIN_URBAN = ("玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "雨花台区")
JIANGBEI = {"code": "JBXQ", "name": "江北新区", "short_name": "江北新区", "kind": "new_area"}
# As of 2019 (spec/domain.md). Editable data afterwards: reassigning a street in the UI moves
# everything under it, and load_units does not move a street back.
JIANGBEI_STREETS = ("泰山街道", "顶山街道", "沿江街道", "盘城街道", "大厂街道", "葛塘街道", "长芦街道")


def short_name(name: str) -> str:
    for suffix in ("街道", "区", "镇"):
        if name.endswith(suffix) and len(name) > len(suffix) + 0:
            stem = name[: -len(suffix)]
            return stem if len(stem) >= 1 else name
    return name


def read_rows():
    with DATA_FILE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_units(District, Street) -> dict:
    """Create or correct the bundled districts and streets; returns counts of what changed."""
    created = updated = 0
    rows = read_rows()
    districts = {}
    seen = {}
    for row in rows:
        seen.setdefault(row["district_code"], row["district_name"])
    wanted = [
        {
            "code": code,
            "name": name,
            "short_name": short_name(name),
            "kind": "main_urban" if name in MAIN_URBAN else "suburban",
            "is_main_urban": name in MAIN_URBAN,
        }
        for code, name in seen.items()
    ] + [dict(JIANGBEI, is_main_urban=False)]
    for spec in wanted:
        obj = District.objects.filter(code=spec["code"]).first()
        if obj is None:
            obj = District.objects.create(**spec)
            created += 1
        else:
            changed = [k for k, v in spec.items() if getattr(obj, k) != v]
            if changed:
                for k in changed:
                    setattr(obj, k, spec[k])
                obj.save()
                updated += 1
        districts[spec["code"]] = obj

    jiangbei = districts[JIANGBEI["code"]]
    for row in rows:
        official = districts[row["district_code"]]
        spec = {
            "name": row["street_name"],
            "short_name": short_name(row["street_name"]),
            "kind": "town" if row["kind"] == "镇" else "street",
            "official_district": official,
        }
        obj = Street.objects.filter(code=row["street_code"]).first()
        if obj is None:
            managing = jiangbei if row["street_name"] in JIANGBEI_STREETS else official
            Street.objects.create(code=row["street_code"], district=managing, **spec)
            created += 1
        else:
            changed = [k for k, v in spec.items() if getattr(obj, k) != v]
            if changed:
                for k in changed:
                    setattr(obj, k, spec[k])
                obj.save()
                updated += 1
    return {"created": created, "updated": updated}
