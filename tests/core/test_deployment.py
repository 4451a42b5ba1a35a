"""The production shape of docs/deployment.md: what the image and docker-compose.yml promise."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_secrets_never_enter_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".env.*", ".git", "var"} <= ignored


def test_media_volume_mounts_where_the_image_made_a_writable_folder(compose):
    app = compose["x-app"]
    media = app["environment"]["MEDIA_ROOT"]
    assert f"media:{media}" in app["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"mkdir -p {media}" in dockerfile and "chown -R laojiu /var/lib/laojiu" in dockerfile
    assert dockerfile.index(f"mkdir -p {media}") < dockerfile.index("USER laojiu")


def test_cache_and_broker_use_different_redis_databases(compose):
    env = compose["x-app"]["environment"]
    broker, cache = urlparse(env["CELERY_BROKER_URL"]), urlparse(env["CACHE_URL"])
    assert broker.hostname == cache.hostname and broker.path != cache.path


def test_web_and_worker_have_health_checks(compose):
    for service in ("web", "worker"):
        assert compose["services"][service]["healthcheck"]["test"], service
    assert "/healthz/" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


@pytest.mark.django_db
def test_health_probe_answers_plain_http_to_an_unlisted_host(client, settings):
    """Inside the container the probe asks http://127.0.0.1:8000/healthz/: with DEBUG off
    production redirects plain http to https and refuses hosts it does not serve; the probe
    must get its answer all the same."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["wygl.example.gov.cn"]
    answer = client.get("/healthz/", HTTP_HOST="127.0.0.1:8000")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    # Every other path still gets production's rules.
    assert client.get("/accounts/login/", HTTP_HOST="wygl.example.gov.cn").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
