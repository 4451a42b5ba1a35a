"""Backup and restore (issue 8, point 10): `make backup` on a small database (a scored year with
its subsidy sheet), `make restore` of that file into a new database, which then passes
`manage.py check_invariants` and holds the same rows; a corrupted copy fails the check."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from tests.assessments.test_worker import database_url_of_test_db
from tests.hardening.workers import ROOT

TABLES = [
    "communities_estate",
    "communities_historicalestate",
    "assessments_inspection",
    "assessments_estateresult",
    "assessments_unitresult",
    "assessments_cyclerun",
    "subsidies_allocationsheet",
    "subsidies_allocation",
    "accounts_user",
]


def counts(conninfo: str) -> dict:
    with psycopg.connect(conninfo) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def make(target: str, **variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    variables.setdefault("PY", sys.executable)
    return subprocess.run(
        ["make", "--no-print-directory", target, *[f"{k}={v}" for k, v in variables.items()]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_a_new_database_passes_the_invariants(require_postgres, world, tmp_path):
    from tests.hardening.test_invariants import scored_world, subsidised_world

    scored_world(world)
    subsidised_world(world)  # a second run of 2019, now with a subsidy sheet
    source = database_url_of_test_db()
    dump = tmp_path / "laojiu.dump"
    backup = make("backup", DATABASE_URL=source, BACKUP=str(dump))
    assert backup.returncode == 0 and dump.stat().st_size > 0, backup.stderr

    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored = source.rsplit("/", 1)[0] + "/" + restored_name
    admin = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        result = make("restore", DATABASE_URL=restored, BACKUP=str(dump))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "全部通过" in result.stdout and "subsidies" in result.stdout, result.stdout
        before = counts(source)
        assert (
            before == counts(restored) and before["subsidies_allocation"] > 0 and before["assessments_estateresult"] > 0
        )

        # The check after a restore is not a formality: a damaged copy fails it.
        with psycopg.connect(restored, autocommit=True) as conn:
            conn.execute(
                "UPDATE subsidies_allocationsheet SET total_fen = total_fen + 1 WHERE id = (SELECT min(id) FROM subsidies_allocationsheet)"
            )
        env = {**os.environ, "DATABASE_URL": restored}
        check = subprocess.run(
            [sys.executable, "manage.py", "check_invariants"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert check.returncode == 1 and "分配表的合计等于其明细之和" in check.stderr, check.stderr
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


def test_backup_refuses_without_a_postgres_url():
    result = make("backup", DATABASE_URL="sqlite:///x.sqlite3")
    assert result.returncode != 0 and "请设置 DATABASE_URL" in result.stderr
