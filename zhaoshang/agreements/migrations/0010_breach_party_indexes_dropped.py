# Issue 19: every index of the breaches is written for every breach the daily scan records
# (150,000 at its first run over 100,000 projects). The project's and the enterprise's dropped:
# no read finds breaches by them; only a project's or an enterprise's deletion (PROTECT) does,
# a rare act, now by reading the breaches once. Only the indexes: on SQLite an AlterField would
# rebuild the table.

import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0009_scan_looks"),
        ("enterprises", "0008_district_name_index"),
        ("projects", "0023_search_seek"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="obligationbreach",
                    name="enterprise",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="breaches",
                        to="enterprises.enterprise",
                        verbose_name="enterprise",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationbreach",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="breaches",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "agreements_obligationbreach", ["project_id", "enterprise_id"]
                ),
            ],
        ),
    ]
