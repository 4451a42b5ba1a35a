"""API fuzzing with all of schemathesis' checks, per role (issue 8 point 4, issue 15 point 4).

schemathesis' engine — what `schemathesis run --checks all --mode all` runs: examples, coverage,
fuzzing and stateful phases, positive and negative data — reads the OpenAPI document
drf-spectacular serves at /api/schema/ and sends its requests to the live test server (the test
world plus a dispute and a repair), signed in with a token of one persona of each role. Every
check schemathesis 4.32 knows must pass for every role: no server error; every status code,
content type, header and body documented; schema-valid data accepted and invalid data rejected;
a missing required header refused; unsupported methods 405 with Allow; a deleted object gone, a
created one reachable; auth not ignored. tests/hardening/schemathesis.toml holds the
configuration and its few documented exceptions (docs/api.md).

CI runs a bounded, deterministic profile: a fixed seed, SCHEMATHESIS_MAX_EXAMPLES (default 3)
examples per operation and phase, the coverage phase as city_admin only. A longer run:

    SCHEMATHESIS_MAX_EXAMPLES=50 SCHEMATHESIS_COVERAGE_ROLES=all .venv/bin/python -m pytest tests/hardening/test_api_fuzz.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Transactional: the live server answers from its own thread (on PostgreSQL its own connection);
# serialized_rollback restores the migrated units and policies the flush would drop.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ONE_PER_ROLE = [
    "city_admin",
    "city_finance",
    "auditor",
    "xuanwu_staff",
    "xuanwu_finance",
    "meiyuan_clerk",
    "meiyuan_advisor",
    "evaluator",
]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "15"))


CONFIG = Path(__file__).with_name("schemathesis.toml")


def phases_for(persona):
    """The coverage phase (every boundary and every wrong type of every parameter, unexpected
    methods, missing headers) is most of the run's time: CI runs it as the persona that sees every
    operation's data; the other roles get the examples, fuzzing and stateful phases, under every
    check. SCHEMATHESIS_COVERAGE_ROLES=all runs it for every role."""
    roles = os.environ.get("SCHEMATHESIS_COVERAGE_ROLES", "city_admin").split(",")
    if "all" in roles or persona in roles:
        return ["examples", "coverage", "fuzzing", "stateful"]
    return ["examples", "fuzzing", "stateful"]


def run_all_checks(base_url, headers, phases):
    """The run `schemathesis run --checks all --mode all` does, with tests/hardening/schemathesis.toml:
    every phase, every check. Returns the failures and the operations tried."""
    import schemathesis
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import Status, events, from_schema

    config = SchemathesisConfig.from_path(CONFIG)
    config.update(seed=SEED, max_failures=None)
    project = config.projects.override
    # Generous timeouts: CI shares 2 cores between test processes (a slow answer is not a failure
    # here; the bench measures speed).
    project.update(base_url=base_url, headers=headers, workers=1, request_timeout=120)
    project.generation.update(max_examples=MAX_EXAMPLES, no_shrink=True)
    project.phases.update(phases=phases)
    checks_config = config.projects.get_default().checks_config_for()
    load_all_checks()
    disabled = [name for name in CHECKS.get_all_names() if not checks_config.get_by_name(name=name).enabled]
    assert not disabled, f"every check runs (--checks all); disabled: {disabled}"
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/schema/?format=json", headers=headers, config=config, timeout=120
    )
    failures, operations = [], set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            operations.add(event.recorder.label)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.ERROR:
                        failures.append(f"[{check.name}] {event.recorder.label}: the check raised an error")
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        case = event.recorder.cases[case_id].value
                        failures.append(
                            f"[{check.name}] {event.recorder.label}: {failure.title}\n"
                            f"{failure.message[:600]}\n{case.as_curl_command(headers)[:600]}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error: {event.label} {event.value}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception}")
        elif isinstance(event, events.EngineFinished):
            failures.extend(f"[after run] {failure.title}: {failure.message[:600]}" for failure in event.failures)
    return failures, operations


@pytest.mark.parametrize("persona", ONE_PER_ROLE)
def test_all_checks_pass_for_every_role(world, persona, live_server):
    from rest_framework.authtoken.models import Token

    from tests.disputes.helpers import dispute, repair

    dispute(world, party_name="王小明", party_phone="13812345678")
    repair(world, reporter_name="李秀英", reporter_phone="13987654321")
    token = Token.objects.create(user=world.users[persona])
    headers = {"Authorization": f"Token {token.key}"}
    failures, operations = run_all_checks(live_server.url, headers, phases_for(persona))
    print(f"\n{persona}: {len(operations)} operations × {MAX_EXAMPLES} examples, {len(failures)} failing")
    assert len(operations) > 20
    assert not failures, "\n\n".join(failures)
