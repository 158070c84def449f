# Issue 19: the exit warnings' history rows (100,000 at the daily scan's first run over
# 100,000 projects, one per warning raised) are read by warning alone (``id``): their time's
# index dropped; their person's keeps only the rows someone wrote (a person's deletion,
# SET_NULL, finds theirs; the scan's rows have nobody). ``core.history.ScanHistoricalRecords``.
# Only the indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("exits", "0008_warning_district_recent_status"),
        ("org", "0006_title_pinyin"),
        ("projects", "0023_search_seek"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # the partial index made before the full one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="historicalexitwarning",
            index=models.Index(
                condition=models.Q(("history_user__isnull", False)),
                fields=["history_user"],
                name="warning_history_user",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="history_date",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="history_user",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "exits_historicalexitwarning", ["history_date", "history_user_id"]
                ),
            ],
        ),
    ]
