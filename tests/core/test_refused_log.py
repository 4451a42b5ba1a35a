"""Issue 20 point 21: a refused request (403, or 404 — also what an object outside the user's
scope answers) is logged once, on one line naming user, method, path and reason, with no
traceback."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def _handlers_reached(logger_name: str) -> list[logging.Handler]:
    """The handlers a record of `logger_name` reaches, as the logging module walks the
    hierarchy (pytest's capture handlers left out)."""
    found = []
    logger = logging.getLogger(logger_name)
    while logger is not None:
        found += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        if not logger.propagate:
            break
        logger = logger.parent
    return found


def test_a_403_is_one_line_without_traceback(client, world, caplog):
    caplog.set_level(logging.INFO)
    login(client, world.users["auditor"])
    url = reverse("communities:estate_create")
    assert client.get(url).status_code == 403
    records = _request_records(caplog)
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and record.exc_text is None
    line = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert "refused 403" in line
    assert "user=auditor(auditor)" in line and "method=GET" in line and f"path={url}" in line
    assert "reason=您没有执行此操作的权限。" in line


def test_a_404_from_scope_is_one_line(client, world, caplog):
    caplog.set_level(logging.INFO)
    login(client, world.users["ninghai_clerk"])  # 鼓楼区: 梅园新村's estate does not exist for them
    url = reverse("communities:estate_detail", kwargs={"pk": world.estates["MY101"].pk})
    assert client.get(url).status_code == 404
    records = _request_records(caplog)
    assert len(records) == 1
    line = records[0].getMessage()
    assert records[0].exc_info is None
    assert line.startswith("refused 404: user=ninghai_clerk(street_clerk) method=GET path=")
    assert url in line and "reason=" in line


def test_an_unknown_path_says_so(client, world, caplog):
    caplog.set_level(logging.INFO)
    login(client, world.users["auditor"])
    assert client.get("/no-such-page/").status_code == 404
    (record,) = _request_records(caplog)
    assert (
        record.getMessage()
        == "refused 404: user=auditor(auditor) method=GET path=/no-such-page/ reason=not found (or outside the user's scope)"
    )


def test_refused_requests_reach_one_handler_and_the_server_line_is_dropped(settings):
    # The record goes out once: the root's console, not also Django's own console handler.
    assert len(_handlers_reached("django.request")) == 1
    assert len(_handlers_reached("django.server")) == 1
    server = logging.getLogger("django.server")
    record = server.makeRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /x HTTP/1.1", "403", "0"),
        None,
        extra={"status_code": 403},
    )
    assert not server.filter(record)
    ok = server.makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /x HTTP/1.1", "200", "0"),
        None,
        extra={"status_code": 200},
    )
    assert server.filter(ok)


def test_a_server_error_keeps_its_traceback():
    from core.request_log import RefusedRequestFilter

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x",),
        exc_info,
        extra={"status_code": 500, "request": None},
    )
    assert RefusedRequestFilter().filter(record)
    assert record.exc_info is exc_info
