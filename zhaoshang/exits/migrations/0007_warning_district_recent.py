# Issue 19.3: a district's warnings newest first (the desk, the API and the admin of a
# district-wide role read them by the warning's own district, ``district_follows_project``),
# off an index in that order, rather than every warning of the district's projects sorted.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exits", "0006_warning_status_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="exitwarning",
            index=models.Index(
                fields=["district", "raised_on", "id"], name="warning_district_recent"
            ),
        ),
    ]
