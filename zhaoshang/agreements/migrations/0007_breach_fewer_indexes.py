# Issue 19: every index of the breaches is written for every breach the daily scan records
# (150,000 at its first run over 100,000 projects). The district's dropped (no read finds
# breaches by district, and districts are not deleted); the department's keeps only the
# breaches with a department (its deletion finds them; an enterprise's breaches have none).
# Only the indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0006_milestone_open_due_index"),
        ("org", "0006_title_pinyin"),
    ]

    # the partial index made before the full one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="obligationbreach",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["department"],
                name="breach_department",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="obligationbreach",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.department",
                        verbose_name="department",
                    ),
                ),
                migrations.AlterField(
                    model_name="obligationbreach",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "agreements_obligationbreach", ["department_id", "district_id"]
                ),
            ],
        ),
    ]
