"""The usual approval chain of an industrial project, to seed a district's catalogue.

It follows the four stages of 工程建设项目审批 (立项用地规划许可 → 工程建设许可 → 施工许可 →
竣工验收) and adds the utility connections (供电、供水、供气) that the work plan puts in the
green channel. District-level items carry the district's promise (3 working days after
complete materials, 10 in special circumstances); items reported upward and utility
connections carry their own limits. 取水许可 keeps its 45 working days by its regulation
as its statutory limit (法定时限) and is promised in 10 under the special procedure.
"""

from __future__ import annotations

from django.db import transaction

from zhaoshang.approvals.choices import ItemLevel, LimitUnit, Phase
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.approvals.services import set_prerequisites
from zhaoshang.org.models import Department
from zhaoshang.projects.models import MaterialType

# department key -> (short names to look for, full name to create if none exists)
DEPARTMENTS = {
    "ndrc": (("发改局",), "区发改局"),
    "land": (("国土局", "自然资源局"), "区自然资源局"),
    "planning": (("规划局", "国土局", "自然资源局"), "区规划局"),
    "eco": (("生态环境局",), "区生态环境局"),
    "works": (("建设局", "住建局"), "区住建局"),
    "safety": (("应急局", "应急管理局"), "区应急管理局"),
    "water": (("水务局",), "区水务局"),
    "power": (("供电公司",), "国网供电公司"),
    "tapwater": (("自来水公司",), "区自来水公司"),
    "gas": (("燃气公司",), "区燃气公司"),
}

# code, name, department, phase, level, limit, unit, prerequisites, materials, legal basis
ITEMS = [
    (
        "XM-01",
        "企业投资项目备案",
        "ndrc",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        (),
        ("business_license", "feasibility_study"),
        "《企业投资项目核准和备案管理条例》",
    ),
    (
        "XM-02",
        "用地预审与选址意见书",
        "land",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("land_red_line_map", "feasibility_study"),
        "《土地管理法》《城乡规划法》",
    ),
    (
        "XM-03",
        "建设用地规划许可证",
        "planning",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-02",),
        ("land_red_line_map", "land_transfer_contract"),
        "《城乡规划法》第三十八条",
    ),
    (
        "XM-04",
        "环境影响评价审批",
        "eco",
        Phase.PROJECT_LAND,
        ItemLevel.REPORTED,
        20,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("eia_report",),
        "《环境影响评价法》第二十二条",
    ),
    (
        "XM-05",
        "节能审查",
        "ndrc",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("energy_assessment",),
        "《固定资产投资项目节能审查办法》",
    ),
    (
        "XM-06",
        "安全条件审查",
        "safety",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("safety_assessment",),
        "《安全生产法》",
    ),
    (
        "XM-07",
        "水土保持方案审批",
        "water",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("feasibility_study",),
        "《水土保持法》",
    ),
    (
        # A statutory limit of its own: the water authority decides within 45 working days
        # of accepting the application. Only projects that draw water themselves need it.
        "XM-08",
        "取水许可",
        "water",
        Phase.PROJECT_LAND,
        ItemLevel.DISTRICT,
        10,
        LimitUnit.WORKDAY,
        ("XM-01",),
        ("feasibility_study", "water_resource_report"),
        "《取水许可和水资源费征收管理条例》第二十二条",
    ),
    (
        "GC-01",
        "建设工程规划许可证",
        "planning",
        Phase.WORKS_PLANNING,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("XM-03",),
        ("planning_permit_land",),
        "《城乡规划法》第四十条",
    ),
    (
        "GC-02",
        "施工图设计文件审查",
        "works",
        Phase.WORKS_PLANNING,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("GC-01",),
        ("planning_permit_works",),
        "《建设工程质量管理条例》",
    ),
    (
        "GC-03",
        "消防设计审查",
        "works",
        Phase.WORKS_PLANNING,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("GC-02",),
        ("planning_permit_works",),
        "《消防法》第十一条",
    ),
    (
        "SG-01",
        "建筑工程施工许可证",
        "works",
        Phase.CONSTRUCTION,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("GC-01", "GC-02", "GC-03", "XM-04"),
        ("construction_drawings", "construction_contract"),
        "《建筑法》第八条",
    ),
    (
        "SZ-01",
        "供电接入",
        "power",
        Phase.UTILITIES,
        ItemLevel.DISTRICT,
        15,
        LimitUnit.NATURAL_DAY,
        ("GC-01",),
        ("planning_permit_works",),
        "《供电营业规则》",
    ),
    (
        "SZ-02",
        "供水接入",
        "tapwater",
        Phase.UTILITIES,
        ItemLevel.DISTRICT,
        10,
        LimitUnit.NATURAL_DAY,
        ("GC-01",),
        ("planning_permit_works",),
        "《城市供水条例》",
    ),
    (
        "SZ-03",
        "供气接入",
        "gas",
        Phase.UTILITIES,
        ItemLevel.DISTRICT,
        10,
        LimitUnit.NATURAL_DAY,
        ("GC-01",),
        ("planning_permit_works",),
        "《城镇燃气管理条例》",
    ),
    (
        "JG-01",
        "消防验收",
        "works",
        Phase.ACCEPTANCE,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("SG-01",),
        ("completion_acceptance",),
        "《消防法》第十三条",
    ),
    (
        "JG-02",
        "规划条件核实",
        "planning",
        Phase.ACCEPTANCE,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("SG-01",),
        ("site_photos",),
        "《城乡规划法》第四十五条",
    ),
    (
        "JG-03",
        "竣工验收备案",
        "works",
        Phase.ACCEPTANCE,
        ItemLevel.DISTRICT,
        3,
        LimitUnit.WORKDAY,
        ("JG-01", "JG-02"),
        ("completion_acceptance",),
        "《建设工程质量管理条例》第四十九条",
    ),
]


