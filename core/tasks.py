"""Thin Celery wrappers: each task gets only a job row's id (no personal data in arguments)."""

from celery import shared_task
from django.utils import timezone

from . import jobs
from .retention import purge_job_files


@shared_task(**jobs.TASK_OPTIONS)
def run_job_task(self, job_id: int):
    jobs.run_or_retry(self, jobs.run_job, job_id)


@shared_task(ignore_result=True)
def sweep_lapsed_jobs():
    """Re-queue jobs of every table (core.jobs.TABLES) whose worker died; fail those out of tries."""
    jobs.sweep_lapsed(timezone.now())


@shared_task(ignore_result=True)
def purge_job_files_task():
    """Every night (django-celery-beat): the files of jobs past JOB_FILE_RETENTION_DAYS."""
    purge_job_files()
