"""Done when (issue 4): after the imports and `run_cycle 2019`, `export_allocations 2019 --out F`
gives a workbook whose every amount matches policy-defaults.md §7 to the fen, with no formula
cell anywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


def imports(tmp_path):
    call_command(
        "import_estates",
        xlsx(
            tmp_path / "estates.xlsx",
            [
                ["小区编码", "小区名称", "区", "街道", "社区", "建筑面积(㎡)", "类别", "整治完成年份", "管理模式"],
                [
                    "SL001",
                    "示例小区",
                    "玄武区",
                    "梅园新村街道",
                    "示例社区",
                    "32600.50",
                    "已整治老旧小区",
                    2017,
                    "居民自治",
                ],
                [
                    "XZZ01",
                    "新整治小区",
                    "秦淮区",
                    "夫子庙街道",
                    "夫子庙社区",
                    "61000.00",
                    "已整治老旧小区",
                    2018,
                    "暂无",
                ],
                ["HALF1", "半分小区", "鼓楼区", "宁海路街道", "宁海社区", "8333.35", "已整治老旧小区", 2015, "暂无"],
                ["FX001", "+公式小区", "鼓楼区", "宁海路街道", "宁海社区", "9000", "未整治老旧小区", None, "暂无"],
            ],
        ),
    )
    ins = [
        ["小区编码", "检查日期", "检查人", "保洁", "秩序", "绿化", "设施"],
        ["SL001", dt.date(2019, 3, 5), "张三", 14, 13, 9, 8],
        ["SL001", dt.date(2019, 9, 12), "李四", 15, 14, 8, 9],
        ["XZZ01", dt.date(2019, 4, 1), "王五", 10, 10, 5, 5],
        ["HALF1", dt.date(2019, 5, 1), "赵六", 14, 13, 10, 9],
    ]
    call_command("import_inspections", xlsx(tmp_path / "inspections.xlsx", ins))
    call_command(
        "import_fee_rates", xlsx(tmp_path / "fees.xlsx", [["小区编码", "年度", "物业费收缴率(%)"], ["SL001", 2019, 92]])
    )


def table(ws):
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] in ("区", "序号"))
    return rows[:start], rows[start], rows[start + 1 :]


def test_workbook_matches_the_worked_examples_to_the_fen(tmp_path, capsys):
    from assessments.models import CycleRun  # noqa: F401 - the run must exist

    with pytest.raises(CommandError, match="还没有考核计分结果"):
        call_command("export_allocations", "2019", "--out", str(tmp_path / "none.xlsx"))
    imports(tmp_path)
    call_command("run_cycle", "2019")
    out = tmp_path / "allocations.xlsx"
    call_command("export_allocations", "2019", "--out", str(out))
    assert "已导出2019年度补贴分配表" in capsys.readouterr().out

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "管理扶持明细", "整治扶持明细", "考核结果"]
    # No formula anywhere, and every sheet not approved says 草稿 in its title row.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        title, header, _ = table(ws)
        assert title and "草稿" in title[0][0]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == f"${len(title) + 1}:${len(title) + 1}"

    _, header, rows = table(wb["管理扶持明细"])
    assert list(header) == [
        "序号",
        "区",
        "街道",
        "社区",
        "小区编码",
        "小区名称",
        "建筑面积(㎡)",
        "考核得分",
        "考核等级",
        "补贴标准(元/㎡·年)",
        "补贴金额(元)",
        "市级承担(元)",
        "区级承担(元)",
    ]
    by_code = {r[4]: r for r in rows if r[4]}
    assert _num(by_code["SL001"][6:]) == _num((32600.50, 93, "三星", 3.60, 117361.80, 29340.45, 88021.35))
    assert _num(by_code["HALF1"][9:]) == _num((1.20, 10000.02, 2500.01, 7500.01))  # the half fen
    assert "XZZ01" not in by_code  # 不达标: no management subsidy
    total = rows[-1]
    assert total[1] == "合计" and _num(total[10:]) == _num((127361.82, 31840.46, 95521.36))
    # the order of the spec: 玄武 (320102) before 鼓楼 (320106)
    assert [r[4] for r in rows[:-1]] == ["SL001", "HALF1"]
    cell = next(c for row in wb["管理扶持明细"].iter_rows() for c in row if c.value == 117361.8)
    assert cell.number_format == "#,##0.00"

    _, header, rows = table(wb["整治扶持明细"])
    assert list(header) == [
        "序号",
        "区",
        "街道",
        "社区",
        "小区编码",
        "小区名称",
        "整治完成年份",
        "建筑面积(㎡)",
        "扶持总额(元)",
        "本年批次",
        "本年金额(元)",
        "市级承担(元)",
        "区级承担(元)",
    ]
    assert len(rows) == 2
    assert rows[0][4] == "XZZ01" and _num(rows[0][6:]) == _num(
        (2018, 61000.00, 160000.00, 2, 48000.00, 12000.00, 36000.00)
    )
    assert rows[1][1] == "合计" and _num(rows[1][10:]) == _num((48000.00, 12000.00, 36000.00))

    _, header, rows = table(wb["汇总"])
    assert list(header) == [
        "区",
        "状态",
        "小区数",
        "建筑面积(㎡)",
        "管理扶持金额(元)",
        "整治扶持金额(元)",
        "合计金额(元)",
        "市级承担(元)",
        "区级承担(元)",
    ]
    by_district = {r[0]: r for r in rows}
    assert set(by_district) == {"玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "雨花台区", "合计"}
    assert _num(by_district["玄武区"][1:]) == _num(("草稿", 1, 32600.50, 117361.80, 0, 117361.80, 29340.45, 88021.35))
    assert _num(by_district["秦淮区"][1:]) == _num(("草稿", 1, 61000.00, 0, 48000.00, 48000.00, 12000.00, 36000.00))
    assert _num(by_district["鼓楼区"][1:]) == _num(("草稿", 1, 8333.35, 10000.02, 0, 10000.02, 2500.01, 7500.01))
    assert _num(by_district["建邺区"][2:]) == _num((0, 0, 0, 0, 0, 0, 0))
    assert _num(by_district["合计"][2:]) == _num((3, 101933.85, 127361.82, 48000.00, 175361.82, 43840.46, 131521.36))

    _, header, rows = table(wb["考核结果"])
    # the formula-looking name stays text
    assert any(r[4] == "+公式小区" for r in rows)

    # --district
    out2 = tmp_path / "gulou.xlsx"
    call_command("export_allocations", "2019", "--out", str(out2), "--district", "鼓楼")
    wb2 = openpyxl.load_workbook(out2)
    _, _, rows = table(wb2["汇总"])
    assert [r[0] for r in rows] == ["鼓楼区", "合计"]


def _num(values):
    """Cells compared as exact decimals to the fen (openpyxl reads numbers back as float)."""
    out = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(Decimal(repr(v)).quantize(Decimal("0.01")))
        else:
            out.append(v)
    return tuple(out)
