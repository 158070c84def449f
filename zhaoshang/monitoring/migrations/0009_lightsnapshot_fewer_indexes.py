# Issue 19: the light snapshots' own indexes of the district and of the project dropped (each
# is written for every light the daily scan records; (district, on) and the unique (project,
# on) lead with them). Only the indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0008_signal_days_left_read"),
        ("org", "0006_title_pinyin"),
        ("projects", "0018_project_light_level"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lightsnapshot",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="lightsnapshot",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="light_snapshots",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped("monitoring_lightsnapshot", ["district_id", "project_id"]),
            ],
        ),
    ]
