"""The default unit scheme of policy-defaults.md §3c (100 points) as data."""

from django.db import migrations


def load(apps, schema_editor):
    UnitScheme = apps.get_model("assessments", "UnitScheme")
    UnitScheme.objects.get_or_create(version=1, defaults={
        "name": "三级考核默认方案", "valid_from_year": 2017, "source_document": "宁政办发〔2017〕215号 九",
        "estate_points": 40, "dispute_points": 20, "staffing_points": 15, "coverage_points": 15, "daily_points": 10,
    })


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_unit_assessment")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
