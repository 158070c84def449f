"""Ship GB/T 4754-2017 sections (门类) and divisions (大类) as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.json"


def load(apps, schema_editor):
    IndustryClass = apps.get_model("org", "IndustryClass")
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    by_code = {}
    for row in rows:
        obj, _ = IndustryClass.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent": by_code.get(row["parent"])},
        )
        by_code[row["code"]] = obj


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
