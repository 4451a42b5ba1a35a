"""Every night at 03:00: the files of every job (uploads, marked copies, exports) older than
JOB_FILE_RETENTION_DAYS are deleted (core/retention.py)."""

from django.db import migrations

NAME = "清理超过保留期的任务文件"
TASK = "core.tasks.purge_job_files_task"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={
        "task": TASK, "crontab": schedule, "enabled": True,
        "description": "删除超过保留期（默认30天）的导入文件、错误标注文件和各类导出文件；任务记录保留。",
    })


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_date_plausibility_validators"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
