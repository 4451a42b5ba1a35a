"""The worked example of policy-defaults.md §7 through the pages: a street clerk enters the
inspections on the phone form, the district approves, the clerk reports the fee rate,
city_admin runs the cycle, and the results page and the exported workbook show the score."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assessments.models import CycleRun, EstateResult, FeeRate, Inspection, InspectionPhoto
from core.models import Job

pytestmark = pytest.mark.django_db


def photo(taken="2019:03:05 10:30:00"):
    img = Image.new("RGB", (16, 16), "green")
    exif = Image.Exif()
    exif[306] = taken
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile("现场.jpg", buf.getvalue(), content_type="image/jpeg")


def entry(code, day, scores, **extra):
    data = {
        "estate_code": code,
        "date": day,
        "inspector_name": "张三",
        "source": "street",
        "note": "",
        "action": "submit",
    }
    data.update({f"item_{k}": v for k, v in scores.items()})
    data.update(extra)
    return data


def test_worked_example_through_the_pages(client, world, example_estate, django_capture_on_commit_callbacks):
    client.force_login(world.meiyuan_clerk)
    page = client.get(reverse("assessments:inspection_new"))
    assert page.status_code == 200 and "录入检查" in page.content.decode()
    checklist = client.get(reverse("assessments:inspection_checklist"), {"estate_code": "SL001", "date": "2019-03-05"})
    html = checklist.content.decode()
    assert "保洁（满分15.0）" in html and "设施（满分10.0）" in html

    # htmx: saved, and the form comes back for the next estate without leaving the page
    r = client.post(
        reverse("assessments:inspection_new"),
        entry(
            "SL001",
            "2019-03-05",
            {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
            photos=photo(),
        ),
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "SL001 示例小区：已提交（合计 44.0 分）" in html and 'id="inspection-form"' in html and "<html" not in html
    assert 'value="2019-03-05"' in html  # the date is kept for the next estate
    first = Inspection.objects.get()
    assert first.photos.count() == 1
    assert InspectionPhoto.objects.get().taken_at.date() == dt.date(2019, 3, 5)

    # a bad entry: the form again with the message, nothing written
    r = client.post(
        reverse("assessments:inspection_new"),
        entry("SL001", "2019-09-12", {"cleanliness": "16", "order": "14", "greening": "8", "facilities": "9"}),
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400 and "不能超过满分15分" in r.content.decode()
    assert Inspection.objects.count() == 1

    # without htmx: post, redirect, get
    r = client.post(
        reverse("assessments:inspection_new"),
        entry("SL001", "2019-09-12", {"cleanliness": "15", "order": "14", "greening": "8", "facilities": "9"}),
    )
    assert r.status_code == 302
    assert Inspection.objects.count() == 2

    r = client.post(reverse("assessments:fee_rate_new"), {"estate_code": "SL001", "year": "2019", "rate": "92"})
    assert r.status_code == 302 and FeeRate.objects.get().rate == Decimal("92.00")

    # the district approves one (the clerk cannot review at all)
    assert (
        client.post(reverse("assessments:inspection_review", args=[first.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(world.xuanwu_staff)
    r = client.post(reverse("assessments:inspection_review", args=[first.pk]), {"decision": "approve"})
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.status == "approved" and first.reviewed_by == world.xuanwu_staff

    # city_admin runs the cycle from its page; the task gets only the id
    client.force_login(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("assessments:cycle"), {"year": "2019"})
    run = CycleRun.objects.get()
    assert r.status_code == 302 and r.url == reverse("assessments:run_detail", args=[run.pk])
    progress = client.get(reverse("assessments:run_progress", args=[run.pk])).content.decode()
    assert "已完成" in progress and "100%" in progress and "hx-get" not in progress

    html = client.get(reverse("assessments:result_list"), {"year": "2019", "code": "SL001"}).content.decode()
    for text in ("45.00", "20.00", "8.00", "93.00", "三星"):
        assert text in html
    html = client.get(reverse("assessments:unit_results"), {"year": "2019", "level": "street"}).content.decode()
    assert "梅园新村街道" in html and "93.00" in html

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("assessments:result_export"), {"year": "2019"})
    job = Job.objects.get(kind="export_results")
    assert job.status == "succeeded", job.error
    download = client.get(reverse("core:job_download", args=[job.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = [r for r in wb["考核结果"].iter_rows(values_only=True) if r[3] == "SL001"]
    assert rows == [
        (
            "玄武区",
            "梅园新村街道",
            world.communities["MY1"].name,
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
    ]

    # 公示 with its dates, then the printable list
    r = client.post(reverse("assessments:year_publish", args=[2019]))
    assert r.status_code == 302
    html = client.get(reverse("assessments:publication", args=[2019])).content.decode()
    assert "请选择要打印的区" in html  # the city prints per district
    html = client.get(
        reverse("assessments:publication", args=[2019]), {"district": example_estate.district_id}
    ).content.decode()
    assert "公示日期" in html and "申诉截止" in html and "93.00" in html


def test_street_clerk_appeals_in_the_window_and_district_decides(client, world, example_estate):
    from django.core.management import call_command

    from .conftest import worked_example_inputs

    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    client.force_login(world.city_admin)
    client.post(reverse("assessments:year_publish", args=[2019]))
    result = EstateResult.objects.get(estate=example_estate, is_current=True)
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("assessments:result_list"), {"year": "2019"}).content.decode()
    assert reverse("assessments:appeal_new", args=[result.pk]) in html
    r = client.post(reverse("assessments:appeal_new", args=[result.pk]), {"reason": "第二次检查漏记"})
    appeal = result.appeals.get()
    assert r.status_code == 302
    client.force_login(world.xuanwu_staff)
    r = client.post(
        reverse("assessments:appeal_decide", args=[appeal.pk]), {"decision": "reject", "note": "经核实检查无误"}
    )
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.decided_by == world.xuanwu_staff


def test_a_draft_is_corrected_and_submitted_by_its_author(client, world, example_estate):
    client.force_login(world.meiyuan_clerk)
    client.post(
        reverse("assessments:inspection_new"),
        entry(
            "SL001",
            "2019-03-05",
            {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
            action="draft",
        ),
    )
    draft = Inspection.objects.get()
    assert draft.status == "draft"
    page = client.get(reverse("assessments:inspection_edit", args=[draft.pk])).content.decode()
    assert 'value="14"' in page or 'value="14.0"' in page
    data = entry("SL001", "2019-03-05", {"cleanliness": "15", "order": "13", "greening": "9", "facilities": "8"})
    client.force_login(world.xuanwu_staff)  # a draft is the street's until submitted: not even there for the district
    assert client.post(reverse("assessments:inspection_edit", args=[draft.pk]), data).status_code == 404
    client.force_login(world.meiyuan_clerk)
    assert client.post(reverse("assessments:inspection_edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.total, draft.scores["cleanliness"]) == ("submitted", Decimal("45.0"), "15.0")
    assert draft.history.count() == 2  # the change is in the history
