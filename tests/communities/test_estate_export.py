"""The filtered estate list exported to .xlsx (a job): exactly the rows the user sees, with the
page's filters, in the spec's order, numbers as numbers, and headers the import reads back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Job
from tests.communities.test_estate_pages import SIGNED_IN, expected

pytestmark = pytest.mark.django_db
EXPORT = reverse("communities:estate_export")


def export(client, django_capture_on_commit_callbacks, query: str = ""):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT + (f"?{query}" if query else ""))
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    path = job.output_file.path
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "区")
    header = rows[header_at]
    return job, header, [dict(zip(header, row, strict=False)) for row in rows[header_at + 1 :]], rows[:header_at]


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_export_holds_exactly_what_the_user_sees(client, world, django_capture_on_commit_callbacks, persona):
    client.force_login(world.users[persona])
    job, _header, rows, _title = export(client, django_capture_on_commit_callbacks)
    assert {row["小区编码"] for row in rows} == expected(world, persona)
    assert job.created_by == world.users[persona]


def test_export_applies_the_page_filters_in_the_spec_order(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.xuanwu_staff)
    job, header, rows, title = export(
        client, django_capture_on_commit_callbacks, "category=renovated&ordering=-name&page=2"
    )
    assert [row["小区编码"] for row in rows] == ["MY101", "MY201", "XJK101", "XJK201"]
    assert header[:5] == ("区", "街道", "社区", "小区编码", "小区名称")
    first = rows[0]
    assert first["类别"] == "已整治老旧小区" and first["管理模式"] == "公益性物业托管"
    assert Decimal(str(first["建筑面积(㎡)"])) == Decimal("21000.00")
    assert isinstance(first["户数"], int) and first["整治完成年份"] == 2017
    assert "共 4 个" in title[0][0] and "类别：已整治老旧小区" in title[1][0]
    sheet = load_workbook(job.output_file.path).active
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
    assert sheet.print_title_rows == "$3:$3" and sheet.cell(row=4, column=9).number_format == "#,##0.00"


def test_export_cannot_widen_the_scope_with_filters(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.meiyuan_clerk)
    _job, _header, rows, _title = export(client, django_capture_on_commit_callbacks, "street=320102003&district=320106")
    assert {row["小区编码"] for row in rows} == {"MY101", "MY102", "MY201", "MY202"}


def test_user_text_never_becomes_a_formula(client, world, django_capture_on_commit_callbacks):
    from communities.models import Estate

    Estate.objects.filter(code="MY101").update(name='=HYPERLINK("http://x")', address="+86 地址")
    client.force_login(world.meiyuan_clerk)
    job, _header, rows, _title = export(client, django_capture_on_commit_callbacks, "q=MY101")
    sheet = load_workbook(job.output_file.path).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_exported_list_imports_back_unchanged(client, world, django_capture_on_commit_callbacks):
    from communities.imports import EstateImporter

    client.force_login(world.meiyuan_clerk)
    job, _header, _rows, _title = export(client, django_capture_on_commit_callbacks)
    outcome = EstateImporter(world.meiyuan_clerk).run(job.output_file.path, "小区列表.xlsx")
    assert outcome.ok, [e.message for e in outcome.errors][:5]
    assert outcome.counts.get("unchanged") == 4 and outcome.counts.get("updated") == 0
