"""Thin Celery wrappers: each task gets only a job row's id (no personal data in arguments)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import jobs
from .models import Job, JobStatus


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=5)
def run_job_task(self, job_id: int):
    job = jobs.run_job(job_id)
    if job is not None and job.status == JobStatus.QUEUED:
        # The attempt failed and tries are left: back off and take it again.
        raise self.retry(countdown=min(60, settings.JOB_RETRY_BASE_SECONDS * job.attempts))


@shared_task(ignore_result=True)
def sweep_lapsed_jobs():
    """Re-queue jobs whose worker died (lease lapsed); fail those out of tries."""
    from django.conf import settings

    now = timezone.now()
    lapsed = Job.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    lapsed.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS).update(
        status=JobStatus.FAILED, finished_at=now, error="处理进程多次中断，任务已停止，请重新发起。"
    )
    for pk in lapsed.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).values_list("pk", flat=True):
        run_job_task.delay(pk)
    for hook in SWEEP_HOOKS:
        hook(now)


SWEEP_HOOKS = []  # other job tables (cycle runs) register their own sweep here
