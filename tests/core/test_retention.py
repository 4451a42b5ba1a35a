"""File retention: every job's files — uploaded import files, exports of disputes and repairs
(residents' names and phone numbers) — are deleted after JOB_FILE_RETENTION_DAYS, by one purge
in core; the job rows stay, without their files."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core.models import Job
from core.retention import purge_job_files
from tests.disputes.helpers import dispute, repair

pytestmark = pytest.mark.django_db


def workbook_upload(name: str = "小区登记.xlsx") -> io.BytesIO:
    wb = openpyxl.Workbook()
    wb.active.append(["不是模板的表头"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def files_of(job: Job) -> list[str]:
    return [f.name for f in (job.input_file, job.output_file) if f]


def age(job: Job, days: int) -> None:
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_dispute_and_repair_exports_and_an_uploaded_import_file_are_gone_after_the_retention_period(
    client, world, settings, django_capture_on_commit_callbacks
):
    dispute(world, party_name="王小明", party_phone="13812345678")
    repair(world)
    client.force_login(world.users["meiyuan_clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        for list_name in ("disputes", "repairs"):
            client.post(reverse("disputes:export", args=[list_name]), {"query": ""})
        client.post(reverse("communities:estate_import"), {"file": workbook_upload()})
    jobs = list(Job.objects.filter(created_by=world.users["meiyuan_clerk"]).order_by("pk"))
    assert [j.kind for j in jobs] == ["export_disputes", "export_repairs", "import_estates"]
    assert all(j.status in ("succeeded", "failed") for j in jobs), [(j.kind, j.error) for j in jobs]
    names = {j.kind: files_of(j) for j in jobs}
    assert all(names.values()) and all(default_storage.exists(n) for ns in names.values() for n in ns)
    assert jobs[2].input_file  # the uploaded file itself

    days = settings.JOB_FILE_RETENTION_DAYS
    for job in jobs:
        age(job, days - 1)
    assert purge_job_files() == 0  # within the period: kept
    for job in jobs:
        age(job, days + 1)
    assert purge_job_files() == 3
    for job in jobs:
        job.refresh_from_db()
        assert not job.input_file and not job.output_file, job.kind
        assert not any(default_storage.exists(n) for n in names[job.kind]), job.kind
    assert Job.objects.filter(pk__in=[j.pk for j in jobs]).count() == 3  # who exported what stays
    assert purge_job_files() == 0  # nothing left to purge

    response = client.get(reverse("core:job_download", args=[jobs[0].pk]))
    assert response.status_code == 404  # 文件不存在或已过期


def test_a_job_still_waiting_keeps_its_upload(world, settings):
    job = Job(kind="import_estates", created_by=world.users["meiyuan_clerk"], input_name="小区登记.xlsx")
    job.input_file.save("upload.xlsx", workbook_upload(), save=False)
    job.save()
    age(job, settings.JOB_FILE_RETENTION_DAYS + 5)
    assert purge_job_files() == 0
    job.refresh_from_db()
    assert job.input_file and default_storage.exists(job.input_file.name)
