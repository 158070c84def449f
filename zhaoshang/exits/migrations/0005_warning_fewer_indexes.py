# Issue 19: every index of the exit warnings and of their history is written for every warning
# the daily scan raises (100,000 at its first run over 100,000 projects, each with its history
# row). Dropped, as no read needs them: the district alone (none reads warnings by district,
# and a district is never deleted), the project alone and the rule alone (uniq_exit_warning
# and (rule, status) lead with them), the due date (no list is in its order by default). The
# confirming person's index keeps only the warnings that have one: a person's deletion still
# finds theirs. The history rows are read by warning alone (``id``): their other indexes
# dropped. Only the indexes: on SQLite an AlterField would rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("exits", "0004_one_threshold_table"),
        ("org", "0006_title_pinyin"),
        ("projects", "0018_project_light_level"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # the partial index made before the full one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="exitwarning",
            index=models.Index(
                condition=models.Q(("delay_confirmed_by__isnull", False)),
                fields=["delay_confirmed_by"],
                name="warning_delay_confirmed_by",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="exitwarning",
                    name="delay_confirmed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attribution confirmed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="exitwarning",
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
                    model_name="exitwarning",
                    name="due_on",
                    field=models.DateField(verbose_name="due on"),
                ),
                migrations.AlterField(
                    model_name="exitwarning",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="exit_warnings",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
                migrations.AlterField(
                    model_name="exitwarning",
                    name="rule",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="warnings",
                        to="exits.exitrule",
                        verbose_name="rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="delay_confirmed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attribution confirmed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="district",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="due_on",
                    field=models.DateField(verbose_name="due on"),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="project",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="raised_on",
                    field=models.DateField(verbose_name="raised on"),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="rule",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="exits.exitrule",
                        verbose_name="rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalexitwarning",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("warning", "Warning (预警)"),
                            ("notice", "Rectification notice (限期整改通知)"),
                            ("clearance", "Clearance decision (清退决定)"),
                            ("land_recovered", "Land recovered (收回土地)"),
                            ("cleared", "Cleared: condition met"),
                            (
                                "excluded",
                                "Excluded: delay not the enterprise's own (非企业自身原因)",
                            ),
                        ],
                        default="warning",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
            ],
            database_operations=[
                field_indexes_dropped(
                    "exits_exitwarning",
                    ["delay_confirmed_by_id", "district_id", "due_on", "project_id", "rule_id"],
                ),
                field_indexes_dropped(
                    "exits_historicalexitwarning",
                    [
                        "delay_confirmed_by_id",
                        "district_id",
                        "due_on",
                        "project_id",
                        "raised_on",
                        "rule_id",
                        "status",
                    ],
                    texts=["status"],
                ),
            ],
        ),
    ]
