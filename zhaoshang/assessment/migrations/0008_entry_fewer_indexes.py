# Issue 19: every index of the ledger and of its history is written for every entry the daily
# scan writes (50,000 at its first run over 100,000 projects, each with its history row). The
# person's and the corrected entry's indexes keep only the entries that have one (the scan's
# have neither): a person's deletion and the corrections still find theirs. The history rows
# are read by entry alone (``id``): their other indexes dropped. Only the indexes: on SQLite an
# AlterField would rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


def _history_key(name, to, **options):
    return migrations.AlterField(
        model_name="historicalledgerentry",
        name=name,
        field=models.ForeignKey(
            blank=True,
            db_constraint=False,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+",
            to=to,
            **options,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_dissatisfied_rating_rule"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("org", "0006_title_pinyin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # the partial indexes made before the full ones they stand in for are dropped
    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="entry_created_by",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("corrects__isnull", False)),
                fields=["corrects"],
                name="entry_corrects",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="corrects",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="corrections",
                        to="assessment.ledgerentry",
                        verbose_name="corrects entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                _history_key("corrects", "assessment.ledgerentry", verbose_name="corrects entry"),
                _history_key("created_by", settings.AUTH_USER_MODEL, verbose_name="entered by"),
                _history_key("department", "org.department", verbose_name="department"),
                _history_key("district", "org.district", verbose_name="district"),
                _history_key("evidence_type", "contenttypes.contenttype"),
                _history_key("rule", "assessment.assessmentrule", verbose_name="rule"),
                migrations.AlterField(
                    model_name="historicalledgerentry",
                    name="year",
                    field=models.PositiveSmallIntegerField(verbose_name="year"),
                ),
            ],
            database_operations=[
                field_indexes_dropped("assessment_ledgerentry", ["corrects_id", "created_by_id"]),
                field_indexes_dropped(
                    "assessment_historicalledgerentry",
                    [
                        "corrects_id",
                        "created_by_id",
                        "department_id",
                        "district_id",
                        "evidence_type_id",
                        "rule_id",
                        "year",
                    ],
                ),
            ],
        ),
    ]
