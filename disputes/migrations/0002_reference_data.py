"""Default time limits and the dated list of joint-enforcement departments exist right after
migrate (policy as data; city_admin edits them in the admin).

Time limits (policy-defaults.md §2, excel-templates.md 维修台账): disputes 15 days; repairs
紧急 24 hours, 一般 72 hours; a category may add its own row per urgency.

Departments: the twelve of clause 一(三) of 宁政办发〔2017〕215号 (dated 2017-12-29); in the 2019
reorganisation of the municipal bodies 质监 and 物价 became 市场监管, 安监 became 应急管理 and
环保 became 生态环境. The switch-over is dated 2019-01-01 (the year of the reform; the exact day
each bureau was set up varied, and city_admin can adjust the rows).
"""

import datetime as dt

from django.db import migrations

NOTICE = "宁政办发〔2017〕215号"
REFORM = "南京市机构改革（2019年）"
NOTICE_DATE = dt.date(2017, 12, 29)
REFORM_DATE = dt.date(2019, 1, 1)
BEFORE_REFORM = REFORM_DATE - dt.timedelta(days=1)

LIMITS = [
    # case_type, urgency, hours, source, note
    ("dispute", "", 15 * 24, NOTICE + " 配套默认值", "矛盾纠纷自受理起15日内办结"),
    ("repair", "urgent", 24, "老旧小区考核默认方案（policy-defaults §2）", "紧急维修24小时内完成"),
    ("repair", "normal", 72, "老旧小区考核默认方案（policy-defaults §2）", "一般维修72小时内完成"),
]

# code, short name, full name, valid_from, valid_to, successor code, source, order
DEPARTMENTS = [
    ("housing", "房产", "房产管理部门", NOTICE_DATE, None, None, NOTICE, 1),
    ("construction", "建设", "建设管理部门", NOTICE_DATE, None, None, NOTICE, 2),
    ("planning", "规划", "规划管理部门", NOTICE_DATE, None, None, NOTICE, 3),
    ("civil_affairs", "民政", "民政部门", NOTICE_DATE, None, None, NOTICE, 4),
    ("urban_management", "城管", "城市管理部门", NOTICE_DATE, None, None, NOTICE, 5),
    ("public_security", "公安", "公安机关", NOTICE_DATE, None, None, NOTICE, 6),
    ("market_regulation", "市场监管", "市场监督管理部门", REFORM_DATE, None, None, REFORM, 7),
    ("quality_supervision", "质监", "质量技术监督部门", NOTICE_DATE, BEFORE_REFORM, "market_regulation", NOTICE, 7),
    ("pricing", "物价", "物价部门", NOTICE_DATE, BEFORE_REFORM, "market_regulation", NOTICE, 8),
    ("civil_defence", "人防", "人民防空部门", NOTICE_DATE, None, None, NOTICE, 9),
    ("ecology_environment", "生态环境", "生态环境部门", REFORM_DATE, None, None, REFORM, 10),
    ("environmental_protection", "环保", "环境保护部门", NOTICE_DATE, BEFORE_REFORM, "ecology_environment", NOTICE, 10),
    ("emergency_management", "应急管理", "应急管理部门", REFORM_DATE, None, None, REFORM, 11),
    ("work_safety", "安监", "安全生产监督管理部门", NOTICE_DATE, BEFORE_REFORM, "emergency_management", NOTICE, 11),
    ("water", "水务", "水务部门", NOTICE_DATE, None, None, NOTICE, 12),
]


def forwards(apps, schema_editor):
    TimeLimit = apps.get_model("disputes", "TimeLimit")
    Department = apps.get_model("disputes", "Department")
    for case_type, urgency, hours, source, note in LIMITS:
        TimeLimit.objects.get_or_create(
            case_type=case_type, category="", urgency=urgency, valid_from=None,
            defaults={"hours": hours, "source": source, "note": note},
        )
    by_code = {}
    # successors first, so the renamed rows can point at them
    for code, name, full, start, end, successor, source, order in sorted(DEPARTMENTS, key=lambda d: d[5] is not None):
        dept, _ = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "full_name": full, "valid_from": start, "valid_to": end,
                      "successor": by_code.get(successor), "source": source, "sort_order": order},
        )
        by_code[code] = dept


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
