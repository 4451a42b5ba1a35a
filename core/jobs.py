"""Running long work (长任务): claim, keep the lease alive, record the outcome.

A job handler is a function `handler(job, report)` registered under the job's kind; `report(done,
total, note)` moves the progress bar and renews the lease. The Celery task (core.tasks.run_job)
and the management commands call `execute`, so both paths run the same code.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, transaction

from .models import Job, JobBase, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Table:
    """A table of long work (Job, assessments' CycleRun): how an id of it is queued (its Celery
    task) and what a job says when its worker died too often."""

    queue: Callable[[int], object]
    gave_up: str


# Filled in AppConfig.ready(): core registers Job, assessments CycleRun. The runner and the sweep
# below serve every table, and this module never imports a task module (the tasks import it).
TABLES: dict[type[JobBase], Table] = {}


def register_table(model: type[JobBase], queue: Callable[[int], object], gave_up: str) -> None:
    TABLES[model] = Table(queue, gave_up)


class JobRefused(Exception):
    """The work cannot be done as asked (bad file, closed year...): the message is for the
    user, in Chinese; the job fails at once without retries. `result` is kept on the job (the
    error table of an import)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


def register_handler(kind: str, handler: Callable) -> None:
    """Make `handler(job, report)` the one that runs jobs of `kind`. Called from an app's
    AppConfig.ready() (never as a side effect of importing the handler's module), so a worker,
    a command and the web process register the same handlers whatever they import."""
    HANDLERS[kind] = handler


def register(kind: str):
    """`register_handler` as a decorator, for core's own registries (exports, importers)."""

    def decorator(func):
        register_handler(kind, func)
        return func

    return decorator


class LeaseKeeper:
    """Renews a running job's lease from a background thread while the handler works, so a
    long step between progress reports does not let the lease lapse."""

    def __init__(self, job: JobBase):
        self.job = job
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)

    def _run(self):
        try:
            while not self.stop.wait(self.interval):
                type(self.job)._default_manager.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
                    lease_expires_at=_lease_deadline()
                )
        finally:
            from django.db import connection

            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        return False


def _lease_deadline():
    import datetime as dt

    from django.utils import timezone

    return timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def make_reporter(job: JobBase, min_step: int = 1):
    state = {"last": -1}

    def report(done: int, total: int, note: str | None = None):
        pct = int(done * 100 / total) if total else 100
        pct = min(pct, 99)  # 100 is reserved for "written and done"
        if pct - state["last"] >= min_step or note:
            state["last"] = pct
            job.heartbeat(progress=pct, note=note)

    return report


def execute(model: type[JobBase], pk, handler: Callable, *, keep_lease: bool = True) -> JobBase | None:
    """Claim job `pk` of `model` and run `handler(job, report)` on it.

    Returns the job after it ran, or None when it could not be claimed (already done, taken by
    a live worker, or out of tries). A JobRefused fails the job with its message; any other
    error fails it with a short reason and is logged (the traceback never reaches the user)."""
    if not model.claim(pk):
        return None
    job = model._default_manager.get(pk=pk)
    report = make_reporter(job)
    try:
        if keep_lease and not _is_sqlite():
            with LeaseKeeper(job):
                result = handler(job, report)
        else:
            result = handler(job, report)
    except JobRefused as exc:
        job.mark_failed(str(exc), result=exc.result)
    except Exception as exc:  # noqa: BLE001 - a worker must record every failure
        log.error("job %s #%s failed: %s", model.__name__, pk, traceback.format_exc())
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            job.mark_failed(f"处理失败（已尝试 {job.attempts} 次）：{type(exc).__name__}")
        else:
            # Put it back in the queue: the sweeper (or the retry below) takes it again.
            model._default_manager.filter(pk=pk).update(
                status=JobStatus.QUEUED,
                lease_expires_at=None,
                error=f"第 {job.attempts} 次尝试失败：{type(exc).__name__}",
            )
    else:
        job.mark_succeeded(result if isinstance(result, dict) else {})
    job.refresh_from_db()
    return job


def _is_sqlite() -> bool:
    from django.db import connection

    # A second connection writing the lease would wait on SQLite's single write lock while the
    # handler holds it; the embedded default runs one worker, so its lease needs no renewing.
    return connection.vendor == "sqlite"


def run_job(job_id: int) -> JobBase | None:
    job = Job.objects.filter(pk=job_id).only("kind").first()
    if job is None:
        return None
    handler = HANDLERS.get(job.kind)
    if handler is None:
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=f"未知的任务类型：{job.kind}")
        return None
    return execute(Job, job_id, handler)


def execute_until_settled(model: type[JobBase], pk, handler: Callable) -> JobBase | None:
    """Run a job in this process, retrying a failed attempt until it succeeds or runs out of
    tries (what a management command does, with no worker)."""
    job = None
    for _ in range(settings.JOB_MAX_ATTEMPTS):
        job = execute(model, pk, handler) or model._default_manager.filter(pk=pk).first()
        if job is None or job.status != JobStatus.QUEUED:
            break
    return job


# How every job table's Celery task is declared: acknowledged only when done, so a worker lost
# mid-job leaves the message to another (the claim makes a duplicate delivery do nothing).
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "ignore_result": True, "max_retries": 5}


def run_or_retry(task, execute_one: Callable[[int], JobBase | None], pk: int) -> None:
    """The body of every job table's Celery task (core's `run_job_task`, assessments'
    `run_cycle_task`): run the row once (`execute_one(pk)`, which claims it); if the attempt
    failed and tries are left (the row is queued again), back off and let Celery take it again."""
    row = execute_one(pk)
    if row is not None and row.status == JobStatus.QUEUED:
        raise task.retry(countdown=min(60, settings.JOB_RETRY_BASE_SECONDS * row.attempts))


def enqueue(job: JobBase):
    """Queue a job of any registered table for the worker once the transaction that created it
    commits."""
    queue = TABLES[type(job)].queue
    transaction.on_commit(lambda: queue(job.pk))


def sweep_lapsed(now) -> None:
    """Re-queue the jobs of every table whose worker died (lease lapsed); fail those out of tries."""
    for model, table in TABLES.items():
        lapsed = model._default_manager.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now)
        lapsed.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS).update(
            status=JobStatus.FAILED, finished_at=now, error=table.gave_up
        )
        for pk in lapsed.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).values_list("pk", flat=True):
            table.queue(pk)


def run_inline(job: Job) -> JobBase | None:
    """Run a job in this process (management commands: no worker needed)."""
    close_old_connections()
    return execute_until_settled(Job, job.pk, HANDLERS[job.kind])
