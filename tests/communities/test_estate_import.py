"""小区登记 import: a good file imports; every bad file of the foundation issue is refused whole,
with a Chinese message, and nothing is written."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from communities.imports import EstateImporter
from communities.models import Community, Estate
from tests.spreadsheets import ESTATE_HEADERS, encrypted_xlsx, estate_row, xls, xlsx, zip_bomb

pytestmark = pytest.mark.django_db


def run(user, path):
    return EstateImporter(user).run(path, path.name)


def messages(outcome):
    return [e.message for e in outcome.errors]


def test_good_file_imports_and_reimport_updates(world, tmp_path):
    rows = [
        estate_row("XW0001", "示例小区", area="32600.50"),
        estate_row(
            "XW0002",
            "新整治小区",
            district="玄武",
            street="梅园新村",
            community="新社区",
            area=35860.55,
            category="未整治老旧小区",
            renovation_year=None,
            mode=None,
        ),
    ]
    path = xlsx(tmp_path / "ok.xlsx", rows, ESTATE_HEADERS, title="2019年老旧小区调查摸底表")
    before = Estate.objects.count()
    outcome = run(world.meiyuan_clerk, path)
    assert outcome.ok, messages(outcome)
    assert outcome.counts["created"] == 2
    assert Estate.objects.count() == before + 2
    e2 = Estate.objects.get(code="XW0002")
    assert e2.building_area == Decimal("35860.55")  # the float cell by its shortest form
    assert e2.management_mode == "none" and e2.category == "unrenovated"
    assert Community.objects.filter(name="新社区", street__name="梅园新村街道").exists()
    assert e2.history.first().history_user == world.meiyuan_clerk

    rows[0]["小区名称"] = "示例小区（改）"
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "again.xlsx", rows, ESTATE_HEADERS))
    assert outcome.ok and outcome.counts == {"created": 0, "updated": 1, "unchanged": 1, "communities_created": 0}
    e1 = Estate.objects.get(code="XW0001")
    assert e1.name == "示例小区（改）" and e1.version == 2


def test_headers_match_after_normalisation(world, tmp_path):
    headers = [h.replace("(㎡)", "（m2） ") if "面积" in h else h + "\u3000" for h in ESTATE_HEADERS]
    row = {new: estate_row()[old] for new, old in zip(headers, ESTATE_HEADERS, strict=True)}
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "h.xlsx", [row], headers))
    assert outcome.ok, messages(outcome)


def test_xls_imports(world, tmp_path):
    path = xls(tmp_path / "old.xls", [estate_row("XW0100", area="1200.25")], ESTATE_HEADERS)
    outcome = run(world.meiyuan_clerk, path)
    assert outcome.ok, messages(outcome)
    assert Estate.objects.get(code="XW0100").building_area == Decimal("1200.25")


def test_jiangbei_street_accepts_its_official_district(world, tmp_path):
    from tests.factories import make_user

    admin = world.city_admin
    path = xlsx(
        tmp_path / "jb.xlsx",
        [estate_row("JB0001", district="浦口区", street="泰山街道", community="泰山社区")],
        ESTATE_HEADERS,
    )
    outcome = run(admin, path)
    assert outcome.ok, messages(outcome)
    assert Estate.objects.get(code="JB0001").district.name == "江北新区"
    assert make_user  # personas are available for other scopes


BAD_ROWS = [
    ({"区": "不存在区"}, "区", "不存在"),
    ({"街道": "宁海路街道"}, "街道", "不在玄武区"),
    ({"建筑面积(㎡)": "-5"}, "建筑面积(㎡)", "应大于 0"),
    ({"建筑面积(㎡)": "很大"}, "建筑面积(㎡)", "不是数字"),
    ({"建筑面积(㎡)": "100.123"}, "建筑面积(㎡)", "最多保留 2 位小数"),
    ({"类别": "商品房小区"}, "类别", "不在可选范围内"),
    ({"整治完成年份": None}, "整治完成年份", "必须填写整治完成年份"),
    ({"小区编码": "XW\u200b0001"}, "小区编码", "不可见字符"),
    ({"小区名称": None}, "小区名称", "必填"),
]


@pytest.mark.parametrize(("change", "column", "text"), BAD_ROWS, ids=[b[2] for b in BAD_ROWS])
def test_bad_row_refuses_the_whole_file(world, tmp_path, change, column, text):
    good = estate_row("XW0001")
    bad = estate_row("XW0002", **change)
    before = Estate.objects.count()
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "bad.xlsx", [good, bad], ESTATE_HEADERS))
    assert not outcome.ok
    assert Estate.objects.count() == before
    assert any(e.row == 3 and e.column == column and text in e.message for e in outcome.errors), messages(outcome)


def test_duplicate_codes_in_one_file(world, tmp_path):
    outcome = run(
        world.meiyuan_clerk, xlsx(tmp_path / "dup.xlsx", [estate_row("A1"), estate_row("A1")], ESTATE_HEADERS)
    )
    assert not outcome.ok and "重复" in outcome.errors[0].message and outcome.errors[0].row == 3


def test_every_bad_row_is_reported(world, tmp_path):
    rows = [estate_row(f"B{i}", area="-1") for i in range(5)]
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "many.xlsx", rows, ESTATE_HEADERS))
    assert [e.row for e in outcome.errors] == [2, 3, 4, 5, 6]


def test_missing_and_misspelt_headers_are_named(world, tmp_path):
    headers = [h for h in ESTATE_HEADERS if h != "类别"]
    headers[headers.index("小区名称")] = "小区名"
    row = {h: estate_row().get(h) for h in headers}
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "hdr.xlsx", [row], headers))
    assert not outcome.ok
    assert "缺少必需的列：小区名称、类别" in outcome.errors[0].message


def test_code_outside_scope_is_neutral(world, tmp_path):
    # NH101 exists in 鼓楼区; a 梅园新村 clerk cannot learn that.
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "scope.xlsx", [estate_row("NH101")], ESTATE_HEADERS))
    assert not outcome.ok and outcome.errors[0].message == "该编码不可用。"
    assert Estate.objects.get(code="NH101").name != "示例小区"


def test_street_outside_scope_is_refused(world, tmp_path):
    outcome = run(
        world.meiyuan_clerk, xlsx(tmp_path / "s.xlsx", [estate_row("Z1", street="新街口街道")], ESTATE_HEADERS)
    )
    assert not outcome.ok and "不在您的管辖范围内" in outcome.errors[0].message


def test_read_only_roles_cannot_import(world, tmp_path):
    path = xlsx(tmp_path / "ro.xlsx", [estate_row("RO1")], ESTATE_HEADERS)
    for persona in ("auditor", "city_finance", "xuanwu_finance", "evaluator"):
        outcome = run(world.users[persona], path)
        assert not outcome.ok and "权限" in outcome.errors[0].message
    assert not Estate.objects.filter(code="RO1").exists()


@pytest.mark.parametrize("kind", ["csv", "docx", "corrupt", "encrypted", "bomb", "xlsm", "text_as_xlsx"])
def test_hostile_or_wrong_files_are_refused(world, tmp_path, kind):
    if kind == "csv":
        path = tmp_path / "a.csv"
        path.write_text("小区编码,小区名称\nA,B\n", encoding="utf-8")
        expected = "不支持的文件格式"
    elif kind == "docx":
        path = tmp_path / "a.docx"
        path.write_bytes(b"PK\x03\x04 not really")
        expected = "不支持的文件格式"
    elif kind == "corrupt":
        path = tmp_path / "a.xlsx"
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
        expected = "已损坏"
    elif kind == "encrypted":
        path = encrypted_xlsx(tmp_path / "enc.xlsx", [estate_row()])
        expected = "已加密"
    elif kind == "bomb":
        path = zip_bomb(tmp_path / "bomb.xlsx")
        expected = "压缩炸弹"
    elif kind == "xlsm":
        path = tmp_path / "macro.xlsm"
        path.write_bytes(b"PK\x03\x04")
        expected = "含宏"
    else:
        path = tmp_path / "text.xlsx"
        path.write_text("小区编码\tA\n", encoding="utf-8")
        expected = "不是有效的 Excel"
    before = Estate.objects.count()
    outcome = run(world.meiyuan_clerk, path)
    assert not outcome.ok
    assert expected in outcome.errors[0].message, outcome.errors[0].message
    assert Estate.objects.count() == before


def test_more_rows_than_the_cap_is_refused_before_reading(world, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    rows = [estate_row(f"C{i}") for i in range(11)]
    outcome = run(world.meiyuan_clerk, xlsx(tmp_path / "big.xlsx", rows, ESTATE_HEADERS))
    assert not outcome.ok and "超过上限" in outcome.errors[0].message


def test_formula_cell_is_read_as_its_value(world, tmp_path):
    import openpyxl

    path = xlsx(tmp_path / "f.xlsx", [estate_row("F1", name="=1+1")], ESTATE_HEADERS)
    outcome = run(world.meiyuan_clerk, path)
    # openpyxl saves "=1+1" as a formula with no computed value: an empty cell, so 必填.
    assert not outcome.ok and outcome.errors[0].column == "小区名称"
    wb = openpyxl.load_workbook(path)
    assert wb.active["B2"].data_type == "f"


def test_command_imports_and_exits_non_zero_on_errors(world, tmp_path, capsys):
    good = xlsx(tmp_path / "good.xlsx", [estate_row("CMD1")], ESTATE_HEADERS)
    call_command("import_estates", str(good), "--as", "meiyuan_clerk")
    assert Estate.objects.filter(code="CMD1").exists()
    bad = xlsx(tmp_path / "bad.xlsx", [estate_row("CMD2", area="0")], ESTATE_HEADERS)
    with pytest.raises(CommandError) as exc:
        call_command("import_estates", str(bad))
    assert "1 处错误" in str(exc.value)
    assert "第 2 行「建筑面积(㎡)」" in capsys.readouterr().err


def test_upload_page_marks_the_bad_file(world, tmp_path, client, django_capture_on_commit_callbacks):
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Job

    path = xlsx(tmp_path / "up.xlsx", [estate_row("U1"), estate_row("U2", area="abc")], ESTATE_HEADERS)
    client.force_login(world.meiyuan_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/estates/import/", {"file": SimpleUploadedFile("调查表.xlsx", path.read_bytes())}
        )
    assert response.status_code == 302
    job = Job.objects.get(created_by=world.meiyuan_clerk)
    assert job.status == "failed" and job.result["error_count"] == 1
    assert not Estate.objects.filter(code__in=["U1", "U2"]).exists()
    page = client.get(response["Location"])
    assert "不是数字" in page.content.decode()
    marked = client.get(f"/jobs/{job.pk}/download/")
    assert marked.status_code == 200
    wb = openpyxl.load_workbook(__import__("io").BytesIO(b"".join(marked.streaming_content)))
    ws = wb.active
    assert ws.cell(row=1, column=16).value == "错误说明"
    assert "建筑面积" in ws.cell(row=3, column=16).value
    assert ws.cell(row=3, column=9).fill.fgColor.rgb.endswith("FFC7CE")


def test_upload_refuses_wrong_format_at_once(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.meiyuan_clerk)
    response = client.post("/registry/estates/import/", {"file": SimpleUploadedFile("a.csv", b"a,b")})
    assert response.status_code == 400
    assert "不支持的文件格式" in response.content.decode()


def test_template_download_has_the_headers(world, client):
    import io

    import openpyxl

    client.force_login(world.meiyuan_clerk)
    response = client.get("/registry/estates/import/template/")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.active[2]] == ESTATE_HEADERS


def test_upload_of_a_good_file_imports(world, tmp_path, client, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Job

    path = xlsx(tmp_path / "good.xlsx", [estate_row("G1"), estate_row("G2")], ESTATE_HEADERS)
    client.force_login(world.xuanwu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/registry/estates/import/", {"file": SimpleUploadedFile("good.xlsx", path.read_bytes())})
    job = Job.objects.get(created_by=world.xuanwu_staff)
    assert job.status == "succeeded" and job.progress == 100
    assert job.result["counts"]["created"] == 2
    assert "导入成功" in client.get(f"/jobs/{job.pk}/").content.decode()