# Items a project needs only in some cases, registered one by one rather than with the
# rest of a green-channel project's cases (统一受理).
NOT_IN_GREEN_CHANNEL = frozenset({"XM-08"})

# Items whose law gives longer than the district promises: the statutory limit on record
# (法定时限), the promise (above) under the special procedure.
STATUTORY = {"XM-08": (45, LimitUnit.WORKDAY)}

# The sort order is ten times the position among the items first shipped; an item added
# since slots in between, so that a catalogue seeded before keeps its order around it.
ADDED_SORT_ORDER = {"XM-08": 75}


def _sort_orders() -> dict[str, int]:
    orders, position = {}, 0
    for code, *_rest in ITEMS:
        if code in ADDED_SORT_ORDER:
            orders[code] = ADDED_SORT_ORDER[code]
        else:
            position += 1
            orders[code] = position * 10
    return orders


def _department(district, key: str, found: dict):
    """The department of ``key``: the first of the district's by its short names (``found``:
    the district's departments by short name), else one created."""
    short_names, full_name = DEPARTMENTS[key]
    for short in short_names:
        if short in found:
            return found[short]
    department, _created = Department.objects.get_or_create(
        district=district, name=full_name, defaults={"short_name": short_names[-1]}
    )
    found.setdefault(department.short_name, department)
    return department


@transaction.atomic
def seed_catalogue(district) -> list[ApprovalItem]:
    """Create (or complete) the district's catalogue; existing items keep their settings.
    The district's departments, items and prerequisite links are read once each."""
    materials = {m.code: m for m in MaterialType.objects.all()}
    existing = {i.code: i for i in ApprovalItem.objects.filter(district=district)}
    found: dict = {}
    for department in Department.objects.filter(district=district):
        found.setdefault(department.short_name, department)
    departments: dict = {}
    items: dict[str, ApprovalItem] = {}
    sort_orders = _sort_orders()
    for code, name, dept, phase, level, limit, unit, _pre, mats, basis in ITEMS:
        if dept not in departments:
            departments[dept] = _department(district, dept, found)
        item = existing.get(code)
        if item is None:
            item = ApprovalItem.objects.create(
                district=district,
                code=code,
                name=name,
                department=departments[dept],
                phase=phase,
                level=level,
                time_limit=limit,
                time_limit_unit=unit,
                statutory_limit=STATUTORY.get(code, (limit, unit))[0],
                statutory_limit_unit=STATUTORY.get(code, (limit, unit))[1],
                special_procedure=code in STATUTORY,
                legal_basis=basis,
                in_green_channel=code not in NOT_IN_GREEN_CHANNEL,
                sort_order=sort_orders[code],
            )
            item.materials.add(*[materials[m] for m in mats if m in materials])
        items[code] = item
    linked = set(
        ApprovalItem.prerequisites.through.objects.filter(
            from_approvalitem__district=district
        ).values_list("from_approvalitem_id", flat=True)
    )
    for code, *_rest, prerequisites, _mats, _basis in ITEMS:
        if items[code].pk not in linked and prerequisites:
            set_prerequisites(None, items[code], [items[p] for p in prerequisites])
    return list(items.values())
