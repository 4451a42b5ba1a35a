"""The nightly purge of allocation exports (0003) is now core's purge of every job's files
(core/migrations/0003_purge_job_files_schedule.py): this schedule row goes."""

from django.db import migrations

NAME = "扶持资金：清理30天前的导出文件"


def drop(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0007_merge_20261205_1717"), ("core", "0003_purge_job_files_schedule")]
    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
