"""The worked example of policy-defaults.md §7 through the command line: the three imports,
run_cycle 2019, export_results 2019 --out F, and the 考核结果 sheet read back."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from assessments.models import FeeRate, Inspection

pytestmark = pytest.mark.django_db

HEADER = [
    "区",
    "街道",
    "社区",
    "小区编码",
    "小区名称",
    "类别",
    "管理水平",
    "效能效果",
    "物业费收缴",
    "小区规模",
    "考核得分",
    "考核等级",
]


def xlsx(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


def estates_file(tmp_path):
    return xlsx(
        tmp_path / "estates.xlsx",
        [
            ["小区编码", "小区名称", "区", "街道", "社区", "建筑面积(㎡)", "类别", "整治完成年份"],
            ["SL001", "示例小区", "玄武区", "梅园新村街道", "示例社区", 32600.50, "已整治老旧小区", 2017],
            ["SL002", "未检查小区", "玄武", "梅园新村", "示例社区", 8000, "未整治老旧小区", None],
            ["SL003", "鼓楼小区", "鼓楼区", "宁海路街道", "宁海社区", 61000, "未整治老旧小区", None],
        ],
        title="小区登记表",
    )


def inspections_file(tmp_path, rows=None):
    return xlsx(
        tmp_path / "inspections.xlsx",
        [
            ["小区编码", "检查日期", "检查人", "检查类型", "保洁", "秩序", "绿化", "设施", "备注"],
            *(
                rows
                or [
                    ["SL001", dt.date(2019, 3, 5), "张三", "街道日常检查", 14, 13, 9, 8, None],
                    ["SL001", "2019/9/12", "李四", "区级抽查", 15, 14, 8, 9, "抽查"],
                    ["SL003", "2019年6月1日", "王五", None, 18.5, 17, 9.5, None, None],
                ]
            ),
        ],
    )


def fee_file(tmp_path, rows=None):
    return xlsx(
        tmp_path / "fees.xlsx",
        [
            ["小区编码", "年度", "物业费收缴率(%)"],
            *(rows or [["SL001", 2019, 92], ["SL003", 2019, 79.99], ["SL001", 2018, 50]]),
        ],
    )


def read_sheet(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["考核结果"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] in ("区", "序号"))
    return rows[start], rows[start + 1 :]


def test_worked_example_from_files_to_workbook(tmp_path, capsys):
    call_command("import_estates", estates_file(tmp_path))
    call_command("import_inspections", inspections_file(tmp_path))
    call_command("import_fee_rates", fee_file(tmp_path))
    assert Inspection.objects.filter(status="submitted").count() == 3
    call_command("run_cycle", "2019")
    out = tmp_path / "results.xlsx"
    call_command("export_results", "2019", "--out", str(out))
    header, rows = read_sheet(out)
    assert list(header) == HEADER
    by_code = {r[3]: r for r in rows}
    assert len(rows) == 3
    assert by_code["SL001"] == (
        "玄武区",
        "梅园新村街道",
        "示例社区",
        "SL001",
        "示例小区",
        "已整治老旧小区",
        45,
        20,
        20,
        8,
        93,
        "三星",
    )
    # SL003: unrenovated, one inspection 45.0 → 45.00; fee 79.99 % → 12; 61,000 m² → 10; total 87 → 二星
    assert by_code["SL003"][6:] == (45, 20, 12, 10, 87, "二星")
    assert by_code["SL002"][6:] == (None, None, None, None, None, "未参加考核")
    # numbers are numeric cells with two decimals
    wb = openpyxl.load_workbook(out)
    ws = wb["考核结果"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 93)
    assert cell.number_format == "0.00" and isinstance(cell.value, (int, float))
    # the order of the spec: official district code (玄武 320102 before 鼓楼 320106), street code
    assert [r[3] for r in rows] == ["SL001", "SL002", "SL003"]

    # --district
    out2 = tmp_path / "gulou.xlsx"
    call_command("export_results", "2019", "--out", str(out2), "--district", "鼓楼")
    _, rows2 = read_sheet(out2)
    assert [r[3] for r in rows2] == ["SL003"]


def test_bad_inspection_file_writes_nothing(tmp_path, capsys):
    call_command("import_estates", estates_file(tmp_path))
    future = dt.date.today() + dt.timedelta(days=3)
    bad = inspections_file(
        tmp_path,
        [
            ["SL001", dt.date(2019, 3, 5), "张三", None, 16, 13, 9, 8, None],  # 保洁 above its maximum 15
            ["SL001", dt.date(2019, 3, 6), "张三", None, -1, 13, 9, 8, None],  # below zero
            ["SL001", dt.date(2019, 3, 7), "张三", None, 14.25, 13, 9, 8, None],  # two decimals
            ["SL001", dt.date(2019, 3, 8), "张三", None, 14, None, 9, 8, None],  # a missing item
            ["SL002", dt.date(2019, 3, 9), "张三", None, 14, 13, 9, 5, None],  # 设施 for an unrenovated estate
            ["SL001", future, "张三", None, 14, 13, 9, 8, None],  # a date in the future
            ["NOPE", dt.date(2019, 3, 9), "张三", None, 14, 13, 9, 8, None],  # unknown estate
            ["SL001", dt.date(2019, 4, 1), "张三", None, 14, 13, 9, 8, None],  # a good row
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_inspections", bad)
    err = capsys.readouterr().err
    for text in (
        "不能超过满分15分",
        "不能小于",
        "最多保留",
        "请填写秩序得分",
        "没有“设施”项目",
        "日期不合理",
        "小区编码不存在",
    ):
        assert text in err, text
    assert Inspection.objects.count() == 0


def test_bad_fee_file_writes_nothing(tmp_path, capsys):
    call_command("import_estates", estates_file(tmp_path))
    with pytest.raises(CommandError):
        call_command("import_fee_rates", fee_file(tmp_path, [["SL001", 2019, 100.5], ["SL003", 2019, 80]]))
    assert "100" in capsys.readouterr().err
    assert FeeRate.objects.count() == 0


def test_reimport_replaces_rate(tmp_path):
    call_command("import_estates", estates_file(tmp_path))
    call_command("import_fee_rates", fee_file(tmp_path, [["SL001", 2019, 60]]))
    call_command("import_fee_rates", fee_file(tmp_path, [["SL001", 2019, "92.5"]]))
    assert FeeRate.objects.get().rate == Decimal("92.50")


def test_out_of_scope_estate_is_unknown_for_a_street_clerk(tmp_path, capsys, world):
    call_command("import_estates", estates_file(tmp_path))
    f = inspections_file(tmp_path, [["SL003", dt.date(2019, 6, 1), "王五", None, 18, 17, 9, None, None]])
    with pytest.raises(CommandError):
        call_command("import_inspections", f, "--as", "meiyuan_clerk")
    assert "小区编码不存在" in capsys.readouterr().err
    assert Inspection.objects.count() == 0


def test_run_cycle_refuses_a_year_without_scheme_or_in_the_future():
    with pytest.raises(CommandError, match="年度须在"):
        call_command("run_cycle", str(dt.date.today().year + 1))
