"""Hostile uploads (issue 8, point 7): every file of the corpus (tests/hardening/corpus) and
every row-level trick is uploaded through the real upload page of each importer (小区登记,
检查记录, 矛盾纠纷台账) and refused with a clear Chinese message, writing nothing; the time and
memory of each case are printed (`pytest -s`) and recorded in docs/security.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Job
from tests.hardening.corpus import build, raw_xlsx, rows_file
from tests.hardening.helpers import IMPORT_PATHS, measured

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Built once per test session in a temporary directory (the million-row sheets are 11 MB
    each and take ~3 s to write: never committed)."""
    return build(tmp_path_factory.mktemp("corpus"))


def upload(client, path, url, upload_name, content, capture):
    with capture(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile(upload_name, content)})
    return response


def written_counts(import_path):
    model = import_path.model()
    return model.objects.count(), model.history.count()


def refusal_text(client, response) -> tuple[str, str]:
    """The message the user sees: on the upload page (refused at once) or on the job's page."""
    if response.status_code == 400:
        return "form", response.content.decode()
    assert response.status_code == 302, response.status_code
    job = Job.objects.latest("pk")
    assert job.status == "failed", (job.status, job.result)
    page = client.get(response["Location"]).content.decode()
    return "job", page + job.error


FILE_CASES = [
    "zip_bomb",
    "entity_expansion",
    "external_entity",
    "external_entity_late",
    "corrupt_zip",
    "macro_xlsm",
    "macro_renamed",
    "encrypted",
    "million_rows_declared",
    "million_rows_undeclared",
]


@pytest.mark.parametrize("import_path", IMPORT_PATHS, ids=lambda p: p.name)
@pytest.mark.parametrize("case_name", FILE_CASES)
def test_hostile_file_is_refused_through_the_upload_page(
    world, client, corpus, import_path, case_name, django_capture_on_commit_callbacks
):
    case = corpus[case_name]
    client.force_login(world.meiyuan_clerk)
    before = written_counts(import_path)
    content = case.path.read_bytes()
    with measured() as m:
        response = upload(
            client, case.path, import_path.url, case.upload_name, content, django_capture_on_commit_callbacks
        )
    where, text = refusal_text(client, response)
    print("\n" + m.line(f"{import_path.name}/{case_name} ({where})"))
    assert case.expected in text, text[-2000:]
    assert written_counts(import_path) == before
    assert m.seconds < 10, m.seconds  # the bar is "a few seconds"; generous for a loaded CI machine


ROW_CASES = {
    "zero_width": ("\u200b", "不可见字符"),
    "bom_in_code": ("\ufeff", "不可见字符"),
    "control_char": ("\x07", "不可见字符"),
}


@pytest.mark.parametrize("import_path", IMPORT_PATHS, ids=lambda p: p.name)
def test_good_row_imports_so_the_refusals_below_are_about_the_trick(
    world, client, tmp_path, import_path, django_capture_on_commit_callbacks
):
    client.force_login(world.meiyuan_clerk)
    path = rows_file(tmp_path / "good.xlsx", import_path.headers, [import_path.row(import_path.fresh_code())])
    before = import_path.model().objects.count()
    response = upload(client, path, import_path.url, "good.xlsx", path.read_bytes(), django_capture_on_commit_callbacks)
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and job.status == "succeeded", (job.error, job.result)
    assert import_path.model().objects.count() == before + 1


@pytest.mark.parametrize("import_path", IMPORT_PATHS, ids=lambda p: p.name)
@pytest.mark.parametrize("trick", [*ROW_CASES, "other_scope"])
def test_row_level_tricks_are_refused_and_nothing_is_written(
    world, client, tmp_path, import_path, trick, django_capture_on_commit_callbacks
):
    client.force_login(world.meiyuan_clerk)
    good = import_path.row(import_path.fresh_code())
    if trick == "other_scope":
        bad, expected = import_path.row("NH101"), import_path.other_scope_message  # 鼓楼区's estate
    else:
        char, expected = ROW_CASES[trick]
        code = import_path.fresh_code()
        bad = import_path.row(code[:2] + char + code[2:])
    path = rows_file(tmp_path / "rows.xlsx", import_path.headers, [good, bad])
    before = written_counts(import_path)
    response = upload(client, path, import_path.url, "rows.xlsx", path.read_bytes(), django_capture_on_commit_callbacks)
    _, text = refusal_text(client, response)
    assert expected in text, text[-2000:]
    assert written_counts(import_path) == before  # the good row is not written either


