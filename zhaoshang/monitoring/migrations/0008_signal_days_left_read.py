# The signals' working days left no longer stored (issue 19: they moved every working day,
# so the daily scan rewrote every lit signal, and its place in the board's index, each
# working day): read off the due date instead (``SignalQuerySet.with_days_left``). The
# stored rank tells a dated signal from an undated one by the due date, and the board's
# index orders by it. A generated field's expression cannot be altered: removed and added
# again (before the column it read is dropped).
#
# Three indexes no read uses dropped first (so that SQLite's rebuild of the table for the
# rank does not make them again): the district alone (the composite indexes lead with it),
# the light alone, the content type (only a content type's deletion would read it). Only the
# indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("monitoring", "0007_signal_indexes"),
        ("org", "0006_title_pinyin"),
        ("projects", "0018_project_light_level"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="signal",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
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
                migrations.AlterField(
                    model_name="signal",
                    name="light",
                    field=models.CharField(
                        choices=[("yellow", "Due soon"), ("red", "Overdue")],
                        max_length=10,
                        verbose_name="light",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "monitoring_signal",
                    ["district_id", "light", "content_type_id"],
                    texts=["light"],
                )
            ],
        ),
        migrations.RemoveIndex(
            model_name="signal",
            name="signal_board_order",
        ),
        migrations.RemoveField(
            model_name="signal",
            name="rank",
        ),
        migrations.RemoveField(
            model_name="signal",
            name="days_left",
        ),
        migrations.AddField(
            model_name="signal",
            name="rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.CombinedExpression(
                    models.Case(
                        models.When(light="red", then=models.Value(0)),
                        models.When(light="yellow", then=models.Value(2)),
                        default=models.Value(4),
                        output_field=models.IntegerField(),
                    ),
                    "+",
                    models.Case(
                        models.When(due_on__isnull=True, then=models.Value(1)),
                        default=models.Value(0),
                    ),
                ),
                output_field=models.PositiveSmallIntegerField(),
                verbose_name="order on the board",
            ),
        ),
        migrations.AddIndex(
            model_name="signal",
            index=models.Index(
                fields=["district", "rank", "due_on", "id"], name="signal_board_order"
            ),
        ),
    ]
