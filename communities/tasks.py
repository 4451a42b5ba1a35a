"""The registry's long work runs as core job handlers (core.tasks.run_job_task gets the job's
id). Celery's autodiscovery imports this module in the worker, which registers them there: the
estate list export and the 小区登记 import."""

from . import exports, imports  # noqa: F401  (registering their job handlers)
