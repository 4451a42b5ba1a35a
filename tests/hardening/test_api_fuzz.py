"""API fuzzing (issue 8, point 4): schemathesis generates requests from /api/schema/ (the
OpenAPI document drf-spectacular serves) and sends them, signed in as one persona of each role,
to the application itself (WSGI, in this process, on the test database of the world): 0 server
errors and 0 responses that break the schema (status codes, content types, bodies, headers).

CI runs a bounded profile: every GET operation and a few writes, SCHEMATHESIS_MAX_EXAMPLES (1)
examples each. A longer run on demand:

    SCHEMATHESIS_MAX_EXAMPLES=50 SCHEMATHESIS_ALL_METHODS=1 .venv/bin/python -m pytest tests/hardening/test_api_fuzz.py
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

ONE_PER_ROLE = ["city_admin", "city_finance", "auditor", "xuanwu_staff", "xuanwu_finance", "meiyuan_clerk",
                "meiyuan_advisor", "evaluator"]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "1"))
ALL_METHODS = os.environ.get("SCHEMATHESIS_ALL_METHODS") == "1"
# The writes CI fuzzes: the ones residents' data and money go through.
WRITES = {("POST", "/api/disputes/"), ("POST", "/api/disputes/{id}/step/"), ("POST", "/api/repairs/"),
          ("POST", "/api/repairs/{id}/step/"), ("PATCH", "/api/estates/{id}/"), ("PATCH", "/api/allocations/{id}/")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def fuzz(schema, headers, record):
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        if not ALL_METHODS and method != "GET" and (method, operation.path) not in WRITES:
            continue
        tried += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            record.append(f"{method} {operation.path}: {str(exc)[:800]}")
    return tried


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django's WSGI handler closes the database connection after each request (what the test
    Client switches off too); the test's transaction lives on that connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ONE_PER_ROLE)
def test_no_server_error_and_no_schema_violation(world, persona, wsgi_keeps_the_test_connection):
    from django.core.wsgi import get_wsgi_application
    from rest_framework.authtoken.models import Token

    from tests.disputes.helpers import dispute, repair

    dispute(world, party_name="王小明", party_phone="13812345678")
    repair(world, reporter_name="李秀英", reporter_phone="13987654321")
    token = Token.objects.create(user=world.users[persona])
    headers = {"Authorization": f"Token {token.key}"}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    failures: list[str] = []
    tried = fuzz(schema, headers, failures)
    print(f"\n{persona}: {tried} operations × {MAX_EXAMPLES} examples, {len(failures)} failing")
    assert tried > 20
    assert not failures, "\n\n".join(failures)
