"""The default scheme of policy-defaults.md §1–3, as the data migration loads it on `migrate`.

These numbers are here only to be written into rows once; the application reads the rows.
"""

from decimal import Decimal as D

SOURCE_DOCUMENT = "宁政办发〔2017〕215号"

DEFAULT_SCHEME = {
    "version": 1,
    "name": "老旧小区考核默认方案",
    "valid_from_year": 2018,
    "valid_to_year": None,
    "source_document": SOURCE_DOCUMENT,
    "management_points": D("50"),
    "dispute_points": D("10"),
    "repair_points": D("10"),
    "appeal_window_days": 10,
    "notes": "依据通知第九、十条；细则未公开，分值、分档与等级为市房产局可修改的默认值（policy-defaults.md §1–3）。",
}

# category → [(code, name, max points)]
CHECKLISTS = {
    "renovated": [
        ("cleanliness", "保洁", D("15")),
        ("order", "秩序", D("15")),
        ("greening", "绿化", D("10")),
        ("facilities", "设施", D("10")),
    ],
    "unrenovated": [("cleanliness", "保洁", D("20")), ("order", "秩序", D("20")), ("greening", "绿化", D("10"))],
    "affordable": [
        ("cleanliness", "保洁", D("15")),
        ("order", "秩序", D("15")),
        ("greening", "绿化", D("10")),
        ("facilities", "设施", D("10")),
    ],
}

# (kind, threshold, points): ≥ threshold scores points; below the lowest scores 0.
BANDS = [
    ("fee", D("90"), D("20")),
    ("fee", D("80"), D("16")),
    ("fee", D("70"), D("12")),
    ("fee", D("60"), D("8")),
    ("fee", D("50"), D("4")),
    ("size", D("50000"), D("10")),
    ("size", D("20000"), D("8")),
    ("size", D("10000"), D("6")),
    ("size", D("0"), D("4")),
]

GRADE_BANDS = [(D("90"), "三星"), (D("80"), "二星"), (D("70"), "一星"), (D("0"), "不达标")]

# The template columns of 检查记录 (excel-templates.md): header → item code.
ITEM_HEADERS = {"保洁": "cleanliness", "秩序": "order", "绿化": "greening", "设施": "facilities"}
