# The warnings' index of the status made by name, without the ``_like`` index PostgreSQL
# makes beside a varchar's ``db_index`` (no read matches a status by pattern; each index is
# written for every warning the daily scan raises). Only the indexes: on SQLite an
# AlterField would rebuild the table.

from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped

STATUSES = [
    ("warning", "Warning (预警)"),
    ("notice", "Rectification notice (限期整改通知)"),
    ("clearance", "Clearance decision (清退决定)"),
    ("land_recovered", "Land recovered (收回土地)"),
    ("cleared", "Cleared: condition met"),
    ("excluded", "Excluded: delay not the enterprise's own (非企业自身原因)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("exits", "0005_warning_fewer_indexes"),
    ]

    # the new index made before the one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="exitwarning",
            index=models.Index(fields=["status"], name="warning_status"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="exitwarning",
                    name="status",
                    field=models.CharField(
                        choices=STATUSES,
                        default="warning",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped("exits_exitwarning", ["status"], texts=["status"]),
            ],
        ),
    ]
