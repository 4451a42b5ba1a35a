"""One cache for every process: with Redis configured, Django's RedisCache in a database of its
own (not the broker's); local memory only in the embedded default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def caches_with(**environ) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CACHE_URL", "DATABASE_URL")}
    env.update(environ)
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); {code}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_embedded_default_keeps_local_memory():
    assert caches_with()["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_broker_gives_a_shared_cache_in_the_next_database():
    cache = caches_with(CELERY_BROKER_URL="redis://redis:6379/0")
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://redis:6379/1"


def test_cache_url_names_the_cache_explicitly():
    cache = caches_with(CELERY_BROKER_URL="redis://redis:6379/0", CACHE_URL="redis://cache:6380/5")
    assert cache["LOCATION"] == "redis://cache:6380/5"


def test_two_processes_share_one_cache(require_redis, settings):
    """What one gunicorn worker counts, another sees: a value written by another process is read
    here (with local memory, each process would have its own)."""
    from django.core.cache import cache

    key, value = f"shared-{uuid.uuid4().hex}", uuid.uuid4().hex
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    env = {**os.environ, "CACHE_KEY_PREFIX": prefix}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
            f"from django.core.cache import cache; cache.set({key!r}, {value!r}, 60)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert cache.get(key) == value
    cache.delete(key)
