# Issue 19: the messages' own index of the recipient dropped ((recipient, read_at) leads with
# it; each index is written for every message the daily scan's escalation sends). Only the
# index: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_clock_created_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped("notifications_notification", ["recipient_id"]),
            ],
        ),
    ]
