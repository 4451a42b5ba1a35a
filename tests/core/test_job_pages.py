"""A finished job's page shows its final state, not the words of its last step (issue 20
point 14: "汇总社区、街道、区……" and "正在保存……" stayed on finished pages)."""

import pytest
from django.urls import reverse

from core.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_the_final_state_replaces_the_progress_text(client, world, outcome):
    job = Job.objects.create(kind="export_results", title="导出2019年度考核结果", created_by=world.city_admin)
    assert Job.claim(job.pk)
    job.refresh_from_db()
    job.heartbeat(80, "正在保存……")
    client.force_login(world.city_admin)
    running = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "正在保存……" in running
    if outcome == "succeeded":
        job.mark_succeeded({"summary": "已导出 12 个区"})
    else:
        job.mark_failed("磁盘已满")
    job.refresh_from_db()
    assert job.progress_note == (Job.SUCCEEDED_NOTE if outcome == "succeeded" else Job.FAILED_NOTE)
    for url in (reverse("core:job_detail", args=[job.pk]), reverse("core:job_progress", args=[job.pk])):
        page = client.get(url).content.decode()
        assert "正在保存……" not in page
        assert ("已完成（" if outcome == "succeeded" else "未完成：任务已于") in page


def test_a_finished_cycle_run_no_longer_says_it_is_summing_up(client, world):
    from django.core.management import call_command

    from assessments.models import CycleRun

    call_command("run_cycle", "2019")
    run = CycleRun.objects.get(year=2019)
    assert run.status == "succeeded" and run.progress_note == CycleRun.SUCCEEDED_NOTE
    client.force_login(world.city_admin)
    page = client.get(reverse("assessments:run_detail", args=[run.pk])).content.decode()
    assert "汇总社区、街道、区……" not in page and "已完成（" in page
