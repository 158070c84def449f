"""The search's short terms read off an index (issue 19.3, ``projects.search``): on
PostgreSQL GIN indexes of each searched text's characters and pairs of characters; on
SQLite the FTS5 trigram tables made again, each text padded so that a term of
one or two characters begins a trigram wherever it stands, with their vocabularies."""

from django.db import migrations

from zhaoshang.projects.search import install, uninstall_short_terms


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0019_search_index"),
    ]

    operations = [
        migrations.RunPython(install, uninstall_short_terms),
    ]
