"""PostgreSQL: ``zs_seek``, a statement run with the tables' whole reads off — the common
check of a short term (``projects.search._pg_common``): a letter nearly every pinyin holds
was checked by reading the table row by row, its characters and pairs computed for each."""

from django.db import migrations

from zhaoshang.projects.search import install_seek, uninstall_seek


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0022_search_folded"),
    ]

    operations = [
        migrations.RunPython(install_seek, uninstall_seek),
    ]
