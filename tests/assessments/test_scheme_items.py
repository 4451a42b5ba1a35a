"""Checklist items are data (issue 13, point 2): a scheme version that adds an item (安全,
management points still 50, the scheme still 100) works end to end — the entry form and its
htmx checklist, the import template and columns, the API, the cycle and the inspections
export are all built from the scheme in force for the inspection's year and the estate's
category; the years of the earlier scheme keep their items."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import EstateResult, Inspection, Scheme
from core.models import Job

from .test_command_line import xlsx

pytestmark = pytest.mark.django_db

NEW_YEAR = 2021
SHIPPED_TEMPLATE = ["小区编码", "检查日期", "检查人", "检查类型", "保洁", "秩序", "绿化", "设施", "备注"]


@pytest.fixture
def safety_scheme(world):
    """Version 2 from 2021: 已整治老旧小区 gains 安全 (5) and 设施 drops to 5; still 50 + 20 + 20 + 10."""
    base = Scheme.objects.get(version=1)
    scheme = services.new_scheme_version(base, by=world.city_admin, valid_from_year=NEW_YEAR, name="含安全项目的方案")
    items = list(scheme.items.values("category", "code", "name", "max_points", "position"))
    for item in items:
        if item["category"] == "renovated" and item["code"] == "facilities":
            item["max_points"] = Decimal("5")
    items.append({"category": "renovated", "code": "safety", "name": "安全", "max_points": Decimal("5"), "position": 4})
    return services.update_scheme(scheme, by=world.city_admin, fields={}, items=items)


def entry(code, day, scores):
    data = {
        "estate_code": code,
        "date": day,
        "inspector_name": "张三",
        "source": "street",
        "note": "",
        "action": "submit",
    }
    data.update({f"item_{k}": v for k, v in scores.items()})
    return data


def sheet_rows(response, name: str):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = openpyxl.load_workbook(io.BytesIO(content))[name]
    return list(ws.iter_rows(values_only=True))


def test_a_new_item_works_end_to_end(
    client, world, example_estate, safety_scheme, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.meiyuan_clerk)

    # the htmx checklist follows the year: 安全 in 2021, not in 2019
    html = client.get(
        reverse("assessments:inspection_checklist"), {"estate_code": "SL001", "date": "2021-03-05"}
    ).content.decode()
    assert "安全（满分5.0）" in html and "设施（满分5.0）" in html
    html = client.get(
        reverse("assessments:inspection_checklist"), {"estate_code": "SL001", "date": "2019-03-05"}
    ).content.decode()
    assert "安全" not in html and "设施（满分10.0）" in html

    # 1. the entry form
    r = client.post(
        reverse("assessments:inspection_new"),
        entry(
            "SL001",
            "2021-03-05",
            {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "4", "safety": "4.5"},
        ),
    )
    assert r.status_code == 302, r.content.decode()
    by_form = Inspection.objects.get()
    assert by_form.scores == {
        "cleanliness": "14.0",
        "order": "13.0",
        "greening": "9.0",
        "facilities": "4.0",
        "safety": "4.5",
    }
    assert by_form.total == Decimal("44.5")
    # 安全 is required in 2021 ...
    r = client.post(
        reverse("assessments:inspection_new"),
        entry("SL001", "2021-03-06", {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "4"}),
    )
    assert r.status_code == 400 and "请填写安全得分（满分5分）" in r.content.decode()
    # ... and above its maximum refused
    r = client.post(
        reverse("assessments:inspection_new"),
        entry(
            "SL001",
            "2021-03-06",
            {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "4", "safety": "6"},
        ),
    )
    assert r.status_code == 400 and "安全得分不能超过满分5分" in r.content.decode()
    assert Inspection.objects.count() == 1

    # 2. the import: the template carries the new column, and a file with it is accepted
    template = client.get(reverse("assessments:inspection_import_template"))
    header = next(r for r in sheet_rows(template, "检查记录") if r[0] == "小区编码")
    assert list(header) == [
        "小区编码",
        "检查日期",
        "检查人",
        "检查类型",
        "保洁",
        "秩序",
        "绿化",
        "设施",
        "安全",
        "备注",
    ]
    upload = xlsx(
        tmp_path / "inspections.xlsx",
        [
            list(header),
            ["SL001", dt.date(2021, 6, 1), "李四", "街道日常检查", 15, 14, 8, 5, 3.5, None],
        ],
    )
    call_command("import_inspections", upload, "--as", "meiyuan_clerk")
    by_file = Inspection.objects.get(inspector_name="李四")
    assert by_file.scores["safety"] == "3.5" and by_file.total == Decimal("45.5")

    # 3. the API: the scores of the scheme's items, and each inspection says which items it has
    api = APIClient()
    api.force_authenticate(world.meiyuan_clerk)
    r = api.post(
        reverse("api:inspection-list"),
        {
            "estate_code": "SL001",
            "date": "2021-09-01",
            "inspector_name": "王五",
            "scores": {"cleanliness": "13", "order": "12", "greening": "8", "facilities": "5", "safety": "5"},
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["total"] == "43.0" and r.data["scores"]["safety"] == "5.0"
    assert [i["name"] for i in r.data["items"]] == ["保洁", "秩序", "绿化", "设施", "安全"]
    r = api.post(
        reverse("api:inspection-list"),
        {
            "estate_code": "SL001",
            "date": "2021-09-02",
            "inspector_name": "王五",
            "scores": {"cleanliness": "13", "order": "12", "greening": "8", "facilities": "5"},
        },
        format="json",
    )
    assert r.status_code == 400 and "请填写安全得分" in str(r.data["errors"]["safety"])
    assert Inspection.objects.count() == 3

    # 4. the cycle scores by the 2021 scheme: mean of 44.5, 45.5, 43.0 = 44.33 (of 50)
    call_command("run_cycle", str(NEW_YEAR))
    result = EstateResult.objects.get(estate=example_estate, year=NEW_YEAR, is_current=True)
    assert result.scheme_version == safety_scheme.version and result.inspections_counted == 3
    assert result.management == Decimal("44.33")

    # 5. the inspections export has the 安全 column with its scores
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("assessments:inspection_export"), {"year": str(NEW_YEAR)})
    assert r.status_code == 302
    job = Job.objects.get(kind="export_inspections")
    assert job.status == "succeeded", job.error
    rows = sheet_rows(client.get(reverse("core:job_download", args=[job.pk])), "检查记录")
    start = next(i for i, row in enumerate(rows) if row[0] == "区")
    header, data = rows[start], rows[start + 1 :]
    assert header[-4:] == ("设施", "安全", "合计", "备注")
    by_inspector = {row[header.index("检查人")]: row for row in data}
    assert by_inspector["李四"][header.index("安全")] == 3.5
    assert by_inspector["张三"][header.index("合计")] == 44.5


def test_the_earlier_scheme_keeps_its_items(
    client, world, example_estate, safety_scheme, tmp_path, django_capture_on_commit_callbacks
):
    """2019 is scored by version 1: 设施 out of 10, no 安全 (a 安全 score is refused)."""
    client.force_login(world.meiyuan_clerk)
    r = client.post(
        reverse("assessments:inspection_new"),
        entry("SL001", "2019-03-05", {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"}),
    )
    assert r.status_code == 302
    api = APIClient()
    api.force_authenticate(world.meiyuan_clerk)
    r = api.post(
        reverse("api:inspection-list"),
        {
            "estate_code": "SL001",
            "date": "2019-04-01",
            "inspector_name": "王五",
            "scores": {"cleanliness": "13", "order": "12", "greening": "8", "facilities": "9", "safety": "5"},
        },
        format="json",
    )
    assert r.status_code == 400 and "没有“安全”项目" in str(r.data["errors"]["safety"])
    call_command(
        "import_inspections",
        xlsx(
            tmp_path / "old.xlsx",
            [
                SHIPPED_TEMPLATE,
                ["SL001", dt.date(2019, 9, 12), "李四", None, 15, 14, 8, 9, None],
            ],
        ),
        "--as",
        "meiyuan_clerk",
    )
    call_command("run_cycle", "2019")
    result = EstateResult.objects.get(estate=example_estate, year=2019, is_current=True)
    assert (result.scheme_version, result.management) == (1, Decimal("45.00"))  # the worked example
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:inspection_export"), {"year": "2019"})
    job = Job.objects.get(kind="export_inspections")
    rows = sheet_rows(client.get(reverse("core:job_download", args=[job.pk])), "检查记录")
    header = next(row for row in rows if row[0] == "区")
    assert "安全" not in header and header[-3:] == ("设施", "合计", "备注")
    # the same workbook from the command line, for the new scheme's year: 安全 is a column
    out = tmp_path / "inspections_2021.xlsx"
    call_command("export_inspections", str(NEW_YEAR), "--out", str(out))
    header = next(row for row in openpyxl.load_workbook(out)["检查记录"].iter_rows(values_only=True) if row[0] == "区")
    assert header[-4:] == ("设施", "安全", "合计", "备注")


def test_an_import_without_the_new_column_is_refused_naming_it(world, example_estate, safety_scheme, tmp_path, capsys):
    old_layout = xlsx(
        tmp_path / "old_layout.xlsx",
        [
            SHIPPED_TEMPLATE,
            ["SL001", dt.date(2021, 6, 1), "李四", None, 15, 14, 8, 5, None],
        ],
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_inspections", old_layout, "--as", "meiyuan_clerk")
    assert "缺少必需的列：安全" in str(exc.value)
    assert "安全" in capsys.readouterr().err
    assert not Inspection.objects.exists()


def test_the_shipped_template_is_the_contract(client, world):
    client.force_login(world.meiyuan_clerk)
    template = client.get(reverse("assessments:inspection_import_template"))
    header = next(r for r in sheet_rows(template, "检查记录") if r[0] == "小区编码")
    assert list(header) == SHIPPED_TEMPLATE


@pytest.mark.parametrize(
    ("persona", "payload", "status", "text"),
    [
        ("meiyuan_clerk", {"scores": {"cleanliness": {"x": 1}}}, 400, "cleanliness"),
        ("meiyuan_clerk", {"scores": "14"}, 400, "scores"),
        (
            "meiyuan_clerk",
            {"scores": {"cleanliness": "abc", "order": "13", "greening": "9", "facilities": "8"}},
            400,
            "保洁得分不是有效的数字",
        ),
        ("meiyuan_clerk", {"estate_code": "NH101"}, 400, "小区编码不存在"),
        ("auditor", {}, 403, "您没有执行此操作的权限"),
    ],
)
def test_bad_api_entries_are_refused_in_chinese(world, persona, payload, status, text):
    api = APIClient()
    api.force_authenticate(world.users[persona])
    body = {
        "estate_code": "MY101",
        "date": "2019-03-05",
        "inspector_name": "王五",
        "scores": {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
        **payload,
    }
    r = api.post(reverse("api:inspection-list"), body, format="json")
    assert r.status_code == status and text in str(r.data), r.data
    assert not Inspection.objects.exists()


def test_an_api_draft_is_not_counted(world):
    api = APIClient()
    api.force_authenticate(world.meiyuan_clerk)
    r = api.post(
        reverse("api:inspection-list"),
        {
            "estate_code": "MY101",
            "date": "2019-03-05",
            "inspector_name": "王五",
            "scores": {"cleanliness": "14"},
            "draft": True,
        },
        format="json",
    )
    # a draft may be incomplete (issue 20: drafts save what is typed); its empty items stay empty
    assert r.status_code == 201 and r.data["status"] == "draft", r.data
    assert [i["score"] for i in r.data["items"]] == ["14.0", None, None, None]
    Inspection.objects.filter(pk=r.data["id"]).delete()
    r = api.post(
        reverse("api:inspection-list"),
        {
            "estate_code": "MY101",
            "date": "2019-03-05",
            "inspector_name": "王五",
            "scores": {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
            "draft": True,
        },
        format="json",
    )
    assert r.status_code == 201 and r.data["status"] == "draft"
    assert r.data["items"][0] == {"code": "cleanliness", "name": "保洁", "max_points": "15.0", "score": "14.0"}
