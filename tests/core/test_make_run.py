"""`make run` as a newcomer and a process supervisor use it: it serves, and Ctrl-C or a SIGTERM
sent to make stops the web server and the worker both, leaving nothing running and nothing new in
the checkout (kombu's filesystem broker keeps its control exchange under var/, not ./control).

These drive the Makefile's `serve` target (what `make run` ends in, after migrating and loading the
demo city, which would take a minute here) on a fresh SQLite database in a temporary VAR_DIR."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path) -> dict[str, str]:
    """The environment of a fresh machine: no DATABASE_URL, no broker, no cache server."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "REDIS_URL", "CACHE_URL"))
    }
    env["VAR_DIR"] = str(var_dir)
    env.pop("MAKEFLAGS", None)
    return env


def processes_mentioning(text: str) -> list[str]:
    """Live (not zombie) processes whose command line holds `text`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(f"{proc.name}: {cmdline}")
    return found


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=embedded_env(var_dir),
        check=True,
        capture_output=True,
    )
    return var_dir


@pytest.mark.parametrize("how", ["SIGTERM to make", "Ctrl-C"])
def test_make_serve_stops_server_and_worker(migrated_var, how):
    if not (ROOT / ".venv" / "bin" / "celery").exists():
        pytest.skip("needs the project's .venv (make install)")
    port = free_port()
    before = git_status()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        env=embedded_env(migrated_var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or make.poll() is not None:
                    pytest.fail("make serve did not start serving")
                time.sleep(0.5)
        deadline = time.monotonic() + 30
        while not processes_mentioning(f"--schedule {migrated_var}"):
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.5)

        if how == "Ctrl-C":
            os.killpg(make.pid, signal.SIGINT)  # what the terminal sends to its foreground group
        else:
            make.send_signal(signal.SIGTERM)  # a supervisor signals make alone
        make.wait(timeout=30)

        deadline = time.monotonic() + 20
        while left := processes_mentioning(f"runserver 127.0.0.1:{port}") + processes_mentioning(
            f"--schedule {migrated_var}"
        ):
            assert time.monotonic() < deadline, f"still running after {how}: {left}"
            time.sleep(0.5)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    assert not (ROOT / "control").exists()
    assert git_status() == before
