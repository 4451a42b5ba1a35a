"""Privacy (issue 8, point 9; PIPL): residents' names and phones on disputes and repairs are
shown in full only to the street clerk of the case's street and the advisor of its community —
masked for every other role, on pages, the API and exports (disputes/privacy.py); and no
personal data reaches a log line or the arguments of a background task in the typical flows."""

from __future__ import annotations

import io
import logging
import re

import pytest
from celery.signals import task_prerun
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.disputes.helpers import dispute, repair
from tests.permission_matrix import PERSONAS

pytestmark = pytest.mark.django_db

NAME, PHONE = "王小明", "13812345678"
REPORTER, REPORTER_PHONE = "李秀英", "13987654321"
HANDLERS = {"meiyuan_clerk", "meiyuan_advisor"}  # MY101's street clerk and community advisor
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


def cases(world):
    d = dispute(world, party_name=NAME, party_phone=PHONE, respondent="赵物业")
    r = repair(world, reporter_name=REPORTER, reporter_phone=REPORTER_PHONE)
    return d, r


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_personal_data_in_full_only_for_the_handling_street_and_community(world, persona):
    d, r = cases(world)
    client = Client()
    client.force_login(world.users[persona])
    seen = 0
    for url, full, masked in (
        (f"/cases/disputes/{d.pk}/", (NAME, PHONE), ("王**", "138****5678")),
        ("/cases/disputes/", (NAME, PHONE), ("王**", "138****5678")),
        (f"/api/disputes/{d.pk}/", (NAME, PHONE), ("王**", "138****5678")),
        ("/api/disputes/", (NAME, PHONE), ("王**", "138****5678")),
        (f"/cases/repairs/{r.pk}/", (REPORTER, REPORTER_PHONE), ("李**", "139****4321")),
        ("/cases/repairs/", (REPORTER, REPORTER_PHONE), ("李**", "139****4321")),
        (f"/api/repairs/{r.pk}/", (REPORTER, REPORTER_PHONE), ("李**", "139****4321")),
        ("/api/repairs/", (REPORTER, REPORTER_PHONE), ("李**", "139****4321")),
    ):
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code in (403, 404), (url, response.status_code)
            continue
        body = response.content.decode()
        if masked[1] not in body and PHONE not in body and REPORTER_PHONE not in body:
            continue  # a list that does not show this case to this persona (or these columns)
        seen += 1
        if persona in HANDLERS:
            assert full[1] in body, (persona, url)  # lists show the phone, details the name too
            assert full[0] in body or "/api/" not in url and "/cases/repairs/" == url, (persona, url)
        else:
            assert not any(v in body for v in full), (persona, url)
            assert masked[1] in body, (persona, url)
    assert seen or persona not in HANDLERS | {"city_admin", "xuanwu_staff", "auditor"}, persona


@pytest.mark.parametrize(("persona", "full"), [("meiyuan_clerk", True), ("xuanwu_staff", False), ("city_admin", False)])
def test_exports_follow_the_same_rule(world, persona, full, django_capture_on_commit_callbacks):
    import openpyxl

    from core.models import Job

    cases(world)
    client = Client()
    client.force_login(world.users[persona])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cases/export/disputes/", {"query": ""})
    job = Job.objects.filter(created_by=world.users[persona]).latest("pk")
    assert job.status == "succeeded", job.error
    content = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    cells = {
        str(c)
        for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        for c in row
        if c
    }
    assert (NAME in cells and PHONE in cells) is full and ("王**" in cells) is not full, cells


# --- logs and task arguments ---------------------------------------------------------------------
@pytest.fixture
def task_arguments():
    seen = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        seen.append((task.name if task else sender, repr(args), repr(kwargs)))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def test_no_personal_data_in_logs_or_task_arguments(
    world, caplog, task_arguments, django_capture_on_commit_callbacks, tmp_path
):
    from tests.hardening.corpus import rows_file
    from tests.hardening.helpers import DISPUTE_HEADERS

    caplog.set_level(logging.DEBUG)
    clerk = Client()
    clerk.force_login(world.meiyuan_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        # a dispute and a repair through the pages and the API
        clerk.post(
            "/cases/disputes/new/",
            {
                "estate": world.estates["MY101"].pk,
                "estate_code": "MY101",
                "service_code": "property_fee",
                "channel": "phone",
                "party_name": NAME,
                "party_phone": PHONE,
                "description": "物业费争议",
                "requested_datetime": "2019-03-01 09:00",
            },
        )
        clerk.post(
            "/api/repairs/",
            {
                "estate_code": "MY101",
                "service_code": "water_pipe",
                "urgency": "urgent",
                "reporter_name": REPORTER,
                "reporter_phone": REPORTER_PHONE,
            },
            content_type="application/json",
        )
        # a ledger import (one good file, one with a bad phone number), an export, a bad login
        rows = [
            dict(
                zip(
                    DISPUTE_HEADERS,
                    ["MY101", "2019-03-01", "物业费", "孙丽华", "13700001111", None, None, None, None],
                    strict=True,
                )
            )
        ]
        good = rows_file(tmp_path / "good.xlsx", DISPUTE_HEADERS, rows)
        clerk.post("/cases/disputes/import/", {"file": SimpleUploadedFile("台账.xlsx", good.read_bytes())})
        rows[0]["联系电话"] = "1370000111x"
        rows[0]["当事人"] = "周建国"
        bad = rows_file(tmp_path / "bad.xlsx", DISPUTE_HEADERS, rows)
        clerk.post("/cases/disputes/import/", {"file": SimpleUploadedFile("台账2.xlsx", bad.read_bytes())})
        clerk.post("/cases/export/disputes/", {"query": f"q={NAME}"})
        Client().post("/accounts/login/", {"username": "meiyuan_clerk", "password": PHONE}, REMOTE_ADDR="10.0.0.9")
    from disputes.models import DisputeCase, RepairRequest

    assert (
        DisputeCase.objects.filter(party_phone=PHONE).exists()
        and RepairRequest.objects.filter(reporter_phone=REPORTER_PHONE).exists()
    )
    assert DisputeCase.objects.filter(party_phone="13700001111").exists()
    assert task_arguments, "the flows ran no background task"
    secrets = (NAME, PHONE, REPORTER, REPORTER_PHONE, "孙丽华", "13700001111", "周建国", "1370000111x")
    lines = [f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    leaks = [line for line in lines if any(s in line for s in secrets)]
    leaks += [str(t) for t in task_arguments if any(s in str(t) for s in secrets)]
    assert not leaks, leaks
    # Every task gets one row id, nothing else.
    assert all(re.fullmatch(r"[\[(]\d+,?[\])]", args) and kwargs == "{}" for _, args, kwargs in task_arguments), (
        task_arguments
    )
    assert len(lines) > 10  # the flows did log (requests, jobs, the failed login)
