"""The tallies gained a column (the projects with a red light, ``dashboard.tallies``): the
stored ones, counted without it, are removed; each district is counted again by the next
request that needs it or by the daily scan."""

from django.db import migrations


def remove_tallies(apps, schema_editor):
    apps.get_model("dashboard", "ProjectTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_project_tally"),
    ]

    operations = [
        migrations.RunPython(remove_tallies, migrations.RunPython.noop),
    ]
