"""Formula-like text never leaves as a formula (issue 8, point 7): hostile text is put in every
kind of text field an export shows, then every registered export job (export_*) runs, and the
file handed back from a refused import too; no worksheet of any of them may hold a formula."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest

from core import jobs
from core.models import Job

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
# The exports that must run in this world; an export added later is scanned too (if it runs
# with these parameters) — and listed here once its test world exists.
KNOWN = {
    "export_estates",
    "export_results",
    "export_disputes",
    "export_repairs",
    "export_overdue_disputes",
    "export_overdue_repairs",
    "export_referrals",
    "export_departments",
    "export_filings",
    "export_stations",
}
PARAMS = {"filters": {}, "query": "", "year": 2019}
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formulas_in(path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and FORMULA.search(archive.read(name)):
                found.append(name)
    return found


def hostile_world(world):
    from assessments.cycle import execute_until_settled, start_run
    from disputes import services as cases
    from tests.assessments.conftest import add_fee_rate, add_inspection

    estate = world.estates["MY101"]
    estate.name, estate.address = HOSTILE[0], HOSTILE[1]
    estate.save()
    for i, text in enumerate(HOSTILE):
        case = cases.create_dispute(
            by=world.meiyuan_clerk,
            estate=estate,
            service_code="property_fee",
            party_name=text,
            party_phone="13812345678",
            respondent=text,
            description=text,
            requested_datetime=dt.datetime(2019, 3, 1 + i, 9, 0),
        )
        cases.add_dispute_note(case, by=world.meiyuan_clerk, note=text, at=dt.datetime(2019, 3, 5 + i, 9, 0))
    add_inspection(
        estate,
        world.meiyuan_clerk,
        dt.date(2019, 3, 5),
        {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8},
    )
    add_fee_rate(estate, world.meiyuan_clerk, 2019, "92")
    run = start_run(2019, by=world.city_admin, enqueue=False)
    assert execute_until_settled(run.pk).status == "succeeded"


def load_every_job_handler():
    """What a worker loads: each project app's tasks and exports modules (registering handlers)."""
    import importlib
    import importlib.util

    from django.apps import apps
    from django.conf import settings

    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or "site-packages" in config.path:
            continue
        for module in ("tasks", "exports"):
            if importlib.util.find_spec(f"{config.name}.{module}") is not None:
                importlib.import_module(f"{config.name}.{module}")


def test_no_export_carries_a_formula(world, settings):
    from core.jobs import HANDLERS

    load_every_job_handler()
    hostile_world(world)
    ran = {}
    for kind in sorted(k for k in HANDLERS if k.startswith("export_")):
        job = Job.objects.create(kind=kind, created_by=world.city_admin, params=PARAMS)
        job = jobs.run_job(job.pk)
        if job.status == "succeeded" and job.output_file:
            ran[kind] = job
    failed = {k: Job.objects.filter(kind=k).values_list("status", "error").first() for k in KNOWN - set(ran)}
    assert not failed, failed
    for kind, job in ran.items():
        assert formulas_in(job.output_file.path) == [], kind
    # The hostile text is in the files, as text.
    import openpyxl

    wb = openpyxl.load_workbook(ran["export_estates"].output_file.path)
    texts = [c.value for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert HOSTILE[0] in texts and all(
        c.data_type == "s" for row in wb.active.iter_rows() for c in row if c.value == HOSTILE[0]
    )


def test_the_marked_copy_of_a_refused_import_carries_no_formula(world, tmp_path):
    from tests.hardening.corpus import rows_file
    from tests.hardening.helpers import DISPUTE_HEADERS

    rows = [
        dict(
            zip(
                DISPUTE_HEADERS,
                ["MY101", "2019-03-01", "物业费", text, "1381234567x", None, None, None, text],
                strict=True,
            )
        )
        for text in HOSTILE
    ]
    path = rows_file(tmp_path / "hostile.xlsx", DISPUTE_HEADERS, rows)
    job = Job(kind="import_disputes", created_by=world.meiyuan_clerk, input_name="hostile.xlsx")
    job.input_file.save("hostile.xlsx", open(path, "rb"), save=True)
    job = jobs.run_job(job.pk)
    assert job.status == "failed" and job.output_file, job.error
    assert formulas_in(job.output_file.path) == []
