"""Every night at 03:00: workbook exports older than 30 days lose their file."""

from django.db import migrations

NAME = "扶持资金：清理30天前的导出文件"
TASK = "subsidies.tasks.purge_old_exports_task"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={
        "task": TASK, "crontab": schedule, "enabled": True, "description": "删除超过保留期（默认30天）的补贴分配表导出文件。",
    })


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0002_default_policies"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
