import secrets

from django.db import migrations, models


def seed(apps, schema_editor):
    apps.get_model("core", "DataStamp").objects.using(schema_editor.connection.alias).create(
        id=1, value=secrets.randbits(62)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_domain_event_recent_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataStamp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "core_datastamp"},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop, elidable=False),
    ]
