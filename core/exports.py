"""Exports (导出): one way to register an export and one way to save a job's file.

An app declares the lists it exports as `Export`s and registers them with `register_exports`
(from the module its AppConfig.ready() imports): each becomes the job kind `export_<name>`, run
by one handler that writes the workbook and stores it on the job. `start_export` makes the job
and queues it. Exports that build their workbook otherwise (a year's results, the allocation
workbook, the change log) and the marked copy of a refused import store their file with
`save_file` / `save_workbook`, so a job's file is saved — and later purged (core/retention.py) —
the same way everywhere."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone

from .jobs import enqueue, register
from .models import Job
from .spreadsheets.writer import XlsxWriter


@dataclass(frozen=True)
class Export:
    """A list that can be exported: its title and `write(workbook, user, params, report) ->
    rows written`, reading `params` (the page's query string) within the user's scope."""

    title: str
    write: Callable[..., int]
    unit: str = "行"  # what a written row is, for the summary: 已导出 N 条 / 个单位
    # The download's name before its time stamp, from the params; the title by default.
    filename: Callable[[QueryDict], str] | None = None


EXPORTS: dict[str, Export] = {}


def stamped(stem: str) -> str:
    """The download's name: `stem_YYYYMMDDHHMM.xlsx`, so two exports of a day stay apart."""
    return f"{stem}_{timezone.localtime():%Y%m%d%H%M}.xlsx"


def save_file(job: Job, content: bytes | IO[bytes], filename: str, stored_as: str = "export") -> None:
    """Store `content` as the job's file (media/jobs/<kind>/…/<stored_as>_<id>.xlsx), offered for
    download as `filename`."""
    body = ContentFile(content) if isinstance(content, bytes) else File(content)
    job.output_file.save(f"{stored_as}_{job.pk}.xlsx", body, save=False)
    type(job)._default_manager.filter(pk=job.pk).update(output_file=job.output_file.name, output_name=filename)


def save_workbook(job: Job, workbook, filename: str, stored_as: str = "export") -> None:
    """Save an XlsxWriter (or openpyxl) workbook as the job's file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    save_file(job, buffer.getvalue(), filename, stored_as)


def export_handler(job: Job, report) -> dict:
    export = EXPORTS[job.kind.removeprefix("export_")]
    params = QueryDict(job.params.get("query", ""), mutable=True)
    workbook = XlsxWriter()
    rows = export.write(workbook, job.created_by, params, report)
    save_workbook(job, workbook, stamped(export.filename(params) if export.filename else export.title))
    return {"rows": rows, "summary": f"已导出 {rows} {export.unit}。"}


def register_exports(exports: dict[str, Export]) -> None:
    for name, export in exports.items():
        if EXPORTS.get(name, export) is not export:
            raise ValueError(f"export {name!r} is registered twice")
        EXPORTS[name] = export
        register(f"export_{name}")(export_handler)


def start_export(user, name: str, query: str, title: str | None = None) -> Job:
    """The job that exports list `name` with the page's filters (`query`), queued."""
    job = Job.objects.create(
        kind=f"export_{name}",
        title=title or f"导出{EXPORTS[name].title}",
        created_by=user,
        params={"query": query[:2000]},
    )
    enqueue(job)
    return job
