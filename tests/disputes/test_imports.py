"""矛盾纠纷台账 and 维修台账 imports: good ledgers come in with their dates; bad rows refuse the
whole file with Chinese messages; and the cycle then reads them through case_counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from disputes.effectiveness import CaseCounts, case_counts
from disputes.imports import DisputeImporter, RepairImporter
from disputes.models import DisputeCase, DisputeEvent, RepairEvent, RepairRequest
from tests.disputes.helpers import sh
from tests.spreadsheets import xls, xlsx

pytestmark = pytest.mark.django_db

DISPUTE_HEADERS = ["小区编码", "受理日期", "类别", "当事人", "联系电话", "办结日期", "办理结果", "受理方式", "移交部门"]
REPAIR_HEADERS = ["小区编码", "报修时间", "类别", "紧急程度", "完成时间"]


def d_row(
    code="MY101",
    received="2019-03-01",
    category="物业费",
    party="王小明",
    phone="13812345678",
    closed=None,
    outcome=None,
    channel=None,
    department=None,
):
    return dict(
        zip(
            DISPUTE_HEADERS, [code, received, category, party, phone, closed, outcome, channel, department], strict=True
        )
    )


def r_row(code="MY101", reported="2019-04-01 08:00", category="水管爆裂", urgency="紧急", completed=None):
    return dict(zip(REPAIR_HEADERS, [code, reported, category, urgency, completed], strict=True))


def errors(outcome):
    return [(e.row, e.column, e.message) for e in outcome.errors]


def test_dispute_ledger_imports_and_feeds_the_effectiveness_counts(world, tmp_path):
    rows = [
        d_row(received="2019-03-01", closed="2019-03-05", outcome="调解成功", channel="12345热线"),
        d_row(received="2019/12/31", closed="2020年1月5日", outcome="调解成功", party="李四", phone=13912345678),
        d_row(
            received=dt.date(2019, 6, 1),
            closed=dt.date(2019, 6, 20),
            outcome="转联合执法",
            department="城管",
            party=None,
            phone=None,
        ),
        d_row(received="2019-07-01", party="赵六", phone="025-84123456"),
        d_row(code="MY102", received="2019-08-01", closed="2019-08-02", outcome="终止调解", category="停车"),
    ]
    title = "梅园新村街道物业管理矛盾调解站台账（2019年）"
    outcome = DisputeImporter(world.meiyuan_clerk).run(
        xlsx(tmp_path / "d.xlsx", rows, DISPUTE_HEADERS, title=title), "d.xlsx"
    )
    assert outcome.ok, errors(outcome)
    assert outcome.counts == {"created": 5}
    first = DisputeCase.objects.get(requested_datetime=sh(2019, 3, 1))
    assert first.status == "resolved" and first.closed_datetime == sh(2019, 3, 5) and first.channel == "hotline_12345"
    assert first.imported and first.limit_hours == 360 and first.street_id == world.estates["MY101"].street_id
    referred = DisputeCase.objects.get(status="referred")
    assert referred.referred_department.name == "城管"
    assert DisputeCase.objects.get(party_name="李四").party_phone == "13912345678"
    assert DisputeEvent.objects.filter(action="imported").count() == 5
    assert first.history.first().history_user == world.meiyuan_clerk
    my101 = world.estates["MY101"].pk
    assert case_counts(2019)[my101] == CaseCounts(disputes_received=4, disputes_resolved=1)
    # Importing the same ledger again doubles nothing.
    again = DisputeImporter(world.meiyuan_clerk).run(xlsx(tmp_path / "d2.xlsx", rows, DISPUTE_HEADERS), "d2.xlsx")
    assert not again.ok and "已导入过" in errors(again)[0][2]
    assert DisputeCase.objects.count() == 5


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (d_row(received="2019-03-05", closed="2019-03-01", outcome="调解成功"), "办结日期", "不能早于受理时间"),
        (d_row(outcome="调解成功"), "办结日期", "须同时填写办结日期"),
        (d_row(closed="2019-03-05"), "办理结果", "须同时填写办理结果"),
        (d_row(category="噪音"), "类别", "不在可选范围内"),
        (d_row(code="NOPE"), "小区编码", "小区编码不存在"),
        (d_row(code="XJK101"), "小区编码", "小区编码不存在"),  # another street's: the same words
        (d_row(phone="12345"), "联系电话", "联系电话应为11位手机号码或固定电话号码"),
        (d_row(received="2999-01-01"), "受理日期", "日期不合理：应在 1949年10月1日至今之间。"),
        (
            d_row(closed="2019-06-02", outcome="转联合执法", department="质监", received="2019-06-01"),
            "移交部门",
            "应为“市场监管”",
        ),
        (d_row(closed="2019-06-02", outcome="调解成功", department="城管"), "移交部门", "只有办理结果为“转联合执法”"),
        (d_row(closed="2019-06-02", outcome="转联合执法", department="宣传部"), "移交部门", "不在联合执法部门名单中"),
        (d_row(outcome="撤诉", closed="2019-03-05"), "办理结果", "不在可选范围内"),
    ],
)
def test_bad_dispute_rows_refuse_the_whole_file(world, tmp_path, row, column, text):
    path = xlsx(tmp_path / "bad.xlsx", [d_row(received="2019-02-01"), row], DISPUTE_HEADERS)
    outcome = DisputeImporter(world.meiyuan_clerk).run(path, "bad.xlsx")
    assert not outcome.ok
    assert any(r == 3 and c == column and text in m for r, c, m in errors(outcome)), errors(outcome)
    assert not DisputeCase.objects.exists()


def test_missing_header_is_named(world, tmp_path):
    headers = [h for h in DISPUTE_HEADERS if h != "受理日期"]
    outcome = DisputeImporter(world.meiyuan_clerk).run(xlsx(tmp_path / "h.xlsx", [d_row()], headers), "h.xlsx")
    assert not outcome.ok and "受理日期" in outcome.errors[0].message


def test_readers_cannot_import(world, tmp_path):
    outcome = DisputeImporter(world.xuanwu_staff).run(xlsx(tmp_path / "d.xlsx", [d_row()], DISPUTE_HEADERS), "d.xlsx")
    assert not outcome.ok and "没有导入此类数据的权限" in outcome.errors[0].message


def test_repair_ledger_imports_with_exact_limits(world, tmp_path):
    rows = [
        r_row(reported="2019-04-01 08:00", completed="2019-04-02 08:00"),  # exactly 24 h: on time
        r_row(reported="2019-04-01 08:00", completed="2019-04-02 08:01"),  # late by a minute
        r_row(reported="2019-12-31 20:00", urgency="一般", completed="2020-01-03 20:00"),  # 72 h across the year
        r_row(reported="2019-10-01 09:00"),  # open: late
        r_row(reported="2019/12/31 23:59", category="电梯故障", completed="2020/1/1 0:30"),
    ]
    outcome = RepairImporter(world.meiyuan_clerk).run(xlsx(tmp_path / "r.xlsx", rows, REPAIR_HEADERS), "r.xlsx")
    assert outcome.ok, errors(outcome)
    assert RepairRequest.objects.filter(status="completed").count() == 4
    assert RepairEvent.objects.filter(action="complete").count() == 4
    assert case_counts(2019)[world.estates["MY101"].pk] == CaseCounts(repairs_reported=5, repairs_on_time=3)
    assert case_counts(2020) == {}


WRITERS = {"xlsx": xlsx, "xls": xls}
DATETIME_CELLS = {"报修时间": "yyyy-mm-dd h:mm", "完成时间": "yyyy-mm-dd h:mm"}


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_date_time_cell_at_midnight_is_a_date_time(world, tmp_path, kind):
    """Issue 15.1: 2019-03-05 00:00 typed in a date-time cell (format yyyy-mm-dd h:mm) is a
    date-time by its format, though its time part is zero."""
    rows = [
        r_row(reported=dt.datetime(2019, 3, 5, 0, 0), completed=dt.datetime(2019, 3, 6, 0, 0)),
        r_row(reported=dt.datetime(2019, 3, 4, 14, 30), completed=dt.datetime(2019, 3, 5, 0, 0)),
    ]
    path = WRITERS[kind](tmp_path / f"r.{kind}", rows, REPAIR_HEADERS, number_formats=DATETIME_CELLS)
    outcome = RepairImporter(world.meiyuan_clerk).run(path, f"r.{kind}")
    assert outcome.ok, errors(outcome)
    got = sorted((r.requested_datetime, r.completed_datetime) for r in RepairRequest.objects.all())
    sh = dt.timezone(dt.timedelta(hours=8))
    assert got == [
        (dt.datetime(2019, 3, 4, 14, 30, tzinfo=sh), dt.datetime(2019, 3, 5, 0, 0, tzinfo=sh)),
        (dt.datetime(2019, 3, 5, 0, 0, tzinfo=sh), dt.datetime(2019, 3, 6, 0, 0, tzinfo=sh)),
    ]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
@pytest.mark.parametrize("column", ["报修时间", "完成时间"])
def test_a_pure_date_cell_in_a_date_time_column_is_refused(world, tmp_path, kind, column):
    """A cell formatted as a date only (yyyy-mm-dd) carries no time the clerk could see: refused,
    whatever hides in its value."""
    row = r_row(reported=dt.datetime(2019, 3, 5, 0, 0), completed=dt.datetime(2019, 3, 6, 0, 0))
    formats = {**DATETIME_CELLS, column: "yyyy-mm-dd"}
    path = WRITERS[kind](tmp_path / f"r.{kind}", [row], REPAIR_HEADERS, number_formats=formats)
    outcome = RepairImporter(world.meiyuan_clerk).run(path, f"r.{kind}")
    assert not outcome.ok
    assert errors(outcome) == [(2, column, "应含时间（时:分），如 2019-03-05 14:30。")]
    assert not RepairRequest.objects.exists()


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (r_row(reported="2019-04-02 08:00", completed="2019-04-01 08:00"), "完成时间", "不能早于报修时间"),
        (r_row(urgency="特急"), "紧急程度", "不在可选范围内"),
        (r_row(reported="2019-04-01"), "报修时间", "应写作 2019-03-05 14:30"),
        (r_row(category="漏气"), "类别", "不在可选范围内"),
        (r_row(code="NH101"), "小区编码", "小区编码不存在"),
    ],
)
def test_bad_repair_rows_refuse_the_whole_file(world, tmp_path, row, column, text):
    outcome = RepairImporter(world.meiyuan_clerk).run(
        xlsx(tmp_path / "bad.xlsx", [r_row(), row], REPAIR_HEADERS), "bad.xlsx"
    )
    assert not outcome.ok
    assert any(r == 3 and c == column and text in m for r, c, m in errors(outcome)), errors(outcome)
    assert not RepairRequest.objects.exists()


def test_commands(world, tmp_path, capsys):
    good = xlsx(tmp_path / "r.xlsx", [r_row()], REPAIR_HEADERS)
    call_command("import_repairs", str(good), "--as", "meiyuan_clerk")
    assert "导入成功" in capsys.readouterr().out
    assert RepairRequest.objects.get().created_by == world.meiyuan_clerk
    bad = xlsx(tmp_path / "d.xlsx", [d_row(category="噪音")], DISPUTE_HEADERS)
    with pytest.raises(CommandError):
        call_command("import_disputes", str(bad))
    assert "不在可选范围内" in capsys.readouterr().err
    call_command("import_disputes", str(xlsx(tmp_path / "d2.xlsx", [d_row()], DISPUTE_HEADERS)))  # the system account
    assert DisputeCase.objects.get().created_by.username == "system"
