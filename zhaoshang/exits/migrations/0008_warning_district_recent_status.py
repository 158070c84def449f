# Issue 19.3: the desk's count (a district's warnings but the excluded) read off
# ``warning_district_recent`` alone, the status in it, not every warning's row looked up.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exits", "0007_warning_district_recent"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="exitwarning", name="warning_district_recent"),
        migrations.AddIndex(
            model_name="exitwarning",
            index=models.Index(
                fields=["district", "raised_on", "id", "status"], name="warning_district_recent"
            ),
        ),
    ]
