"""Thin Celery wrappers."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

EXPORT_KINDS = ("export_allocations",)


def purge_old_exports(now=None) -> int:
    """Delete the files of workbook exports older than JOB_FILE_RETENTION_DAYS (30 by default);
    the job rows stay (who exported what, when), without their file."""
    from core.models import Job

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JOB_FILE_RETENTION_DAYS)
    n = 0
    for job in Job.objects.filter(kind__in=EXPORT_KINDS, created_at__lt=cutoff).exclude(output_file=""):
        job.output_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(output_file="")
        n += 1
    return n


@shared_task(ignore_result=True)
def purge_old_exports_task():
    purge_old_exports()
