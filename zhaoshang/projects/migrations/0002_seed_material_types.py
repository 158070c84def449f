"""The materials a project's stages and approvals ask for (资料库 types)."""

from django.db import migrations

MATERIALS = [
    ("business_license", "营业执照", "Business licence"),
    ("investment_agreement", "投资协议", "Investment agreement"),
    ("feasibility_study", "可研报告", "Feasibility study"),
    ("industry_plan_opinion", "产业规划符合性意见", "Industrial-plan conformity opinion"),
    ("eia_preliminary_opinion", "环评预审意见", "Preliminary environmental opinion"),
    ("land_preliminary_opinion", "用地预审意见", "Preliminary land-use opinion"),
    ("eia_report", "环评报告", "Environmental impact report"),
    ("energy_assessment", "节能评估报告", "Energy assessment report"),
    ("safety_assessment", "安全评价报告", "Safety assessment report"),
    ("land_red_line_map", "用地红线图", "Land red-line map"),
    ("land_transfer_contract", "土地出让合同", "Land transfer contract"),
    ("planning_permit_land", "建设用地规划许可证", "Land-use planning permit"),
    ("planning_permit_works", "建设工程规划许可证", "Construction-works planning permit"),
    ("construction_drawings", "施工图审查合格书", "Construction drawing review certificate"),
    ("construction_permit", "施工许可证", "Construction permit"),
    ("construction_contract", "施工合同", "Construction contract"),
    ("site_photos", "现场照片", "Site photos"),
    ("completion_acceptance", "竣工验收备案表", "Completion acceptance record"),
    ("special_acceptance", "专项验收意见", "Special acceptance opinions"),
    ("trial_production_record", "试生产记录", "Trial production record"),
    ("capacity_statistics", "达产产值统计", "Output statistics at capacity"),
    ("clearance_decision", "清退决定书", "Clearance decision"),
    ("id_documents", "法定代表人身份证明", "Legal representative's identity document"),
]


def load(apps, schema_editor):
    MaterialType = apps.get_model("projects", "MaterialType")
    for i, (code, name, name_en) in enumerate(MATERIALS):
        MaterialType.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": (i + 1) * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
