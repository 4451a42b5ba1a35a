"""The issue's "done when": the dispute and repair ledgers import, and run_cycle then gives each
estate the effectiveness policy-defaults.md §2 defines, visible in the 考核结果 export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.spreadsheets import xlsx

pytestmark = pytest.mark.django_db


def test_ledgers_then_run_cycle_then_export(world, tmp_path, client):
    call_command(
        "import_inspections",
        str(
            xlsx(
                tmp_path / "i.xlsx",
                [
                    {
                        "小区编码": "MY101",
                        "检查日期": dt.date(2019, 5, 1),
                        "检查人": "张三",
                        "保洁": 14,
                        "秩序": 13,
                        "绿化": 9,
                        "设施": 8,
                    },
                    {
                        "小区编码": "MY102",
                        "检查日期": dt.date(2019, 5, 1),
                        "检查人": "张三",
                        "保洁": 18,
                        "秩序": 17,
                        "绿化": 9,
                        "设施": None,
                    },
                ],
                ["小区编码", "检查日期", "检查人", "保洁", "秩序", "绿化", "设施"],
            )
        ),
        "--as",
        "meiyuan_clerk",
    )
    d = ["小区编码", "受理日期", "类别", "办结日期", "办理结果"]
    call_command(
        "import_disputes",
        str(
            xlsx(
                tmp_path / "d.xlsx",
                [
                    dict(
                        zip(d, ["MY101", "2019-03-01", "物业费", "2019-03-05", "调解成功"], strict=True)
                    ),  # resolved in 2019
                    dict(
                        zip(d, ["MY101", "2019-12-31", "停车", "2020-01-05", "调解成功"], strict=True)
                    ),  # 31 Dec → 5 Jan: not in 2019
                    dict(zip(d, ["MY101", "2019-06-01", "维修", "2019-06-03", "终止调解"], strict=True)),
                    dict(zip(d, ["MY101", "2019-07-01", "其他", None, None], strict=True)),  # still open
                    dict(
                        zip(d, ["MY101", "2018-12-31", "其他", "2019-01-02", "调解成功"], strict=True)
                    ),  # a 2018 dispute
                ],
                d,
            )
        ),
        "--as",
        "meiyuan_clerk",
    )
    r = ["小区编码", "报修时间", "类别", "紧急程度", "完成时间"]
    call_command(
        "import_repairs",
        str(
            xlsx(
                tmp_path / "r.xlsx",
                [
                    dict(
                        zip(r, ["MY101", "2019-04-01 08:00", "水管爆裂", "紧急", "2019-04-02 08:00"], strict=True)
                    ),  # exactly 24 h
                    dict(
                        zip(r, ["MY101", "2019-04-01 08:00", "停电", "紧急", "2019-04-02 08:01"], strict=True)
                    ),  # 1 minute late
                    dict(
                        zip(r, ["MY101", "2019-12-31 20:00", "屋面渗漏", "一般", "2020-01-03 20:00"], strict=True)
                    ),  # 72 h, next year
                    dict(zip(r, ["MY101", "2019-10-01 09:00", "下水道堵塞", "一般", None], strict=True)),  # open: late
                ],
                r,
            )
        ),
        "--as",
        "meiyuan_clerk",
    )

    call_command("run_cycle", "2019")
    out = tmp_path / "results.xlsx"
    call_command("export_results", "2019", "--out", str(out))
    rows = list(openpyxl.load_workbook(out)["考核结果"].iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] in ("区", "序号"))
    header = rows[header_at]
    by_code = {row[header.index("小区编码")]: dict(zip(header, row, strict=False)) for row in rows[header_at + 1 :]}
    # 10 × 1/4 (one of four disputes of 2019 mediated by 31 Dec) + 10 × 2/4 (two of four repairs on time)
    assert Decimal(str(by_code["MY101"]["效能效果"])) == Decimal("7.5")
    assert Decimal(str(by_code["MY102"]["效能效果"])) == Decimal("20")  # no cases: both ratios count as 1

    # The result page links each effectiveness score to the cases behind it.
    client.force_login(world.xuanwu_staff)
    page = client.get(reverse("assessments:result_list"), {"year": 2019}).content.decode()
    link = reverse("disputes:estate_cases", args=[world.estates["MY101"].pk, 2019])
    assert link in page
    cases = client.get(link)
    assert [c.counted for c in cases.context["disputes"]] == [True, False, False, False]
    assert [c.counted for c in cases.context["repairs"]] == [True, False, False, True]
