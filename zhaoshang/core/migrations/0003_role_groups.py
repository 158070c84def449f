"""The nine role groups of SPEC §1."""

from django.db import migrations

ROLES = ["admin", "bureau", "leader", "department", "service_center", "park", "supervisor", "enterprise", "city"]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
