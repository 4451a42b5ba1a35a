"""Real Celery workers on Redis for the fault tests: start one (with a short lease), kill it
with SIGKILL, start another; and a PostgreSQL connection of our own to hold a lock that parks a
worker at a chosen point of its work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.db import connection

from tests.assessments.test_worker import database_url_of_test_db

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


class Worker:
    def __init__(self, tmp_path: Path, media_root: str, broker: str, name: str):
        self.log_path = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_test_db(),
            "CELERY_BROKER_URL": broker,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CONN_MAX_AGE": "0",
            "VAR_DIR": str(tmp_path / f"{name}-var"),
            "MEDIA_ROOT": media_root,
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "JOB_RETRY_BASE_SECONDS": "1",
        }
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
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
                "--include",
                "tests.hardening.fault_handlers",
                "-n",
                f"{name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """kill -9: no warm shutdown, no ack, no cleanup."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(predicate, timeout: float, what: str, worker: Worker | None = None, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.proc.poll() is not None:
            break
        time.sleep(step)
    raise AssertionError(
        f"timed out waiting for {what}" + (f"\n--- worker log ---\n{worker.output()[-4000:]}" if worker else "")
    )


class LockHolder:
    """Our own PostgreSQL connection holding a lock in an open transaction, so a worker that
    needs it waits there — a fault point chosen exactly, not by timing."""

    def __init__(self, sql: str, params=()):
        s = connection.settings_dict
        self.conn = psycopg.connect(
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            dbname=s["NAME"],
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
        )
        self.conn.execute(sql, params)

    def someone_waits(self) -> bool:
        """A backend of another connection is blocked by our lock. (Statistics views are a
        snapshot per transaction, and ours stays open: clear the snapshot first.)"""
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))",
            (self.conn.info.backend_pid,),
        ).fetchone()
        return row[0] > 0

    def activity(self) -> list:
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        return self.conn.execute(
            "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid), left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database()"
        ).fetchall()

    def release(self):
        self.conn.rollback()
        self.conn.close()
