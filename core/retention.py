"""File retention (文件保留期): the files of every job — uploaded import files, the marked copies
handed back, every export — are deleted JOB_FILE_RETENTION_DAYS (30 by default) after the job
was made. They carry residents' names and phone numbers (dispute and repair ledgers), so none is
kept longer than the person who made it needs to download it; the job row stays (who imported or
exported what, when), without its files. Every night at 03:00 (django-celery-beat,
core.tasks.purge_job_files_task)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Job, JobStatus

FILE_FIELDS = ("input_file", "output_file")


def purge_job_files(now: dt.datetime | None = None) -> int:
    """Delete the files of jobs older than the retention period; the number of jobs purged.

    A job still queued or running keeps its upload: its worker needs it, and a job that never
    finishes is failed by the sweep (core.jobs.sweep_lapsed) and purged the night after."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JOB_FILE_RETENTION_DAYS)
    with_files = Q()
    for name in FILE_FIELDS:
        with_files |= ~Q(**{name: ""})
    old = (
        Job.objects.filter(created_at__lt=cutoff)
        .filter(with_files)
        .exclude(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    )
    n = 0
    for job in old.only("pk", *FILE_FIELDS).iterator():
        for name in FILE_FIELDS:
            field = getattr(job, name)
            if field:
                field.delete(save=False)  # a file already gone is no error
        Job.objects.filter(pk=job.pk).update(**dict.fromkeys(FILE_FIELDS, ""))
        n += 1
    return n
