"""Celery wrappers of the workbench's periodic work (schedules in django-celery-beat)."""

from celery import shared_task


@shared_task(name="workbench.tasks.morning_reminders_task")
def morning_reminders_task():
    from .services import morning_reminders

    return morning_reminders()


@shared_task(name="workbench.tasks.purge_reminders_task")
def purge_reminders_task():
    from .services import purge_reminders

    return purge_reminders()
