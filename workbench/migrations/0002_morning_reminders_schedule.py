"""Every morning at WORKBENCH_MORNING_TIME (07:30 Asia/Shanghai): the reminders of items newly
due or overdue; every night at 03:30: reminders older than 184 days are deleted."""

from django.conf import settings
from django.db import migrations

MORNING = "工作台：每日到期与逾期提醒"
PURGE = "工作台：清理184天前的提醒"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hour, minute = (int(part) for part in settings.WORKBENCH_MORNING_TIME.split(":"))
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute), hour=str(hour), day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name=MORNING, defaults={
        "task": "workbench.tasks.morning_reminders_task", "crontab": morning, "enabled": True,
        "description": "为到期（默认24小时内）与逾期的待办事项生成提醒，每项每人一次。"})
    night, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name=PURGE, defaults={
        "task": "workbench.tasks.purge_reminders_task", "crontab": night, "enabled": True,
        "description": "删除超过保留期（默认184天）的提醒。"})


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[MORNING, PURGE]).delete()


class Migration(migrations.Migration):
    dependencies = [("workbench", "0001_reminders_and_home_setting"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
