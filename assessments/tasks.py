"""Thin Celery wrappers: each task gets only a row's id."""

from celery import shared_task

from core import jobs

from . import cycle
from .services import send_readiness_reminder


@shared_task(**jobs.TASK_OPTIONS)
def run_cycle_task(self, run_id: int):
    jobs.run_or_retry(self, cycle.execute, run_id)


@shared_task(ignore_result=True)
def yearly_readiness_reminder():
    """15 January (django-celery-beat): tell city_admin the previous year is ready to run,
    with the readiness report. It does not start the cycle."""
    send_readiness_reminder()
