"""Thin Celery wrappers: each task gets only a row's id."""

from celery import shared_task
from django.conf import settings

from core.models import JobStatus

from . import cycle
from .services import send_readiness_reminder


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=5)
def run_cycle_task(self, run_id: int):
    run = cycle.execute(run_id)
    if run is not None and run.status == JobStatus.QUEUED:
        # The attempt failed and tries are left: back off and take it again.
        raise self.retry(countdown=min(60, settings.JOB_RETRY_BASE_SECONDS * run.attempts))


@shared_task(ignore_result=True)
def yearly_readiness_reminder():
    """15 January (django-celery-beat): tell city_admin the previous year is ready to run,
    with the readiness report. It does not start the cycle."""
    send_readiness_reminder()
