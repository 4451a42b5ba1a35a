"""The organisation defaults (issue 6) as data: a committee of 5–11 members, owners at least
half, a term of at most 2 years; warnings 60 days before a term ends and 90 days before a
contract ends."""

from django.db import migrations


def load(apps, schema_editor):
    Norm = apps.get_model("communities", "OrganisationNorm")
    if not Norm.objects.exists():
        Norm.objects.create(committee_min_members=5, committee_max_members=11, committee_min_owner_share="0.50",
                            committee_max_term_months=24, committee_term_warning_days=60, contract_warning_days=90)


class Migration(migrations.Migration):
    dependencies = [("communities", "0004_organisation")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
