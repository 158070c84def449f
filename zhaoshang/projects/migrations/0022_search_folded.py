"""PostgreSQL: each project's searched texts in one narrow row, folded as the search compares
them, kept by triggers (``projects.search_folded``): the lists that read every match of a
common term (the API's count, an export) read them without the join."""

from django.db import migrations

from zhaoshang.projects.search_folded import install, uninstall


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0021_search_grams_serial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
