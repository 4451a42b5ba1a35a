"""The 11 districts, 江北新区 and the 101 streets and towns exist right after migrate."""

from django.db import migrations


def forwards(apps, schema_editor):
    from communities.units import load_units

    load_units(apps.get_model("communities", "District"), apps.get_model("communities", "Street"))


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
