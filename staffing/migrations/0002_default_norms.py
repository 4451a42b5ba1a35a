"""The staffing norms of clause 五 (spec/domain.md "Staffing norms") as data."""

from django.db import migrations

NORMS = [
    # level, estates_from, min, max, counted post, deputy director required
    ("district", 0, 5, 7, "staff", False),
    ("street", 0, 3, 5, "staff", True),
    ("street", 100, 5, None, "staff", True),
    ("community", 0, 1, 2, "advisor", False),
]


def load(apps, schema_editor):
    Norm = apps.get_model("staffing", "StaffingNorm")
    for level, estates_from, low, high, post, deputy in NORMS:
        Norm.objects.update_or_create(level=level, estates_from=estates_from, defaults={
            "min_staff": low, "max_staff": high, "counted_post": post, "requires_deputy": deputy,
        })


def unload(apps, schema_editor):
    apps.get_model("staffing", "StaffingNorm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_organisation")]
    operations = [migrations.RunPython(load, unload)]
