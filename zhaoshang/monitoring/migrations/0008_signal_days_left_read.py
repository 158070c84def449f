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

# (index, column); PostgreSQL also has the light's ``_like`` index (a varchar's db_index)
UNUSED = [
    ("monitoring_signal_district_id_f35444c0", "district_id"),
    ("monitoring_signal_light_a604aa47", "light"),
    ("monitoring_signal_content_type_id_3f62ec58", "content_type_id"),
]


def drop_unused(apps, schema_editor):
    for name, _column in UNUSED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}_like"')


def make_unused(apps, schema_editor):
    for name, column in UNUSED:
        schema_editor.execute(f'CREATE INDEX "{name}" ON "monitoring_signal" ("{column}")')
        if column == "light" and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX "{name}_like" ON "monitoring_signal" ("light" varchar_pattern_ops)'
            )


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
            database_operations=[migrations.RunPython(drop_unused, make_unused)],
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
