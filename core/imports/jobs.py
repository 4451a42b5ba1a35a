"""The upload path: the importers by kind, and the Job handler that runs one on an uploaded file."""

from __future__ import annotations

import io
import os

from core.exports import save_file
from core.history import acting_as
from core.jobs import JobRefused, register

from .base import Importer
from .marking import write_marked_copy

MAX_ERRORS_SHOWN = 500
REGISTRY: dict[str, type[Importer]] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    """Make `cls` the importer of its kind: its upload page's job and `import_<kind>` run it."""
    REGISTRY[cls.kind] = cls
    register(f"import_{cls.kind}")(import_job_handler)
    return cls


def importer_for(kind: str) -> type[Importer]:
    return REGISTRY[kind]


def import_job_handler(job, report):
    importer = importer_for(job.kind.removeprefix("import_"))(job.created_by)
    with acting_as(job.created_by):
        outcome = importer.run(
            job.input_file.path, job.input_name or os.path.basename(job.input_file.name), report=report
        )
    if outcome.ok:
        return {"counts": outcome.counts, "rows": outcome.rows_read, "summary": outcome.summary}
    result = {
        "errors": [e.as_dict() for e in outcome.errors[:MAX_ERRORS_SHOWN]],
        "error_count": len(outcome.errors),
        "rows": outcome.rows_read,
    }
    if outcome.raw_rows and outcome.bad_cells:
        buffer = io.BytesIO()
        write_marked_copy(importer, outcome, buffer)
        stem = os.path.splitext(job.input_name or "导入文件")[0]
        name = f"{stem}_错误标注.xlsx"
        save_file(job, buffer.getvalue(), name, stored_as="marked")
    message = outcome.summary if outcome.bad_cells else outcome.errors[0].message
    raise JobRefused(message, result=result)
