"""Worker faults (issue 8, point 6), with real Celery workers on Redis and PostgreSQL: a worker
killed with SIGKILL in the middle of the cycle or of an export; once its lease lapses (3 s here)
the sweeper re-queues the job, a new worker completes it with 0 lost and 0 duplicated rows and
the same totals; a task that always fails stops after JOB_MAX_ATTEMPTS tries and is marked
failed with its reason on the job page.

The fault points are chosen exactly, not by timing: our own PostgreSQL connection holds a lock
the worker needs at that point, we wait until the worker is blocked on it (pg_stat_activity),
then kill it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from assessments.cycle import run_in_process, start_run
from assessments.models import CycleRun, EstateResult, UnitResult
from communities.models import Estate
from core.models import Job
from core.tasks import run_job_task, sweep_lapsed_jobs
from tests.assessments.conftest import add_fee_rate, add_inspection
from tests.conftest import empty_broker_queue
from tests.hardening.workers import LEASE_SECONDS, LockHolder, Worker, wait_for

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def workers(require_postgres, require_redis, settings, tmp_path):
    """Start workers on demand (non-eager Celery); every one is stopped at the end."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    empty_broker_queue()
    started, holders = [], []

    def start(name: str) -> Worker:
        worker = Worker(tmp_path, str(settings.MEDIA_ROOT), settings.CELERY_BROKER_URL, name)
        started.append(worker)
        return worker

    start.holders = holders
    try:
        yield start
    finally:
        for holder in holders:
            try:
                holder.release()
            except Exception:  # noqa: BLE001 - already released
                pass
        for worker in started:
            worker.kill() if worker.proc.poll() is None else None
            worker.stop()
        app.conf.task_always_eager = True


def lease_lapsed(model, pk):
    return model.objects.filter(pk=pk, status="running", lease_expires_at__lt=timezone.now()).exists()


def scores_for(i):
    return {"cleanliness": 10 + i % 6, "order": 9 + i % 7, "greening": 5 + i % 5, "facilities": 6 + i % 4}


@TRANSACTIONAL
def test_worker_killed_in_the_middle_of_the_cycle_the_run_completes_once(world, workers):
    for i, estate in enumerate(Estate.objects.order_by("code")):
        scores = scores_for(i)
        if estate.category != "renovated":
            scores.pop("facilities")
        add_inspection(estate, world.meiyuan_clerk, dt.date(2019, 3, 5), scores)
        add_fee_rate(estate, world.meiyuan_clerk, 2019, str(70 + i))
    reference = run_in_process(2019, by=world.city_admin)  # the totals a clean run gives
    assert reference.status == "succeeded"
    expected = {r.estate_id: (r.total, r.grade) for r in EstateResult.objects.filter(run=reference)}
    expected_units = UnitResult.objects.filter(run=reference).count()

    # Park the next run at its last step: making itself current locks the current run's row.
    holder = LockHolder("SELECT id FROM assessments_cyclerun WHERE id = %s FOR UPDATE", (reference.pk,))
    workers.holders.append(holder)
    first = workers("cycle-first")
    run = start_run(2019, by=world.city_admin)
    wait_for(holder.someone_waits, 90, "the worker to reach the final step", first)
    run.refresh_from_db()
    assert run.status == "running" and run.attempts == 1 and run.progress > 0, (run.status, run.progress)

    first.kill()
    holder.release()
    wait_for(lambda: lease_lapsed(CycleRun, run.pk), LEASE_SECONDS + 10, "the lease to lapse")
    assert EstateResult.objects.filter(run=run, is_current=True).count() == 0  # nothing half-made is current
    sweep_lapsed_jobs()  # what beat runs every minute
    second = workers("cycle-second")
    wait_for(
        lambda: CycleRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).exists(),
        120,
        "the run to finish",
        second,
    )
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 2 and run.is_current, (run.status, run.error)
    assert "assessments.tasks.run_cycle_task" in second.output()

    rows = EstateResult.objects.filter(run=run)
    assert rows.count() == Estate.objects.count() == len(expected)  # 0 lost
    assert not rows.values("estate").annotate(n=Count("id")).filter(n__gt=1).exists()  # 0 duplicated
    assert {r.estate_id: (r.total, r.grade) for r in rows} == expected  # the same totals
    current = EstateResult.objects.filter(year=2019, is_current=True)
    assert current.count() == len(expected) and set(current.values_list("run_id", flat=True)) == {run.pk}
    assert UnitResult.objects.filter(run=run, is_current=True).count() == expected_units


@TRANSACTIONAL
def test_worker_killed_in_the_middle_of_an_export_the_file_comes_once_and_whole(world, workers, settings):
    import openpyxl

    from communities.exports import start_estate_export

    holder = LockHolder("LOCK TABLE communities_estate IN ACCESS EXCLUSIVE MODE")
    workers.holders.append(holder)
    first = workers("export-first")
    job = start_estate_export(world.xuanwu_staff, {})
    wait_for(holder.someone_waits, 90, "the worker to start reading estates", first)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1

    first.kill()
    holder.release()
    wait_for(lambda: lease_lapsed(Job, job.pk), LEASE_SECONDS + 10, "the lease to lapse")
    sweep_lapsed_jobs()
    second = workers("export-second")
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).exists(), 120, "the export", second
    )
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2, (job.status, job.error)
    client = Client()
    client.force_login(world.xuanwu_staff)
    response = client.get(f"/jobs/{job.pk}/download/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "小区编码" in row)
    column = rows[header].index("小区编码")
    codes = [row[column] for row in rows[header + 1 :] if row[column]]
    expected = set(Estate.objects.visible_to(world.xuanwu_staff).values_list("code", flat=True))
    assert set(codes) == expected and len(codes) == len(expected), codes  # 0 lost, 0 duplicated


@TRANSACTIONAL
def test_a_task_that_always_fails_stops_after_the_bounded_tries_and_says_why(world, workers, settings):
    job = Job.objects.create(kind="test_always_fails", title="模拟故障任务", created_by=world.meiyuan_clerk)
    worker = workers("always-fails")
    run_job_task.delay(job.pk)
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="failed").exists(), 90, "the job to be marked failed", worker)
    job.refresh_from_db()
    assert job.attempts == settings.JOB_MAX_ATTEMPTS == 3
    assert "已尝试 3 次" in job.error and "SimulatedFault" in job.error
    # It stays stopped: no fourth try.
    wait_for(lambda: worker.output().count("模拟的故障") >= 3, 10, "the worker log", worker)
    import time

    time.sleep(3)
    job.refresh_from_db()
    assert job.attempts == 3 and job.status == "failed"
    assert Counter(line for line in worker.output().splitlines() if "SimulatedFault: 模拟的故障" in line).total() == 3
    client = Client()
    client.force_login(world.meiyuan_clerk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "失败" in page and "处理失败（已尝试 3 次）" in page
