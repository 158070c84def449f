"""The short terms' function (``zs_short_grams``, ``projects.search``) parallel restricted
on PostgreSQL: a read of a term's candidates is not handed to a parallel worker, whose start
costs more than the read (the registry searched by 电 at a province of 500,000 projects)."""

from django.db import migrations

from zhaoshang.projects.search import parallel, serial


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0020_search_short_terms"),
    ]

    operations = [
        migrations.RunPython(serial, parallel),
    ]
