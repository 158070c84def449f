# Issue 19.3: a district administrator's list of breaches in the admin (newest first) read
# off an index in that order, not every breach of the city filtered and sorted.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_breach_fewer_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="obligationbreach",
            index=models.Index(
                fields=["district", "occurred_on", "id"], name="breach_district_recent"
            ),
        ),
    ]
