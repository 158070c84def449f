"""The folded rows (``projects.search_folded``) with their project's district (a district's
count reads its rows alone) and in three texts and a flag: the enterprise's name and the
project's, the codes, the keys, and whether the codes or keys hold a character outside
ASCII — a term of Chinese characters reads a row's codes and keys only then. The table made
again and filled from the projects (``install`` drops what was there)."""

from django.db import migrations

from zhaoshang.projects.search_folded import install


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0023_search_seek"),
    ]

    operations = [
        # backwards: 0022's reverse drops the table (its install makes this layout)
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
