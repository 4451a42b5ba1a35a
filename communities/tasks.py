"""The registry's long work runs as core job handlers (core.tasks.run_job_task gets the job's
id). Celery's autodiscovery imports this module in the worker, which registers them there: the
estate list export and the 小区登记 import."""

from celery import shared_task

from . import exports, imports  # noqa: F401  (registering their job handlers)


@shared_task(name="communities.tasks.refresh_contract_facts_task")
def refresh_contract_facts_task():
    """Each night just after midnight (django-celery-beat): the estates' active-contract facts of
    the new day, so that the first visit of 管理覆盖 does not wait for them."""
    from .contract_facts import refresh_all

    return refresh_all()
