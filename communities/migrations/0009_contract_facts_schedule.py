"""Every night at 00:05 (Asia/Shanghai): the estates' active-contract facts of the new day
(communities.contract_facts), so that the first visit of 管理覆盖 does not compute them."""

from django.db import migrations

NAME = "管理覆盖：每日更新小区有效合同汇总"


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    night, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="0", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "communities.tasks.refresh_contract_facts_task",
            "crontab": night,
            "enabled": True,
            "description": "按当日有效的物业服务合同更新各小区的委托方与最早到期日（管理覆盖统计用）。",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0008_estate_contract_facts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, unload)]
