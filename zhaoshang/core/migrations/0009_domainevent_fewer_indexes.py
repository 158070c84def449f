# Issue 19: every index of the domain events is written for every event the daily scan logs
# (250,000 at its first run over 100,000 projects). Dropped, as no read needs them: the time
# alone and the verb alone (the pages order by time off the composite indexes; the admin lists
# the log by id and offers the registered verbs), the content type alone (the composites lead
# with it). The actor's index keeps only the events someone did (the scan's have no actor):
# a person's deletion still finds theirs. Only the indexes: on SQLite an AlterField would
# rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import zhaoshang.core.clock
from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0008_domainevent_district_after"),
        ("org", "0006_title_pinyin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # the partial index made before the full one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="domainevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="domainevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="domainevent",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                migrations.AlterField(
                    model_name="domainevent",
                    name="occurred_at",
                    field=models.DateTimeField(
                        default=zhaoshang.core.clock.now, verbose_name="occurred at"
                    ),
                ),
                migrations.AlterField(
                    model_name="domainevent",
                    name="verb",
                    field=models.CharField(max_length=64, verbose_name="event"),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "core_domainevent",
                    ["actor_id", "content_type_id", "occurred_at", "verb"],
                    texts=["verb"],
                ),
            ],
        ),
    ]
