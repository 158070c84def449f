# The signals' index of the district alone made again (0008 dropped it: a later scan's
# escalation finds its districts off it, 0.03 s rather than 0.16 s off the board's order);
# the index of the district and the light dropped (a district's lights of a colour are read
# on the stored rank, ``light_q``, off the board's index). Only the index: on SQLite an
# AlterField would rebuild the table.

import django.db.models.deletion
from django.db import migrations, models

INDEX = "monitoring_signal_district_id_f35444c0"


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0009_lightsnapshot_fewer_indexes"),
        ("org", "0006_title_pinyin"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="signal",
                    name="district",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "monitoring_signal" ("district_id")',
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="signal",
            name="monitoring__distric_594039_idx",
        ),
    ]
