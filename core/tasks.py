"""Thin Celery wrappers: each task gets only a job row's id (no personal data in arguments)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import jobs
from .models import JobStatus
from .retention import purge_job_files


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=5)
def run_job_task(self, job_id: int):
    job = jobs.run_job(job_id)
    if job is not None and job.status == JobStatus.QUEUED:
        # The attempt failed and tries are left: back off and take it again.
        raise self.retry(countdown=min(60, settings.JOB_RETRY_BASE_SECONDS * job.attempts))


@shared_task(ignore_result=True)
def sweep_lapsed_jobs():
    """Re-queue jobs of every table (core.jobs.TABLES) whose worker died; fail those out of tries."""
    jobs.sweep_lapsed(timezone.now())


@shared_task(ignore_result=True)
def purge_job_files_task():
    """Every night (django-celery-beat): the files of jobs past JOB_FILE_RETENTION_DAYS."""
    purge_job_files()
