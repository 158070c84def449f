"""The search's trigram indexes (issue 19.3, ``projects.search``): pg_trgm GIN indexes on
PostgreSQL; FTS5 trigram tables kept by triggers on SQLite, filled from the rows there in
one statement each."""

from django.db import migrations

from zhaoshang.projects.search import install, uninstall


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0008_district_name_index"),
        ("projects", "0018_project_light_level"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
