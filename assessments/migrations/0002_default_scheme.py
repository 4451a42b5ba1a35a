"""The default scheme of policy-defaults.md §1–3, present after `migrate` on a fresh database,
and the 15 January reminder (django-celery-beat, editable in the admin)."""

from django.db import migrations

from assessments.defaults import BANDS, CHECKLISTS, DEFAULT_SCHEME, GRADE_BANDS

REMINDER_NAME = "考核提醒：上一年度可以开始计分"
REMINDER_TASK = "assessments.tasks.yearly_readiness_reminder"


def load(apps, schema_editor):
    Scheme = apps.get_model("assessments", "Scheme")
    ChecklistItem = apps.get_model("assessments", "ChecklistItem")
    SchemeBand = apps.get_model("assessments", "SchemeBand")
    GradeBand = apps.get_model("assessments", "GradeBand")
    if not Scheme.objects.filter(version=DEFAULT_SCHEME["version"]).exists():
        scheme = Scheme.objects.create(**DEFAULT_SCHEME)
        for category, items in CHECKLISTS.items():
            for position, (code, name, max_points) in enumerate(items):
                ChecklistItem.objects.create(scheme=scheme, category=category, code=code, name=name,
                                             max_points=max_points, position=position)
        for kind, threshold, points in BANDS:
            SchemeBand.objects.create(scheme=scheme, kind=kind, threshold=threshold, points=points)
        for min_score, grade in GRADE_BANDS:
            GradeBand.objects.create(scheme=scheme, min_score=min_score, grade=grade)

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_month="15", month_of_year="1", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=REMINDER_NAME,
        defaults={"task": REMINDER_TASK, "crontab": schedule, "enabled": True,
                  "description": "每年1月15日提醒市房产局：上一年度可以开始考核计分，并附准备情况（不会自动计分）。"},
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=REMINDER_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
