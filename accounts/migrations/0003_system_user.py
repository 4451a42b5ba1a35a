"""The built-in system account (系统): commands act as it unless --as names a user."""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.hashers import make_password

    User = apps.get_model("accounts", "User")
    User.objects.get_or_create(
        username="system",
        defaults={
            "full_name": "系统",
            "role": "city_admin",
            "is_system": True,
            "is_active": True,
            "password": make_password(None),  # unusable: the account cannot sign in
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
