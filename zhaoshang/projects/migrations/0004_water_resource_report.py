"""水资源论证报告: the report a 取水许可 application rests on (《取水许可和水资源费征收管理条例》
第十一条); the shipped catalogue's XM-08 asks for it."""

from django.db import migrations


def load(apps, schema_editor):
    MaterialType = apps.get_model("projects", "MaterialType")
    MaterialType.objects.update_or_create(
        code="water_resource_report",
        defaults={
            "name": "水资源论证报告",
            "name_en": "Water-resource assessment report",
            "sort_order": 35,  # after the feasibility study
        },
    )


def unload(apps, schema_editor):
    apps.get_model("projects", "MaterialType").objects.filter(
        code="water_resource_report"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_non_negative_amounts")]
    operations = [migrations.RunPython(load, unload)]
