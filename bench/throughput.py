"""Throughput (bench/run.py): the API under concurrent clients against gunicorn, beside a minimal
view, and the token phase that gives the clients their key."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import (
    BENCH_ENV,
    ROOT,
    log,
)


# --- throughput -----------------------------------------------------------------------------------
def phase_token(args) -> dict:
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    token, _ = Token.objects.get_or_create(user=User.objects.get(username="bench_city"))
    return {"token": token.key}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(port: int, path_for, headers: dict, seconds: float, clients: int = 8) -> dict:
    """`clients` threads, each sending one request after the other (a new connection each, as
    gunicorn's sync workers close it) for `seconds`; completed 200 responses per second."""
    import http.client

    stop = time.perf_counter() + seconds
    counts, errors, latencies = [0] * clients, [0] * clients, [[] for _ in range(clients)]

    def worker(k):
        i = k
        while time.perf_counter() < stop:
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path_for(i), headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[k] += 1
                    latencies[k].append((time.perf_counter() - t) * 1000)
                else:
                    errors[k] += 1
            except OSError:
                errors[k] += 1
            finally:
                conn.close()
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    lat = sorted(x for part in latencies for x in part)
    return {
        "rps": round(sum(counts) / elapsed, 1),
        "requests": sum(counts),
        "errors": sum(errors),
        "p50_ms": round(statistics.median(lat), 1) if lat else None,
    }


def throughput(url: str, token: str, seconds: float, workers: int) -> dict:
    port = free_port()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        api_headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
        floor_headers = {"Host": "127.0.0.1"}
        out = {"workers": workers, "clients": 8, "seconds": seconds}
        # Alternated twice (api, floor, api, floor), the better of each kept: the machine is shared.
        for _ in range(2):
            for name, path_for, headers in [
                ("api", lambda i: f"/api/estates/?page={1 + i % 10}", api_headers),
                ("floor", lambda i: f"/bench-floor/estates/?page={1 + i % 10}", floor_headers),
            ]:
                hammer(port, path_for, headers, min(3.0, seconds), clients=8)  # warm every worker
                got = hammer(port, path_for, headers, seconds, clients=8)
                out.setdefault(name + "_all", []).append(got)
                log(f"  {name}: {got}")
        for name in ("api", "floor"):
            out[name] = max(out[name + "_all"], key=lambda x: x["rps"])
        return out
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
