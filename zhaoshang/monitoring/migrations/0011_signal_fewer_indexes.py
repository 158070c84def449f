# Issue 19: every index of the signals is written for every signal the daily scan inserts
# (293,000 at its first run over 100,000 projects). The district's own dropped again (0010
# made it for the escalation's districts, which now probe each district off the board's
# index, (district, rank, due_on, id)); the department's keeps only the signals with a
# department (its deletion finds them; an enterprise's obligations and the investment
# schedule have none). Only the indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0010_signal_district_index"),
        ("org", "0006_title_pinyin"),
    ]

    # the partial index made before the full one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="signal",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["department"],
                name="signal_department",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="signal",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.department",
                        verbose_name="responsible department",
                    ),
                ),
                migrations.AlterField(
                    model_name="signal",
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
                field_indexes_dropped("monitoring_signal", ["department_id", "district_id"]),
            ],
        ),
    ]
