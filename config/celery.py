"""The Celery application. Tasks are thin wrappers that get a job row's id (core.jobs)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("laojiu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
