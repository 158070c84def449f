"""The demo's third district, 南城区 (code ``south``), onboarded from its own ledger (issue #20):
the platform holds its departments, parks, industries and people; everything else — its
enterprises, projects at their real stages, agreements and both sides' duties, approval cases
in flight, land parcels, the last months' figures, funds in place and project teams — comes
from the district's spreadsheet (``demo/ledger/make_example.py``, written for this
district as of the last month's end) through the real path: ``manage.py import_ledger``'s
steps with the suggested mapping (but its dry run: the example is known to pass), by the
district's administrator (approval cases in flight are theirs to register), confirmed by the
bureau. The district went live the first working day after
the cut-off (the month's end).

The secretaries have since supplied most of the evidence the import owed; a few items are
still owed (补录待补材料); the departments have finished most cases the ledger had in flight.
"""

from __future__ import annotations

import datetime
import random

from zhaoshang.core.roles import Role
from zhaoshang.demo.ledger.make_example import LedgerNames

CODE, NAME = "south", "南城区"
REGION = "510116"
ZONE = ("SC-ZONE", "南城经济开发区", 16.0)
# (code, name, industry key, area km²)
PARKS = [
    ("SC-NEV", "新能源产业园", "nev", 5.0),
    ("SC-BIO", "生物医药产业园", "bio", 3.5),
    ("SC-EQP", "高端装备产业园", "eqp", 4.0),
    ("SC-DIG", "数字经济产业园", "dig", 2.5),
]
# (key, name, category, GB/T 4754 class)
INDUSTRIES = [
    ("nev", "新能源", "leading", "38"),
    ("bio", "生物医药", "leading", "27"),
    ("eqp", "高端装备制造", "leading", "34"),
    ("dig", "电子信息", "emerging", "39"),
]
# (key, name, short name, kind, head's title)
DEPARTMENTS = [
    ("center", "区政务服务中心", "政务服务中心", "government", "主任"),
    ("bureau", "区投资促进局", "投促局", "government", "局长"),
    ("aic", "区市场监管局", "市场监管局", "government", "局长"),
    ("ndrc", "区发改局", "发改局", "government", "局长"),
    ("econ", "区经信局", "经信局", "government", "局长"),
    ("land", "区自然资源局", "自然资源局", "government", "局长"),
    ("planning", "区规划局", "规划局", "government", "局长"),
    ("eco", "区生态环境局", "生态环境局", "government", "局长"),
    ("works", "区住建局", "住建局", "government", "局长"),
    ("safety", "区应急管理局", "应急管理局", "government", "局长"),
    ("water", "区水务局", "水务局", "government", "局长"),
    ("tax", "区税务局", "税务局", "government", "局长"),
    ("power", "国网南城区供电公司", "供电公司", "utility", "经理"),
    ("tapwater", "区自来水公司", "自来水公司", "utility", "经理"),
    ("gas", "区燃气公司", "燃气公司", "utility", "经理"),
    ("committee", "南城经济开发区管委会", "经开区管委会", "park_committee", "主任"),
    ("perf", "区目标绩效督查室", "督查室", "supervision", "主任"),
]
# (name, title, role, rank, department key, user name or None)
LEADERS = [
    ("邱国栋", "区委副书记、区长", Role.LEADER, "county", None, "leader3"),
    ("曾庆阳", "副区长（分管工业）", Role.LEADER, "county", None, None),
    ("范丽萍", "副区长（分管城建）", Role.LEADER, "county", None, None),
    ("魏东升", "区长助理、南城经济开发区管委会主任", Role.LEADER, "county", "committee", None),
]
STAFF = [
    ("彭晓军", "系统管理员", Role.ADMIN, "general", "bureau", "admin3"),
    ("卢文涛", "局长", Role.BUREAU, "section", "bureau", None),
    ("沈佳怡", "投资促进科科长", Role.BUREAU, "section", "bureau", "bureau3"),
    ("贺明轩", "招商一科科长", Role.BUREAU, "section", "bureau", None),
    ("江晓燕", "招商二科科长", Role.BUREAU, "section", "bureau", None),
    ("戴志勇", "项目服务科科长", Role.BUREAU, "section", "bureau", None),
    ("孟思琪", "招商一科科员", Role.BUREAU, "general", "bureau", None),
    ("韦俊杰", "招商二科科员", Role.BUREAU, "general", "bureau", None),
    ("邵雨欣", "项目服务科科员", Role.BUREAU, "general", "bureau", None),
    ("汤博文", "项目服务科科员", Role.BUREAU, "general", "bureau", None),
    ("毛文静", "主任", Role.SERVICE_CENTER, "section", "center", None),
    ("崔家乐", "项目代办员", Role.SERVICE_CENTER, "general", "center", None),
    ("武晓婷", "经济发展科科长", Role.PARK, "section", "committee", None),
    ("段宏伟", "新能源园服务办主任", Role.PARK, "section", "committee", None),
    ("雷芳", "督查科科长", Role.SUPERVISOR, "section", "perf", None),
]


