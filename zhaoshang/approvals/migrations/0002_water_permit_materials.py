"""Districts seeded before 水资源论证报告 existed: their 取水许可 (XM-08) asks for it too."""

from django.db import migrations


def attach(apps, schema_editor):
    MaterialType = apps.get_model("projects", "MaterialType")
    ApprovalItem = apps.get_model("approvals", "ApprovalItem")
    report = MaterialType.objects.filter(code="water_resource_report").first()
    if report is None:
        return
    for item in ApprovalItem.objects.filter(code="XM-08", name="取水许可"):
        item.materials.add(report)


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
        ("projects", "0004_water_resource_report"),
    ]
    operations = [migrations.RunPython(attach, migrations.RunPython.noop)]