def test_formula_cells_are_read_as_their_cached_values_never_evaluated(
    world, client, tmp_path, django_capture_on_commit_callbacks
):
    """A sheet whose cells hold formulas (one calling out to the web): the importer takes the
    value Excel cached, and nothing is fetched or evaluated."""
    from assessments.models import Inspection

    headers = ["小区编码", "检查日期", "检查人", "检查类型", "保洁", "秩序", "绿化", "设施", "备注"]
    path = tmp_path / "formulas.xlsx"
    raw_xlsx(
        path,
        [],
        row_chunks=[
            '<row r="1">'
            + "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(headers))
            + "</row>",
            '<row r="2"><c r="A2" t="inlineStr"><is><t>MY101</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>2019-03-05</t></is></c>'
            '<c r="C2" t="str"><f>WEBSERVICE("http://127.0.0.1:9/steal")</f><v>张三</v></c>'
            '<c r="D2" t="inlineStr"><is><t>街道日常检查</t></is></c>'
            '<c r="E2"><f>SUM(7,7)</f><v>14</v></c><c r="F2"><f>10+3</f><v>13</v></c>'
            '<c r="G2"><v>9</v></c><c r="H2"><v>8</v></c>'
            '<c r="I2" t="str"><f>HYPERLINK("http://evil.example","点我")</f><v>点我</v></c></row>',
        ],
    )
    client.force_login(world.meiyuan_clerk)
    upload(
        client,
        path,
        "/assessments/inspections/import/",
        "formulas.xlsx",
        path.read_bytes(),
        django_capture_on_commit_callbacks,
    )
    job = Job.objects.latest("pk")
    assert job.status == "succeeded", (job.error, job.result)
    insp = Inspection.objects.get(estate__code="MY101")
    assert insp.inspector_name == "张三" and insp.note == "点我"
    assert insp.scores["cleanliness"] == "14.0" and insp.total_tenths == 440


def test_each_case_stays_far_below_the_memory_bar_in_its_own_process(corpus):
    """Peak resident memory of a fresh process that opens each corpus file with the reader —
    the whole process, Rust parser included (tracemalloc sees only Python objects)."""
    script = (
        "import json,sys,time,django;django.setup();"
        "from core.spreadsheets.reader import open_rows, FileRefused\n"
        "from tests.hardening.helpers import peak_rss_mib\n"
        "t=time.perf_counter();msg=''\n"
        "try:\n  sum(1 for _ in open_rows(sys.argv[1], sys.argv[2]))\n"
        "except FileRefused as e:\n  msg=str(e)\n"
        "print(json.dumps({'s':time.perf_counter()-t,'rss':peak_rss_mib(),'msg':msg}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": "sqlite:///:memory:"}
    baseline = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                script.replace("sum(1 for _ in open_rows(sys.argv[1], sys.argv[2]))", "pass"),
                "x",
                "y",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    print(f"\nbaseline process (Django loaded, nothing read): peak RSS {baseline['rss']:.1f} MiB")
    for name, case in corpus.items():
        out = subprocess.run(
            [sys.executable, "-c", script, str(case.path), case.upload_name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout)
        print(
            f"{name:26} {case.path.stat().st_size:>11,} B  {figures['s']:.3f} s  peak RSS {figures['rss']:.1f} MiB  {figures['msg'][:40]}"
        )
        assert case.expected in figures["msg"], figures
        assert figures["rss"] < 512 and figures["s"] < 5, figures