def onboarded_accounts() -> list[tuple[str, str, str, str]]:
    """(user name, role, name, unit) of 南城区's named demo accounts, for the load summary."""
    return [
        (username, str(role), name, f"{NAME} {title}")
        for name, title, role, _rank, _department, username in (*LEADERS, *STAFF)
        if username
    ]


# The secretaries (section level) and service officers (general) the ledger names.
SECRETARIES = ["贺明轩", "江晓燕", "戴志勇", "武晓婷"]
OFFICERS = ["孟思琪", "韦俊杰", "邵雨欣", "汤博文", "崔家乐"]
# Each other department's head and handler.
HEADS = {
    "aic": ("常永刚", "苏晓梅"), "ndrc": ("夏建华", "钟雅琴"), "econ": ("易振东", "罗晓宇"),
    "land": ("石立国", "万婷婷"), "planning": ("陶明", "廖佳琪"), "eco": ("黎建设", "龚丽"),
    "works": ("葛志强", "庞晓东"), "safety": ("覃永福", "田甜"), "water": ("华春雷", "欧阳静"),
    "tax": ("车俊", "柏雪"), "power": ("尚新民", "祁磊"), "tapwater": ("温志远", "聂晶"),
    "gas": ("鲍国强", "左丽华"),
}  # fmt: skip


def ledger_names_of_spec() -> LedgerNames:
    """The district's names as this module creates them (the committed example ledger)."""
    from zhaoshang.approvals.catalogue import DEPARTMENTS as CATALOGUE_DEPARTMENTS
    from zhaoshang.approvals.catalogue import ITEMS

    by_key = {key: name for key, name, *_rest in DEPARTMENTS}
    departments = {}
    for key, (shorts, full) in CATALOGUE_DEPARTMENTS.items():
        departments[key] = by_key.get(key) or next(
            (name for k, name, short, *_r in DEPARTMENTS if short in shorts), full
        )
    return LedgerNames(
        district=NAME,
        city="锦川市",
        bureau="区投资促进局",
        region=REGION,
        parks={key: name for _code, name, key, _area in PARKS},
        industries={key: name for key, name, _c, _g in INDUSTRIES},
        leaders=[row[0] for row in LEADERS],
        secretaries=SECRETARIES,
        officers=OFFICERS,
        departments=departments,
        committee=by_key["committee"],
        items={code: name for code, name, *_rest in ITEMS},
    )


