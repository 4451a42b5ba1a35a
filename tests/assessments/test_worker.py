"""The cycle through a real Celery worker on Redis (not eagerly), and ten simultaneous starts
on PostgreSQL giving exactly one run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections

from assessments.cycle import start_run
from assessments.errors import Refused
from assessments.models import CycleRun, EstateResult
from tests.conftest import empty_broker_queue

from .conftest import worked_example_inputs

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_db() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = s["NAME"]
        if "memory" in str(name):
            pytest.fail(
                "the SQLite test database must be a file for the worker to share it (config/settings.py TEST NAME)"
            )
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(require_redis, settings, tmp_path):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    empty_broker_queue()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "0",
        "VAR_DIR": str(tmp_path / "worker-var"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log = open(tmp_path / "worker.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-n",
            f"assess-test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        app.conf.task_always_eager = True


# Transactional (the worker sees only committed rows); serialized_rollback restores the data of
# the migrations (units, the default scheme, the system account) that the flush removes.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_cycle_runs_through_a_real_worker(celery_worker_process, world, example_estate):
    proc, log = celery_worker_process
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    run = start_run(2019, by=world.city_admin)  # autocommit: the task is sent at once, with the id only
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in ("succeeded", "failed") or proc.poll() is not None:
            break
        time.sleep(0.5)
    log.seek(0)
    output = log.read()
    assert run.status == "succeeded", f"run {run.status}: {run.error}\n--- worker log ---\n{output[-4000:]}"
    assert "assessments.tasks.run_cycle_task[" in output  # the worker, not this process, ran it
    r = EstateResult.objects.get(estate=example_estate, year=2019, is_current=True)
    assert (r.total, r.grade, r.management) == (Decimal("93.00"), "三星", Decimal("45.00"))
    assert run.is_current and run.estates_total == 13


@TRANSACTIONAL
def test_ten_simultaneous_starts_make_exactly_one_run(require_postgres, world):
    barrier = threading.Barrier(10)
    outcomes: list = []
    lock = threading.Lock()

    def start():
        try:
            barrier.wait()
            run = start_run(2019, by=world.city_admin, enqueue=False)
            outcome = ("run", run.pk)
        except Refused as exc:
            outcome = ("refused", exc.message)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=start) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    runs = [o for o in outcomes if o[0] == "run"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(outcomes) == 10 and len(runs) == 1 and len(refused) == 9, outcomes
    assert all("正在进行" in message for _, message in refused)
    assert CycleRun.objects.filter(year=2019).count() == 1
