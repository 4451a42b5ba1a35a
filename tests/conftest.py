"""Shared fixtures: the personas of DESIGN.md (a clerk of 梅园新村街道, a clerk of 新街口街道,
玄武区 staff, 鼓楼区 staff, the finance roles, the auditor...), a small world of estates under
them, and the rule that in CI (REQUIRE_SERVICES=1) no test may be skipped."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hyp_settings

hyp_settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hyp_settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hyp_settings.register_profile("long", max_examples=2000, deadline=None)
hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {reason}"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marks
def pytest_collection_modifyitems(config, items):
    """Tests that talk to the real Redis broker — a worker subprocess, a queue purge — share one
    queue, so they must not run beside each other. They are marked `redis`; `make test` runs
    everything else one process per core (pytest-xdist) and then these in one process."""
    for item in items:
        if {"require_redis", "celery_worker_process"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.redis)


# --- services ---------------------------------------------------------------------------------
def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


def redis_reachable() -> bool:
    url = redis_url()
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def empty_broker_queue():
    """Before a test starts real workers: no stale message may be taken for its own — neither one
    left in the queue nor one a killed worker left unacknowledged (Redis hands those out again
    once the visibility timeout passes, to a later test whose row ids start at 1 again)."""
    from config.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge("celery")
        channel.client.delete(channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, dropped at the end without leftovers: a worker subprocess,
    a live server thread or a second connection of a concurrency test may still hold a session
    on PostgreSQL, and DROP DATABASE then fails ("being accessed by other users"), leaving
    test_*_gw0 behind. End those sessions first."""
    yield
    with django_db_blocker.unblock():
        from django.db import connections

        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


@pytest.fixture
def require_postgres():
    if database_vendor() != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/laojiu")


@pytest.fixture
def require_redis():
    if not redis_reachable():
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's work factor is for production; sixteen personas would take seconds each test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def empty_cache() -> None:
    """Empty this test's cache. On Redis only the keys under the test's own prefix go: Django's
    RedisCache.clear() is FLUSHDB, which would also empty the rate-limit counters and cached
    pages of the test running beside it in the other xdist process."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test starts with an empty cache. Local memory is emptied; the shared Redis cache (CI,
    production shape) is kept, but each test writes under a key prefix of its own, so neither a
    parallel test process nor an earlier run can hand it a stale dashboard or a count."""
    import uuid

    from django.core.cache import cache

    if "RedisCache" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(settings, tmp_path):
    """Tasks run eagerly in tests, except those that start a real worker (tests/.../worker)."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    app.conf.task_always_eager = False


# --- the world and its people ----------------------------------------------------------------
from tests.factories import build_world  # noqa: E402


@pytest.fixture
def world(db):
    """Units, communities and estates under 梅园新村街道 and 新街口街道 (玄武区) and 宁海路街道
    (鼓楼区), and a user for every role (the personas); see tests/factories.py."""
    return build_world()


@pytest.fixture
def personas(world):
    return world.users


def login(client, user):
    client.force_login(user)
    return client