def _outline(lon: float, lat: float, r: float) -> dict:
    """A small octagon around a point (the district has no surveyed outline yet)."""
    import math

    ring = [
        [
            round(lon + r * math.cos(k * math.pi / 4), 6),
            round(lat + r * 0.85 * math.sin(k * math.pi / 4), 6),
        ]
        for k in range(8)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class OnboardedDistrict:
    """Creates 南城区's organisation and people."""

    def __init__(self, builder):
        self.b, self.today = builder, builder.today
        self.rng = random.Random(CODE)

    def _mobile(self) -> str:
        return "139" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def create(self):
        from zhaoshang.demo.ops import staff_email
        from zhaoshang.org import models as org

        b = self.b
        district = org.District.objects.create(code=CODE, name=NAME, city="锦川市")
        self.district = district
        deps = {}
        for order, (key, name, short, kind, _title) in enumerate(DEPARTMENTS, start=1):
            deps[key] = org.Department.objects.create(
                district=district, name=name, short_name=short, kind=kind,
                contact="028-6" + "".join(str(self.rng.randint(0, 9)) for _ in range(7)),
                sort_order=order * 10,
            )  # fmt: skip
        self.departments = deps
        code, zone_name, area = ZONE
        zone = org.Zone.objects.create(
            district=district, code=code, name=zone_name, area_km2=area,
            outline=_outline(104.27, 30.52, 0.05),
        )  # fmt: skip
        self.parks = {}
        for k, (park_code, name, key, park_area) in enumerate(PARKS):
            self.parks[key] = org.Park.objects.create(
                district=district, zone=zone, code=park_code, name=name, area_km2=park_area,
                committee=deps["committee"],
                outline=_outline(104.245 + 0.05 * (k % 2), 30.505 + 0.035 * (k // 2), 0.018),
            )  # fmt: skip
        classes = org.IndustryClass.objects.in_bulk([g for *_r, g in INDUSTRIES], field_name="code")
        self.industries = {}
        for order, (key, name, category, gbt) in enumerate(INDUSTRIES, start=1):
            self.industries[key] = org.Industry.objects.create(
                district=district, name=name, category=category, gbt_class=classes.get(gbt),
                sort_order=order * 10,
            )  # fmt: skip
        rows = []

        def add(real_name, title, role, rank, dep_key, username=None):
            username = username or b._username(real_name)
            b.usernames.add(username)
            user = org.User(
                username=username, real_name=real_name, district=district,
                department=deps.get(dep_key), park=self.parks["nev"] if role == Role.PARK else None,
                rank=rank, title=title, phone=self._mobile(),
                email=staff_email(username, CODE), is_staff=role == Role.ADMIN,
            )  # fmt: skip
            rows.append((user, role))
            return user

        self.leaders = [add(*row) for row in LEADERS]
        for row in STAFF:
            add(*row)
        for key, (head, handler) in HEADS.items():
            add(head, DEPARTMENTS_BY_KEY[key][4], Role.DEPARTMENT, "section", key)
            add(handler, "经办人", Role.DEPARTMENT, "general", key)
            deps[key].head = head
        deps["bureau"].head, deps["committee"].head = "卢文涛", "魏东升"
        deps["center"].head, deps["perf"].head = "毛文静", "雷芳"
        for department in deps.values():
            department.save(update_fields=["head"])

        class _World:  # what ``_make_users`` reads of a world
            pass

        world = _World()
        world.district = district
        b._make_users(rows, world)
        self.users = {u.real_name: u for u, _r in rows}
        self.bureau, self.admin = self.users["沈佳怡"], self.users["彭晓军"]
        org.WorkingGroup.objects.create(
            district=district, name="招商引资领导小组", kind="leading_group",
            lead=self.leaders[0], office=deps["bureau"],
        ).departments.set([deps[k] for k in ("bureau", "center", "ndrc", "land", "works", "committee")])  # fmt: skip
        from zhaoshang.approvals.catalogue import seed_catalogue

        seed_catalogue(district)
        return district


DEPARTMENTS_BY_KEY = {row[0]: row for row in DEPARTMENTS}


def go_live_after(cutoff: datetime.date) -> datetime.date:
    """The go-live date: the first working day after the ledger's cut-off."""
    day = cutoff + datetime.timedelta(days=1)
    while day.weekday() > 4:
        day += datetime.timedelta(days=1)
    return day


def as_of(today: datetime.date) -> datetime.date:
    """The ledger's cut-off: the last day of the month before ``today``."""
    return today.replace(day=1) - datetime.timedelta(days=1)


# --- the ledger brought in --------------------------------------------------------------------

LEDGER_FILE = "南城区招商引资项目推进台账.xlsx"
# Evidence the secretaries still owe (补录待补材料): (project, material code). The rest of
# what the import owed they supplied in the days after the go-live.
STILL_OWED = {
    ("智能农机装备制造项目", "construction_permit"),
    ("智能农机装备制造项目", "site_photos"),
    ("轨道交通装备零部件项目", "land_red_line_map"),
    ("医疗器械产业园项目", "construction_contract"),
    ("高端医疗影像设备项目", "trial_production_record"),
}


def ledger_names(district) -> LedgerNames:
    """The district's names as they are in the database (the generator's input)."""
    from zhaoshang.approvals.models import ApprovalItem
    from zhaoshang.org.models import Department, Industry, Park, User

    names = ledger_names_of_spec()
    parks = {p.code: p.name for p in Park.objects.filter(district=district)}
    names.parks = {key: parks[code] for code, _n, key, _a in PARKS}
    industries = {i.name for i in Industry.objects.filter(district=district)}
    assert set(names.industries.values()) <= industries
    departments = set(Department.objects.filter(district=district).values_list("name", flat=True))
    assert set(names.departments.values()) <= departments
    people = set(User.objects.filter(district=district).values_list("real_name", flat=True))
    assert {*names.leaders, *names.secretaries, *names.officers} <= people
    items = dict(ApprovalItem.objects.filter(district=district).values_list("code", "name"))
    names.items = {code: items[code] for code in names.items}
    return names


class OnboardedBuilder(OnboardedDistrict):
    """A part of the demo (``builder.PARTS``): 南城区 created, its ledger imported on the day
    it went live, the import confirmed, most owed evidence supplied since."""

    def build(self) -> None:
        from zhaoshang.core import clock
        from zhaoshang.demo.replay import moment

        present = moment(self.today, 7, 30)  # before the morning's scan
        self.cutoff = as_of(self.today)
        self.go_live = min(go_live_after(self.cutoff), self.today)
        with clock.at(min(moment(self.go_live - datetime.timedelta(days=7), 9, 0), present)):
            self.create()
        with clock.at(min(moment(self.go_live, 9, 40), present)):
            self.batch = self.import_ledger()
        self.supply_evidence(present)
        self.carry_on_cases(present)
        # The night's scan since the go-live has found the duties its ledger says were missed
        # (the go-live date keeps those due before it out of the assessment).
        from zhaoshang.agreements import services as agreements

        with clock.at(present):
            agreements.scan(self.today)

    def import_ledger(self):
        """The bureau brings the ledger in as of the month's end as ``manage.py
        import_ledger`` does (the suggested mapping), confirms it and sets the go-live date.

        The command checks the whole file in a dry run (every row imported, then rolled
        back) before importing it; the demo's ledger is known to pass, so the load skips the
        dry run and marks the batch checked as a clean check leaves it (the import itself
        would refuse it, and the load fail, on any problem). That the example imports
        cleanly through the command is the onboarding tests' to prove."""
        import tempfile
        from pathlib import Path

        from django.core.files import File
        from django.core.management import CommandError
        from django.utils import translation

        from zhaoshang.core import clock
        from zhaoshang.core.imports import batches
        from zhaoshang.core.models import ImportBatch, ImportStatus
        from zhaoshang.demo.base import files_written
        from zhaoshang.demo.ledger.make_example import build_workbook
        from zhaoshang.onboarding import registry, services

        workbook = build_workbook(ledger_names(self.district), self.cutoff, bad_row=False)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / LEDGER_FILE
            workbook.save(path)
            with (
                translation.override("zh-hans"),  # as the command runs
                files_written(self.b.written_files, ImportBatch),
                path.open("rb") as handle,
            ):
                batch = services.create_batch(
                    self.admin, File(handle, name=path.name), registry.WORKBOOK
                )
                batch.rows = services.count_rows(batch)
                batch.save(update_fields=["rows"])
                services.remember_mapping(batch, self.admin)
                services._update(batch, status=ImportStatus.RUNNING, started_at=clock.now())
                found = services.parts(batch, self.admin)
                services._checked(batch, [], 0, services._rows_by_sheet(found))
                services.run(batch, self.admin)
        batch = ImportBatch.objects.get(pk=batch.pk)
        if batch.status != ImportStatus.IMPORTED:
            problems = "\n".join(str(p) for p in batch.problems)
            raise CommandError(f"The demo ledger was not imported:\n{problems}")
        batches.confirm(self.bureau, batch)  # the bureau confirms what the admin brought in
        services.set_go_live(self.bureau, self.district, self.go_live)
        return batch

    def supply_evidence(self, present) -> None:
        """The secretaries upload the owed evidence over the days after the go-live, except
        ``STILL_OWED``."""
        from django.core.files.base import ContentFile

        from zhaoshang.core import clock
        from zhaoshang.demo.base import files_written
        from zhaoshang.demo.files import tiny_pdf, tiny_png
        from zhaoshang.demo.replay import office_time
        from zhaoshang.projects.choices import TeamRole
        from zhaoshang.projects.models import DocumentVersion, EvidenceOwed, ProjectTeamMember
        from zhaoshang.projects.services import upload_document

        owed = (
            EvidenceOwed.objects.open()
            .filter(project__district=self.district)
            .select_related("project", "material_type")
            .order_by("project__code", "material_type__code")
        )
        secretaries = {
            m.project_id: m.user
            for m in ProjectTeamMember.objects.filter(
                project__district=self.district, role=TeamRole.SECRETARY
            ).select_related("user")
        }
        seen, steps = set(), []
        days = max(0, (self.today - self.go_live).days - 1)
        for row in owed:
            project, material = row.project, row.material_type
            if (project.name, material.code) in STILL_OWED or (project.pk, material.pk) in seen:
                continue
            seen.add((project.pk, material.pk))
            day = self.go_live + datetime.timedelta(days=self.rng.randint(0, days))
            at = min(office_time(self.rng, day, late=0), present)
            steps.append((at, project.pk, project, material))
        for at, _pk, project, material in sorted(steps, key=lambda s: s[:2]):
            name = f"{material.code}-v1"
            if material.code == "site_photos":
                upload = ContentFile(tiny_png(0.6, hue=project.pk), name=f"{name}.png")
            else:
                lines = ["Zhaoshang demo document (sample file)", f"Project: {project.code}"]
                lines.append(f"Material: {material.name_en or material.code} (after import)")
                upload = ContentFile(tiny_pdf(lines), name=f"{name}.pdf")
            who = secretaries.get(project.pk) or self.bureau
            with clock.at(at), files_written(self.b.written_files, DocumentVersion):
                upload_document(who, project, material, upload, "补录后补交")

    def carry_on_cases(self, present) -> None:
        """The departments finish the cases the ledger had in flight within their time
        limits on the platform (those the ledger had overdue first thing after the go-live);
        the paused one waits for the enterprise's supplement, some not due yet are open."""
        from zhaoshang.approvals import services as approvals
        from zhaoshang.approvals.choices import CaseStatus
        from zhaoshang.approvals.models import ApprovalCase
        from zhaoshang.core import clock
        from zhaoshang.demo.replay import office_time
        from zhaoshang.org.models import User

        last = self.today - datetime.timedelta(days=1)
        while last.weekday() > 4:
            last -= datetime.timedelta(days=1)
        if self.go_live > last:  # went live today: nothing done since
            return
        cases = ApprovalCase.objects.filter(
            district=self.district,
            status__in=(CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS),
            paused=False,
        ).select_related("item", "department")
        steps = []
        for case in cases.order_by("pk"):
            if case.due_on and case.due_on > last and case.pk % 2:
                continue  # still being handled, within its time limit
            end = min(max(case.due_on or last, self.go_live), last)
            days = [
                self.go_live + datetime.timedelta(days=k)
                for k in range((end - self.go_live).days + 1)
            ]
            days = [d for d in days if d.weekday() < 5] or [self.go_live]
            at = min(office_time(self.rng, self.rng.choice(days), late=0), present)
            steps.append((at, case.pk, case))
        for at, _pk, case in sorted(steps, key=lambda s: s[:2]):
            handler = (
                User.objects.filter(department=case.department, rank="general", is_active=True)
                .order_by("pk")
                .first()
            ) or self.admin
            number = f"{NAME[0]}{case.item.code}〔{at.year}〕{case.pk}号"
            with clock.at(at):
                approvals.complete_case(handler, case, at.date(), approval_number=number)


def onboarded_counts(district_ids) -> dict[str, int]:
    """The onboarded district's batch and what is still owed (for the load's summary)."""
    from zhaoshang.core.models import ImportBatch, ImportedRecord
    from zhaoshang.projects.models import EvidenceOwed

    return {
        "import batches": ImportBatch.objects.filter(district_id__in=district_ids).count(),
        "imported records": ImportedRecord.objects.filter(
            batch__district_id__in=district_ids
        ).count(),
        "evidence owed": EvidenceOwed.objects.open()
        .filter(project__district_id__in=district_ids)
        .count(),
    }
