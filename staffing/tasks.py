"""The organisation reports' exports run as core job handlers; Celery's autodiscovery imports
this module in the worker, which registers them there."""

from . import exports  # noqa: F401  (registering the job handlers)
