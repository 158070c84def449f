# Issue 19: every index of the ledger and of its history is written for every entry the daily
# scan writes (50,000 at its first run over 100,000 projects, each with its history row).
# The district's and the year's indexes become one, (district, year): a district's ledger of a
# year, and the district's alone off its left part. The rule's and the evidence type's are
# dropped: only a rule's or a content type's deletion (PROTECT) would read them. The history
# rows' time index is dropped (read by entry alone), their person's keeps only the rows someone
# wrote (``core.history.ScanHistoricalRecords``). Only the indexes: on SQLite an AlterField
# would rebuild the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhaoshang.core.migrating import field_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0008_entry_fewer_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("org", "0006_title_pinyin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # the indexes made before those they stand in for are dropped
    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["district", "year"], name="entry_district_year"),
        ),
        migrations.AddIndex(
            model_name="historicalledgerentry",
            index=models.Index(
                condition=models.Q(("history_user__isnull", False)),
                fields=["history_user"],
                name="entry_history_user",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
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
                    model_name="ledgerentry",
                    name="evidence_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="rule",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="assessment.assessmentrule",
                        verbose_name="rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="year",
                    field=models.PositiveSmallIntegerField(verbose_name="year"),
                ),
                migrations.AlterField(
                    model_name="historicalledgerentry",
                    name="history_date",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="historicalledgerentry",
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
                    "assessment_ledgerentry", ["district_id", "year", "rule_id", "evidence_type_id"]
                ),
                field_indexes_dropped(
                    "assessment_historicalledgerentry", ["history_date", "history_user_id"]
                ),
            ],
        ),
    ]
