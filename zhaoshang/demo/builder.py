"""Builds the demo city 锦川市 (SPEC §18): the demo district 东城区 in full and the small
second district 西城区 that proves the isolation between districts.

One ``random.Random(2026)`` drives every choice and every date is counted back from today,
so a given day always gives the same data and the demo always looks current. Nothing is
dated after today. The caller runs :meth:`DemoBuilder.build` inside one transaction.
"""

from __future__ import annotations

import datetime
import json
import random
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history

from zhaoshang.core import clock
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.agreements import AgreementsBuilder, agreement_counts
from zhaoshang.demo.approvals import ApprovalsBuilder, approval_counts
from zhaoshang.demo.assessment import AssessmentBuilder
from zhaoshang.demo.complaints import ComplaintsBuilder, complaint_counts
from zhaoshang.demo.exits import ExitsBuilder, exit_counts
from zhaoshang.demo.inspections import InspectionsBuilder, inspection_counts
from zhaoshang.demo.kpis import KpisBuilder, kpi_counts
from zhaoshang.demo.land import LandBuilder, land_counts
from zhaoshang.demo.meetings import MeetingsBuilder, meeting_counts
from zhaoshang.demo.ops import OpsBuilder, ops_counts, staff_email
from zhaoshang.demo.projects import ProjectsReplay, add_months
from zhaoshang.demo.projects import money as _money
from zhaoshang.demo.projects import round_to as _round_to
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.demo.reports import ReportsBuilder, report_counts
from zhaoshang.demo.reset import demo_users
from zhaoshang.demo.service import ServiceBuilder, service_counts
from zhaoshang.enterprises.creditcode import CHARSET, make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.monitoring.models import Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import (
    Department,
    District,
    Industry,
    IndustryClass,
    Park,
    User,
    WorkingGroup,
    Zone,
)
from zhaoshang.projects.choices import (
    REPORTING_STAGES,
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    Level,
    ProjectKind,
    Source,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    ProjectTeamMember,
    StageEvent,
)

SEED = 2026
DEMO_CODE = "demo"
SECOND_CODE = "second"
DISTRICT_CODES = (DEMO_CODE, SECOND_CODE)
OUTLINES = Path(__file__).resolve().parent / "data" / "outlines.geojson"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
LOAD_REASON = "载入示范数据"
# The inboxes: older messages are read, and of this morning's escalations the newest few
# per person wait; receipts and instructions are read with the record they bring.
INBOX_UNREAD_DAYS = 7
ESCALATIONS_WAITING = 5
READ_WITH_THEIR_RECORD = ("receipt.filed", "instruction.written")

# The districts, their accounts and the pace of projects (data/districts.json): days from
# the previous main-line stage to each stage and days a project has been in its present stage
# (both drawn uniformly from the range); the departments paired with each industry.
_DATA = N.load("districts")
STEP_DAYS = {stage: tuple(days) for stage, days in _DATA["STEP_DAYS"].items()}
CURRENT_DAYS = {stage: tuple(days) for stage, days in _DATA["CURRENT_DAYS"].items()}
PAIRING = {None if k == "null" else k: v for k, v in _DATA["PAIRING"].items()}


@dataclass(frozen=True)
class DistrictSpec:
    """Everything that differs between the two demo districts."""

    code: str
    name: str
    geo: str
    departments: list
    park_committees: dict
    leaders: list
    leader_key: str
    industries: list
    groups: list
    enterprises: list
    local_region: tuple
    stage_counts: dict
    infrastructure: list
    portal_enterprise: str
    portal_projects: list
    role_people: dict
    extra_staff: list
    secretary_departments: tuple
    officer_departments: tuple
    enterprise_accounts: int


def _spec(code: str, prefix: str, portal_enterprise: str) -> DistrictSpec:
    """A district's spec: its own rows of districts.json and its tables of names.json."""
    tables = {
        f: getattr(N, f"{prefix}_{f.upper()}", [])
        for f in ("departments", "park_committees", "leaders", "industries", "groups")
        + ("enterprises", "local_region", "stage_counts", "infrastructure")
    }
    rows = _DATA["DISTRICTS"][code]
    rows["role_people"] = {Role(r): tuple(p) for r, p in rows["role_people"].items()}
    rows["local_region"] = tuple(tables.pop("local_region"))
    return DistrictSpec(**rows, **tables, portal_enterprise=portal_enterprise)


DEMO = _spec(DEMO_CODE, "DEMO", N.PORTAL_ENTERPRISE)
SECOND = _spec(SECOND_CODE, "SECOND", N.SECOND_PORTAL_ENTERPRISE)
CITY_PERSON = tuple(_DATA["CITY_PERSON"])
# The fixed user names of the demo accounts (SPEC §18); everyone else gets a pinyin name.
ACCOUNT_USERNAMES = tuple(
    sorted(
        {row[0] for spec in (DEMO, SECOND) for row in spec.role_people.values()}
        | {"leader", "leader2", CITY_PERSON[0]}
    )
)


@dataclass
class Event:
    """A planned stage change."""

    from_stage: str
    to_stage: str
    on: datetime.date
    reason: str = ""
    backward: bool = False
    recorder: User | None = None
    evidence: list = field(default_factory=list)


@dataclass
class Plan:
    """A project before it is saved: its data, its history to be, and its people."""

    name: str
    kind: str
    enterprise: Enterprise | None
    industry: dict | None
    park_code: str
    level: str
    source: str
    total: Decimal
    fixed: Decimal
    land: Decimal
    output: Decimal | None = None
    tax: Decimal | None = None
    jobs: int | None = None
    energy: str = ""
    description: str = ""
    events: list[Event] = field(default_factory=list)
    exit_variant: str | None = None
    stop_on: datetime.date | None = None
    condition: str = Condition.NORMAL
    condition_reason: str = ""
    condition_since: datetime.date | None = None
    leader: User | None = None
    group: WorkingGroup | None = None
    paired: list = field(default_factory=list)
    team: dict = field(default_factory=dict)
    leading_group: list = field(default_factory=list)
    project: Project | None = None
    planned: tuple = (None, None, None)
    actual_tax: Decimal | None = None
    green: bool = False

    @property
    def stage(self) -> str:
        return self.events[-1].to_stage

    @property
    def created_on(self) -> datetime.date:
        return self.events[0].on

    def dates(self) -> dict[str, datetime.date]:
        """The date each stage was (last) entered going forward, as the services keep it."""
        result: dict[str, datetime.date] = {}
        for event in self.events:
            if event.backward:
                target = STAGE_INDEX.get(event.to_stage, -1)
                result = {s: d for s, d in result.items() if STAGE_INDEX.get(s, 99) <= target}
            else:
                result[event.to_stage] = event.on
        return result

    def stage_on(self, day: datetime.date) -> str | None:
        stage = None
        for event in self.events:
            if event.on <= day:
                stage = event.to_stage
        return stage


@dataclass
class DistrictWorld:
    """The records of one district the project plans draw on."""

    spec: DistrictSpec
    district: District
    departments: dict = field(default_factory=dict)
    parks: dict = field(default_factory=dict)
    industries: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    leaders: dict = field(default_factory=dict)
    heads: dict = field(default_factory=dict)
    role_users: dict = field(default_factory=dict)
    staff: list = field(default_factory=list)
    enterprises: dict = field(default_factory=dict)
    enterprise_users: dict = field(default_factory=dict)
    plans: list = field(default_factory=list)

    def people(self, rank: str, department_keys) -> list[User]:
        keys = {self.departments[k].pk for k in department_keys if k in self.departments}
        return [u for u in self.staff if u.rank == rank and u.department_id in keys]


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an organisation code (the 9th of its 9)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


#: The unit whose handler mistyped her e-mail address at registration.
MISTYPED_UNIT = "税务局"


def demo_counts() -> dict[str, int]:
    """How many records of each kind the demo districts hold (for the summary and tests)."""
    ids = list(District.objects.filter(code__in=DISTRICT_CODES).values_list("pk", flat=True))
    in_districts = Q(district_id__in=ids)
    of_projects = Q(project__district_id__in=ids)
    return {
        "districts": len(ids),
        "departments": Department.objects.filter(in_districts).count(),
        "zones": Zone.objects.filter(in_districts).count(),
        "parks": Park.objects.filter(in_districts).count(),
        "industries": Industry.objects.filter(in_districts).count(),
        "working groups": WorkingGroup.objects.filter(in_districts).count(),
        "users": User.objects.filter(demo_users(ids)).count(),
        "enterprises": Enterprise.objects.filter(in_districts).count(),
        "projects": Project.objects.filter(in_districts).count(),
        "team members": ProjectTeamMember.objects.filter(of_projects).count(),
        "stage events": StageEvent.objects.filter(of_projects).count(),
        "documents": ProjectDocument.objects.filter(of_projects).count(),
        "document versions": DocumentVersion.objects.filter(
            document__project__district_id__in=ids
        ).count(),
        "funds entries": FundsEntry.objects.filter(of_projects).count(),
        "monthly reports": MonthlyReport.objects.filter(of_projects).count(),
        "progress photos": MonthlyReportPhoto.objects.filter(
            report__project__district_id__in=ids
        ).count(),
        "domain events": DomainEvent.objects.filter(in_districts).count(),
        "notifications": Notification.objects.filter(
            recipient__in=User.objects.filter(demo_users(ids))
        ).count(),
        **approval_counts(ids),
        **service_counts(ids),
        **meeting_counts(ids),
        **agreement_counts(ids),
        **complaint_counts(ids),
        **inspection_counts(ids),
        **land_counts(ids),
        **kpi_counts(ids),
        **report_counts(ids),
        "lights (yellow/red)": Signal.objects.filter(in_districts).count(),
        **exit_counts(ids),
        **ops_counts(User.objects.filter(demo_users(ids)).values("pk")),
    }


def _one_delivery_on_commit() -> None:
    """Every message of the replay asked for a delivery run when the load commits: one run
    delivers them all."""
    seen, kept = False, []
    for entry in connection.run_on_commit:
        if getattr(entry[1], "__name__", "") == "_enqueue_delivery":
            if seen:
                continue
            seen = True
        kept.append(entry)
    connection.run_on_commit[:] = kept


class DemoBuilder:
    """Creates the demo city. Use once: ``DemoBuilder(today).build()``."""

    def __init__(self, today: datetime.date, storage=None):
        self.rng = random.Random(SEED)
        self.today = today
        self.storage = storage or default_storage
        self.password = make_password(N.PASSWORD)  # hashed once, shared by every account
        self.groups = {g.name: g for g in Group.objects.all()}
        self.usernames = set(User.objects.values_list("username", flat=True))
        self.person_names: set[str] = set()
        self.credit_codes: set[str] = set()
        self.project_type = ContentType.objects.get_for_model(Project)
        self.features = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
        self.written_files: list[str] = []
        self.accounts: list[tuple[str, str, str, str]] = []
        self.worlds: list[DistrictWorld] = []
        self._exit_count = self._stops = self._low = 0
        self.scan_figures = ""
        for spec in (DEMO, SECOND):
            for _username, real_name, *_rest in spec.role_people.values():
                self.person_names.add(real_name)
            for _key, real_name, *_rest in spec.leaders:
                self.person_names.add(real_name)
        self.person_names.add(CITY_PERSON[1])

    # -- entry point ------------------------------------------------------------------------

    def build(self) -> list[DistrictWorld]:
        line = Timeline(self.today)
        for spec in (DEMO, SECOND):
            self.worlds.append(self._build_district(spec, line))
        self._city_user()
        line.run()
        for world in self.worlds:
            for plan in world.plans:
                plan.project.refresh_from_db()
            self._enterprise_users(world)
        self._notifications(self.worlds[0])
        ApprovalsBuilder(self).build()
        ServiceBuilder(self).build()
        MeetingsBuilder(self).build()
        AgreementsBuilder(self).build()
        ComplaintsBuilder(self).build()
        InspectionsBuilder(self).build()
        LandBuilder(self).build()
        KpisBuilder(self).build()
        ExitsBuilder(self).build()
        self._lights()
        # Last: it finishes last year's assessment, after every scan has written its entries.
        AssessmentBuilder(self).build()
        # After the assessment: the reports are issued from the finished ledger and lights.
        ReportsBuilder(self).build()
        self._inbox_read()
        # Last: the outbox as the morning finds it, the scheduled jobs' runs, API tokens.
        OpsBuilder(self).build()
        _one_delivery_on_commit()
        return self.worlds

    def _lights(self) -> None:
        """Last: the morning's daily scan has lit every timed thing of the city and taken
        the old red ones up the chain (SPEC §11)."""
        from zhaoshang.monitoring.services import escalate, refresh_signals

        refresh = refresh_signals(self.today)
        moved = escalate(self.today)
        # What the operations page shows as the morning's daily scan (ops.OpsBuilder).
        self.scan_figures = (
            f"lights: {refresh.created} new, {refresh.updated} changed, "
            f"{refresh.removed} cleared; {moved} escalated"
        )

    def _inbox_read(self) -> None:
        """People have read what they were told before this week (receipts and instructions
        keep their own read state) and most of this morning's escalations (the newest few per
        person wait): an inbox is not a backlog of every message the history sent. Each
        person opened the inbox after the last message of each week and read that week's
        (``mark_read`` with the clock at that moment)."""
        from zhaoshang.notifications.services import mark_read

        ids = [w.district.pk for w in self.worlds]
        unread = Notification.objects.filter(recipient__district_id__in=ids, read_at__isnull=True)
        week = datetime.datetime.combine(
            self.today - datetime.timedelta(days=INBOX_UNREAD_DAYS), datetime.time(), SHANGHAI
        )
        visits: dict[tuple, list] = defaultdict(list)  # (recipient, week or 0) -> [(pk, at)]
        old = unread.filter(created_at__lt=week).exclude(verb__in=READ_WITH_THEIR_RECORD)
        for pk, recipient, created in old.values_list("pk", "recipient_id", "created_at"):
            local = timezone.localtime(created, SHANGHAI)
            visits[(recipient, local.isocalendar()[:2])].append((pk, created))
        waiting = Counter()
        for pk, recipient, created in (
            unread.filter(verb="signal.escalated")
            .order_by("recipient_id", "-pk")
            .values_list("pk", "recipient_id", "created_at")
        ):
            waiting[recipient] += 1
            if waiting[recipient] > ESCALATIONS_WAITING:
                visits[(recipient, 0)].append((pk, created))
        people = User.objects.in_bulk({recipient for recipient, _w in visits})
        now = clock.now()
        for (recipient, key), notes in sorted(visits.items(), key=lambda v: v[0][0]):
            last = max(created for _pk, created in notes)
            delay = 20 if key == 0 else 60 + recipient % 30
            at = timezone.localtime(last + datetime.timedelta(minutes=delay), SHANGHAI)
            if at.hour >= 18 and key != 0:  # read the next morning
                morning = at.date() + datetime.timedelta(days=1)
                at = datetime.datetime.combine(morning, datetime.time(8, 40), SHANGHAI)
            with clock.at(min(at, now)):
                mark_read(people[recipient], [pk for pk, _c in notes])

    def discard_files(self) -> None:
        """Remove the files written so far (the load failed and its rows were rolled back)."""
        for name in self.written_files:
            self.storage.delete(name)

    # -- small helpers ----------------------------------------------------------------------

    def _at(self, day: datetime.date, earliest: int = 9, latest: int = 17) -> datetime.datetime:
        """A time during office hours on ``day`` (Asia/Shanghai)."""
        return datetime.datetime.combine(
            day,
            datetime.time(self.rng.randint(earliest, latest), self.rng.randint(0, 59)),
            tzinfo=SHANGHAI,
        )

    def _days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def _person(self) -> str:
        while True:
            name = self.rng.choice(N.SURNAMES) + self.rng.choice(N.GIVEN_NAMES)
            if name not in self.person_names:
                self.person_names.add(name)
                return name

    def _username(self, real_name: str) -> str:
        base = "".join(lazy_pinyin(real_name)).replace("ü", "v")
        username, n = base, 2
        while username in self.usernames:
            username, n = f"{base}{n}", n + 1
        self.usernames.add(username)
        return username

    def _mobile(self) -> str:
        return self.rng.choice(["138", "139", "136", "158", "159", "182", "187", "189"]) + "".join(
            str(self.rng.randint(0, 9)) for _ in range(8)
        )

    def _office_phone(self) -> str:
        return "028-8" + "".join(str(self.rng.randint(0, 9)) for _ in range(7))

    def _credit_code(self, region: str) -> str:
        while True:
            if self.rng.random() < 0.7:
                alnum = [c for c in CHARSET if c.isalnum()]
                body = "MA" + "".join(self.rng.choice(alnum) for _ in range(6))
            else:
                body = str(self.rng.randint(1, 9)) + "".join(
                    str(self.rng.randint(0, 9)) for _ in range(7)
                )
            code = make_credit_code("91" + region + body + _org_code_check(body))
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def _save_file(self, path: str, data: bytes) -> str:
        # A file left from an earlier demo database at the same path is replaced, so that
        # names stay the same from one load to the next.
        if self.storage.exists(path):
            self.storage.delete(path)
        name = self.storage.save(path, ContentFile(data))
        self.written_files.append(name)
        return name

    def _make_users(self, rows: list[tuple[User, str]], world: DistrictWorld | None) -> None:
        """Create users with their role group in bulk (with history rows)."""
        users = [user for user, _role in rows]
        for user in users:
            user.password = self.password
            user._change_reason = LOAD_REASON
        bulk_create_with_history(users, User, batch_size=500)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=user.pk, group_id=self.groups[role].pk) for user, role in rows]
        )
        for user, role in rows:
            if world is None:
                unit = f"{N.CITY} {user.title}"
            elif user.enterprise_id:
                unit = user.enterprise.name
            else:
                unit = f"{world.district.name} {user.department.name if user.department_id else ''}{user.title}"
            self.accounts.append((user.username, role, user.real_name, unit))

    # -- reference data -----------------------------------------------------------------------

    def _build_district(self, spec: DistrictSpec, line: Timeline) -> DistrictWorld:
        district = District.objects.create(code=spec.code, name=spec.name, city=N.CITY)
        world = DistrictWorld(spec=spec, district=district)
        for order, (key, name, short, kind, _title) in enumerate(spec.departments, start=1):
            world.departments[key] = Department.objects.create(
                district=district,
                name=name,
                short_name=short,
                kind=kind,
                contact=self._office_phone(),
                sort_order=order * 10,
            )
        self._zones_and_parks(world)
        self._industries(world)
        self._people(world)
        self._working_groups(world)
        self._enterprises(world)
        self._plan_projects(world)
        ProjectsReplay(self, world, line).plan()
        return world

    def _zones_and_parks(self, world: DistrictWorld) -> None:
        zones = {}
        features = [f for f in self.features if f["properties"]["district"] == world.spec.geo]
        for feature in features:
            props = feature["properties"]
            if props["kind"] != "zone":
                continue
            zones[props["code"]] = Zone.objects.create(
                district=world.district,
                code=props["code"],
                name=props["name"],
                area_km2=_money(props["area_km2"]),
                outline=feature["geometry"],
            )
        for feature in features:
            props = feature["properties"]
            if props["kind"] != "park":
                continue
            world.parks[props["code"]] = Park.objects.create(
                district=world.district,
                zone=zones[props["zone"]],
                code=props["code"],
                name=props["name"],
                area_km2=_money(props["area_km2"]),
                outline=feature["geometry"],
                committee=world.departments[world.spec.park_committees[props["code"]]],
            )

    def _industries(self, world: DistrictWorld) -> None:
        classes = {
            c.code: c
            for c in IndustryClass.objects.filter(
                code__in=[i["gbt"] for i in world.spec.industries]
            )
        }
        for order, info in enumerate(world.spec.industries, start=1):
            world.industries[info["key"]] = Industry.objects.create(
                district=world.district,
                name=info["name"],
                category=info["category"],
                gbt_class=classes.get(info["gbt"]),
                sort_order=order * 10,
            )

    def _people(self, world: DistrictWorld) -> None:
        """Leaders, the role accounts, department heads and handlers, and project staff."""
        spec, deps = world.spec, world.departments
        rows: list[tuple[User, str]] = []

        def add(real_name, role, rank, title, department=None, park=None, username=None):
            user = User(
                username=username or self._username(real_name),
                real_name=real_name,
                district=world.district,
                department=department,
                park=park,
                rank=rank,
                title=title,
                phone=self._mobile(),
                is_staff=role == Role.ADMIN,
            )
            if username:
                self.usernames.add(username)
            rows.append((user, role))
            return user

        for key, real_name, title, dep_key in spec.leaders:
            username = (
                ("leader" if spec.code == DEMO_CODE else "leader2")
                if key == spec.leader_key
                else None
            )
            world.leaders[key] = add(
                real_name, Role.LEADER, "county", title, deps.get(dep_key), username=username
            )
            if dep_key:
                deps[dep_key].head = real_name
        world.role_users[Role.LEADER] = world.leaders[spec.leader_key]

        for role, (
            username,
            real_name,
            dep_key,
            rank,
            title,
            park_code,
        ) in spec.role_people.items():
            if role == Role.ENTERPRISE:
                continue  # created with its enterprise
            world.role_users[role] = add(
                real_name,
                role,
                rank,
                title,
                deps.get(dep_key),
                world.parks.get(park_code),
                username,
            )

        covered = {(u.department_id, u.rank) for u, _r in rows if u.department_id}
        for key, _name, _short, kind, head_title in spec.departments:
            department = deps[key]
            role = {
                "supervision": Role.SUPERVISOR,
                "park_committee": Role.PARK,
            }.get(
                kind,
                {"center": Role.SERVICE_CENTER, "bureau": Role.BUREAU}.get(key, Role.DEPARTMENT),
            )
            if kind == "park_committee":
                parks = [world.parks[c] for c, k in spec.park_committees.items() if k == key]
                if not department.head:
                    head = add(self._person(), role, "section", head_title, department, parks[0])
                    department.head = head.real_name
                    world.heads[key] = head
                for park in parks:
                    if any(u.park is park for u, _r in rows):
                        continue
                    add(self._person(), role, "section", f"{park.name}服务办主任", department, park)
                continue
            head = add(self._person(), role, "section", head_title, department)
            department.head = head.real_name
            world.heads[key] = head
            if (department.pk, "general") not in covered:
                add(self._person(), role, "general", "经办人", department)
        for key, rank, role, titles in spec.extra_staff:
            for title in titles:
                add(self._person(), role, rank, title, deps[key])
        for department in deps.values():
            department.save(update_fields=["head"])
        for user, _role in rows:
            # One handler's address was mistyped at registration (the outbox shows it failing).
            mistyped = (
                spec.code == DEMO_CODE
                and user.department is not None
                and user.department.short_name == MISTYPED_UNIT
                and user.title == "经办人"
            )
            user.email = staff_email(user.username, spec.code, mistyped=mistyped)

        self._make_users(rows, world)
        world.staff = [u for u, _r in rows]

    def _working_groups(self, world: DistrictWorld) -> None:
        deps, district = world.departments, world.district
        for key, name, kind, lead_key, dep_keys in world.spec.groups:
            group = WorkingGroup.objects.create(
                district=district,
                name=name,
                kind=kind,
                lead=world.leaders[lead_key],
                parent=world.groups.get("leading"),
            )
            group.departments.set([deps[k] for k in dep_keys if k in deps])
            world.groups[key] = group
        for info in world.spec.industries:
            committee = world.spec.park_committees[info["park"]]
            group = WorkingGroup.objects.create(
                district=district,
                name=f"{info['name']}产业招商工作组",
                kind="industry",
                industry=world.industries[info["key"]],
                lead=world.leaders[info["group_lead"]],
                parent=world.groups["leading"],
            )
            group.departments.set([deps[k] for k in ("bureau", "econ", committee) if k in deps])
            world.groups[info["key"]] = group

    def _enterprises(self, world: DistrictWorld) -> None:
        spec = world.spec
        capitals = [500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000]
        for name, short, origin, region, home, industry, note in spec.enterprises:
            registered_here = region is None
            region_code, place = spec.local_region if registered_here else (region, home)
            contact = (
                spec.role_people[Role.ENTERPRISE][1]
                if name == spec.portal_enterprise
                else self._person()
            )
            enterprise = Enterprise(
                district=world.district,
                name=name,
                credit_code=self._credit_code(region_code),
                legal_representative=self._person(),
                registered_capital=_money(self.rng.choice(capitals)),
                origin=origin,
                address=f"{place}{self.rng.choice(N.ROADS)}{self.rng.randint(1, 399)}号",
                contact_name=contact,
                contact_phone=self._mobile(),
                contact_email=f"{''.join(lazy_pinyin(contact)).replace('ü', 'v')}@example.com",
                note="；".join(filter(None, [N.ENTERPRISE_NOTE_PREFIX[origin], note])),
            )
            enterprise.short = short
            enterprise.industry_key = industry
            world.enterprises[short] = enterprise  # registered in the replay (projects.py)

    # -- project plans --------------------------------------------------------------------------

    def _path(
        self, stage: str
    ) -> tuple[list[tuple[str, datetime.date]], str | None, datetime.date | None]:
        """The stages a project passed, with dates; the exit variant and the stop date."""
        if stage == Stage.TERMINATED:
            last = self.rng.choice(
                [Stage.LEAD, Stage.NEGOTIATING, Stage.NEGOTIATING, Stage.PREREVIEW]
            )
            ended = self._days_ago(10, 400)
            reached = ended - datetime.timedelta(days=self.rng.randint(15, 90))
            return self._main_path(last, reached) + [(Stage.TERMINATED, ended)], None, None
        if stage == Stage.EXITED:
            self._exit_count += 1
            exited = self._days_ago(20, 180)
            if self._exit_count % 2:  # 三个月不开工
                land = exited - datetime.timedelta(days=self.rng.randint(300, 420))
                return (
                    self._main_path(Stage.LAND_DELIVERED, land) + [(Stage.EXITED, exited)],
                    "land",
                    None,
                )
            land = exited - datetime.timedelta(days=self.rng.randint(760, 880))  # 两年不投产
            started = land + datetime.timedelta(days=self.rng.randint(40, 80))
            stopped = started + datetime.timedelta(days=self.rng.randint(150, 240))
            path = self._main_path(Stage.LAND_DELIVERED, land)
            return path + [(Stage.STARTED, started), (Stage.EXITED, exited)], "production", stopped
        low, high = CURRENT_DAYS[stage]
        return self._main_path(stage, self._days_ago(low, high)), None, None

    def _main_path(self, last: str, last_on: datetime.date) -> list[tuple[str, datetime.date]]:
        dates = [last_on]
        for i in range(STAGE_INDEX[last], 0, -1):
            low, high = STEP_DAYS[STAGE_ORDER[i]]
            dates.append(dates[-1] - datetime.timedelta(days=self.rng.randint(low, high)))
        dates.reverse()
        return list(zip(STAGE_ORDER[: STAGE_INDEX[last] + 1], dates, strict=True))

    def _events(self, path, stage: str, exit_variant: str | None) -> list[Event]:
        events = [Event("", path[0][0], path[0][1])]
        for (before, _d), (after, on) in zip(path, path[1:], strict=False):
            reason = ""
            if after == Stage.TERMINATED:
                reason = self.rng.choice(N.TERMINATION_REASONS[before])
            elif after == Stage.EXITED:
                reason = N.EXIT_REASONS[exit_variant]
            events.append(Event(before, after, on, reason))
        return events

    def _detour(self, plan: Plan, stage: str) -> None:
        """Insert a backward move from ``stage`` to the stage before it, and back again."""
        events = plan.events
        index = next(i for i, e in enumerate(events) if e.to_stage == stage)
        after = events[index + 1].on if index + 1 < len(events) else self.today
        gap = (after - events[index].on).days
        if gap < 60:
            shift = datetime.timedelta(days=60 - gap)
            for event in events[: index + 1]:
                event.on -= shift
            gap = 60
        back_on = events[index].on + datetime.timedelta(days=gap // 3)
        again_on = events[index].on + datetime.timedelta(days=2 * gap // 3)
        previous = STAGE_ORDER[STAGE_INDEX[stage] - 1]
        events[index + 1 : index + 1] = [
            Event(stage, previous, back_on, N.BACKWARD_REASONS[stage], backward=True),
            Event(previous, stage, again_on),
        ]

    def _investment(self, plan: Plan, info: dict) -> None:
        rng = self.rng
        if plan.level == Level.MAJOR:
            total = (
                rng.randint(50, 99) * 1000 if rng.random() < 0.6 else rng.randint(100, 300) * 1000
            )
        elif plan.level == Level.KEY:
            total = rng.randint(20, 98) * 500
        else:
            total = rng.randint(20, 98) * 100
        fixed = total * rng.uniform(0.7, 0.9)
        plan.total = _money(total)
        plan.fixed = _round_to(fixed, 100 if total >= 10000 else 10)
        land = float(plan.fixed) / rng.uniform(*info["intensity"])
        plan.land = _money(max(10, round(land * 2) / 2))
        output = total * rng.uniform(*info["output_ratio"])
        plan.output = _round_to(output, 100)
        plan.tax = _round_to(float(plan.output) * rng.uniform(*info["tax_rate"]), 10)
        plan.jobs = max(20, int(float(plan.output) / rng.uniform(*info["output_per_job"])))
        template = N.ENERGY_COMMITMENT_CHEM if info["key"] == "chem" else N.ENERGY_COMMITMENT
        plan.energy = template.format(
            tce=int(_round_to(float(plan.output) * rng.uniform(0.02, 0.08), 100))
        )

    def _plan_projects(self, world: DistrictWorld) -> None:
        rng, spec = self.rng, world.spec
        pool = [stage for stage, count in spec.stage_counts.items() for _ in range(count)]
        rng.shuffle(pool)
        infos = {info["key"]: info for info in spec.industries}
        stems = {key: list(info["stems"]) for key, info in infos.items()}
        for key in stems:
            rng.shuffle(stems[key])
        used_names: set[str] = set()

        def stem_name(key: str) -> str:
            if not stems[key]:
                stems[key] = list(infos[key]["stems"])
                rng.shuffle(stems[key])
            text, numbers = stems[key].pop()
            return text.format(n=rng.choice(numbers)) if numbers else text

        def new_plan(enterprise, stage, level=None, source=None, suffix=None):
            info = infos[enterprise.industry_key]
            name = enterprise.short + (suffix or stem_name(info["key"]))
            while name in used_names:
                name = enterprise.short + stem_name(info["key"])
            used_names.add(name)
            level = level or rng.choices([Level.MAJOR, Level.KEY, Level.GENERAL], [15, 35, 50])[0]
            park = info["park"] if rng.random() < 0.85 else info["alt_park"]
            plan = Plan(
                name=name,
                kind=ProjectKind.INVESTMENT,
                enterprise=enterprise,
                industry=info,
                park_code=park,
                level=level,
                source=source or rng.choices(*zip(*N.SOURCE_WEIGHTS, strict=True))[0],
                total=Decimal(0),
                fixed=Decimal(0),
                land=Decimal(0),
            )
            self._investment(plan, info)
            path, variant, stopped = self._path(stage)
            plan.events = self._events(path, stage, variant)
            plan.exit_variant, plan.stop_on = variant, stopped
            world.plans.append(plan)
            return plan

        portal = next(e for e in world.enterprises.values() if e.name == spec.portal_enterprise)
        for suffix, stage, level, source in spec.portal_projects:
            pool.remove(stage)
            new_plan(portal, stage, level, source, suffix)
        investors = [e for e in world.enterprises.values() if e.industry_key and e is not portal]
        for enterprise in investors:
            if pool:
                new_plan(enterprise, pool.pop())
        while pool:
            new_plan(rng.choice(investors), pool.pop())

        # An enterprise's later projects came through second-round promotion (二次招商).
        by_enterprise = defaultdict(list)
        for plan in world.plans:
            by_enterprise[plan.enterprise.name].append(plan)
        for plans in by_enterprise.values():
            plans.sort(key=lambda p: p.created_on)
            for plan in plans[1:]:
                if Stage.SIGNED in plans[0].dates() and rng.random() < 0.4:
                    plan.source = Source.SECOND_ROUND

        for name, park, short, total, fixed, land, stage in spec.infrastructure:
            plan = Plan(
                name=name,
                kind=ProjectKind.INFRASTRUCTURE,
                enterprise=world.enterprises[short],
                industry=None,
                park_code=park,
                level=Level.MAJOR
                if total >= 50000
                else Level.KEY
                if total >= 10000
                else Level.GENERAL,
                source=Source.GOVERNMENT,
                total=_money(total),
                fixed=_money(fixed),
                land=_money(land),
                description=N.INFRASTRUCTURE_DESCRIPTIONS[name],
                energy="施工期落实扬尘、噪声防治措施，建成后运行能耗纳入园区能耗统计。",
            )
            plan.events = self._events(self._path(stage)[0], stage, None)
            world.plans.append(plan)

        # A couple of backward moves with their reasons (SPEC §4: going back needs a reason).
        if spec.code == DEMO_CODE:
            candidates = [
                p
                for p in world.plans
                if p.kind == ProjectKind.INVESTMENT
                and p.enterprise is not portal
                and p.stage in (Stage.SIGNED, Stage.REGISTERED, Stage.LAND_DELIVERED)
            ]
            self._detour(candidates[0], Stage.PREREVIEW)
            candidates = [
                p
                for p in world.plans
                if p.kind == ProjectKind.INVESTMENT
                and p.stage in (Stage.COMPLETED, Stage.PRODUCTION)
                and p.enterprise is not portal
            ]
            self._detour(candidates[0], Stage.STARTED)

        for plan in world.plans:
            self._plan_details(world, plan)

    def _leaders_and_pairing(self, world: DistrictWorld, plan: Plan) -> None:
        """The leader in charge, the working group and the paired departments of a plan."""
        rng, leaders, deps = self.rng, world.leaders, world.departments
        stage = plan.stage
        key = plan.industry["key"] if plan.industry else None
        if plan.kind == ProjectKind.INFRASTRUCTURE:
            plan.group = world.groups.get("infra")
            plan.leader = leaders.get("construction")
        else:
            plan.group = world.groups["major"] if plan.level == Level.MAJOR else world.groups[key]
            if plan.level == Level.MAJOR:
                options = [
                    k
                    for k in ("executive", "industry", "industry", "construction", "finance")
                    if k in leaders
                ]
                plan.leader = leaders[rng.choice(options)]
            elif plan.level == Level.KEY or rng.random() < 0.3:
                group_lead = leaders[plan.industry["group_lead"]]
                plan.leader = group_lead if rng.random() < 0.6 else world.role_users[Role.LEADER]
        if stage != Stage.LEAD:
            wanted = {Level.MAJOR: 3, Level.KEY: 2, Level.GENERAL: 1}[plan.level]
            options = [k for k in PAIRING[key] if k in deps]
            plan.paired = [deps[k] for k in rng.sample(options, min(wanted, len(options)))]

    def _plan_details(self, world: DistrictWorld, plan: Plan) -> None:
        """Leaders, group, pairing, conditions, planned dates and the text of a plan."""
        rng, today = self.rng, self.today
        stage, dates = plan.stage, plan.dates()
        self._leaders_and_pairing(world, plan)
        signed = dates.get(Stage.SIGNED)
        started = dates.get(Stage.STARTED)
        if signed:
            if started:
                planned_start = started - datetime.timedelta(days=rng.randint(0, 45))
            elif stage in (Stage.SIGNED, Stage.REGISTERED):
                # land comes first: the agreement gives the start a season after it
                planned_start = signed + datetime.timedelta(days=rng.randint(150, 300))
            else:
                planned_start = signed + datetime.timedelta(days=rng.randint(90, 200))
        elif stage in (Stage.NEGOTIATING, Stage.PREREVIEW):
            planned_start = today + datetime.timedelta(days=rng.randint(120, 300))
        else:
            planned_start = None
        if planned_start:
            build_days = {
                Level.MAJOR: (540, 720),
                Level.KEY: (365, 540),
                Level.GENERAL: (270, 400),
            }[plan.level]
            completion = planned_start + datetime.timedelta(days=rng.randint(*build_days))
            production = completion + datetime.timedelta(days=rng.randint(30, 90))
            plan.planned = (planned_start, completion, production)

        # Condition beside the stage: delayed or stopped, with a reason.
        stage_on = plan.events[-1].on
        long_started = stage == Stage.STARTED and (today - stage_on).days > 200
        if (
            long_started
            and plan.kind == ProjectKind.INVESTMENT
            and world.spec.code == DEMO_CODE
            and self._stops < len(N.STOP_REASONS)
        ):
            plan.condition, plan.condition_reason = Condition.STOPPED, N.STOP_REASONS[self._stops]
            self._stops += 1
            plan.stop_on = plan.condition_since = self._days_ago(40, 120)
        if plan.condition == Condition.NORMAL:
            late = False
            if stage == Stage.STARTED:
                late = bool(plan.planned[1] and today > plan.planned[1]) or rng.random() < 0.12
                reasons = N.DELAY_REASONS_EXTERNAL + N.DELAY_REASONS_OWN[:1]
            elif stage == Stage.LAND_DELIVERED:
                late = (today - stage_on).days > 90
                reasons = (
                    N.DELAY_REASONS_OWN[1:2]
                    if plan.enterprise.industry_key
                    else N.DELAY_REASONS_EXTERNAL[2:3]
                )
            elif stage in (Stage.SIGNED, Stage.REGISTERED):
                late = rng.random() < 0.15
                reasons = N.DELAY_REASONS_OWN[2:]
            elif stage == Stage.COMPLETED:
                late = (today - stage_on).days > 100
                reasons = N.DELAY_REASONS_EXTERNAL[1:4]
            if late:
                plan.condition = Condition.DELAYED
                plan.condition_reason = rng.choice(reasons)
                earliest = stage_on + datetime.timedelta(days=min(30, (today - stage_on).days - 1))
                plan.condition_since = max(earliest, self._days_ago(20, 60))

        if plan.output is not None and stage in (Stage.PRODUCTION, Stage.CAPACITY):
            share = rng.uniform(0.2, 0.6) if stage == Stage.PRODUCTION else rng.uniform(0.8, 1.3)
            if stage == Stage.CAPACITY and self._low < 2:  # low per-mu tax: the clean-up list
                self._low += 1
                share = rng.uniform(0.15, 0.3)
            plan.actual_tax = _round_to(float(plan.tax) * share, 10)
        plan.green = plan.level == Level.MAJOR

        if plan.kind == ProjectKind.INVESTMENT:
            stem = plan.name.removeprefix(plan.enterprise.short)
            text = (
                f"{plan.enterprise.name}投资建设{stem.removesuffix('项目')}，总投资{plan.total:.0f}万元"
                f"（其中固定资产投资{plan.fixed:.0f}万元），用地约{plan.land:.1f}亩。"
            )
            if stage != Stage.LEAD:
                text += (
                    f"主要建设生产厂房、研发检测中心及配套设施，建成达产后预计年产值{plan.output:.0f}万元、"
                    f"年纳税{plan.tax:.0f}万元，新增就业{plan.jobs}人。"
                )
            else:
                plan.output = plan.tax = plan.jobs = None
            if not signed:
                plan.energy = ""  # agreed in the investment agreement, at signing
            plan.description = text

        if signed:
            self._team(world, plan)

    def _team(self, world: DistrictWorld, plan: Plan) -> None:
        """项目经理制/项目秘书制: a county-level manager, a section-level secretary and a
        general cadre as service officer; a dedicated leading group for some major projects."""
        rng = self.rng
        managers = list(world.leaders.values())
        secretaries = world.people("section", world.spec.secretary_departments)
        officers = world.people("general", world.spec.officer_departments)
        manager = plan.leader or rng.choice(managers)
        secretary = rng.choice(secretaries)
        if rng.random() < 0.2:
            secretary = world.role_users[Role.BUREAU]
        officer = rng.choice(officers)
        works = world.departments.get("works")
        if works in plan.paired and rng.random() < 0.5:
            officer = world.role_users[Role.DEPARTMENT]
        elif plan.green and rng.random() < 0.5:
            officer = world.role_users[Role.SERVICE_CENTER]
        plan.team = {
            TeamRole.MANAGER: manager,
            TeamRole.SECRETARY: secretary,
            TeamRole.SERVICE_OFFICER: officer,
        }
        if plan.level == Level.MAJOR and rng.random() < 0.7:
            others = [u for u in managers if u is not manager]
            members = rng.sample(others, min(2, len(others)))
            for department in plan.paired[:2]:
                head = next(
                    (h for k, h in world.heads.items() if world.departments[k] is department), None
                )
                if head and head not in members:
                    members.append(head)
            plan.leading_group = members

    def _backdate(self, model, values: dict, field_name: str) -> None:
        """Set a timestamp to its demo value, on the row and on its history (one
        ``UPDATE … WHERE id = ?`` statement run for every row)."""
        if not values:
            return
        field = model._meta.get_field(field_name)
        history = getattr(model, "history", None)
        tables = [(model._meta.db_table, model._meta.pk.column)]
        if history is not None and field_name in {f.name for f in history.model._meta.fields}:
            tables.append((history.model._meta.db_table, "id"))
        params = [(field.get_db_prep_save(v, connection), pk) for pk, v in values.items()]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, key in tables:
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {quote(field.column)} = %s WHERE {quote(key)} = %s",
                    params,
                )

    # -- people outside the districts, inboxes -----------------------------------------------------

    def _city_user(self) -> None:
        username, real_name, title = CITY_PERSON
        self.usernames.add(username)
        user = User(
            username=username,
            real_name=real_name,
            title=title,
            phone=self._mobile(),
            email=staff_email(username, "city"),
        )
        self._make_users([(user, Role.CITY)], None)

    def _enterprise_users(self, world: DistrictWorld) -> None:
        """Portal accounts: the `enterprise` demo account and the contacts of a few more
        enterprises with signed projects."""
        spec = world.spec
        portal = next(e for e in world.enterprises.values() if e.name == spec.portal_enterprise)
        chosen = [portal]
        for plan in world.plans:
            enterprise = plan.enterprise
            if len(chosen) >= spec.enterprise_accounts:
                break
            if enterprise and enterprise not in chosen and Stage.SIGNED in plan.dates():
                chosen.append(enterprise)
        rows = []
        for enterprise in chosen:
            if enterprise is portal:
                username, _name, _dep, _rank, title, _park = spec.role_people[Role.ENTERPRISE]
                self.usernames.add(username)
            else:
                username, title = self._username(enterprise.contact_name), "联系人"
            user = User(
                username=username,
                real_name=enterprise.contact_name,
                district=world.district,
                enterprise=enterprise,
                rank="enterprise",
                title=title,
                phone=enterprise.contact_phone,
                email=enterprise.contact_email,
            )
            rows.append((user, Role.ENTERPRISE))
            world.enterprise_users[enterprise.pk] = user
        self._make_users(rows, world)
        world.role_users[Role.ENTERPRISE] = world.enterprise_users[portal.pk]

    def _notifications(self, world: DistrictWorld) -> None:
        """The messages people sent each other by hand (the services send the rest): the
        missing monthly reports, the delayed and stopped projects, the portal's reminder."""
        users = world.role_users
        bureau, leader = users[Role.BUREAU], users[Role.LEADER]
        plans, messages = world.plans, []  # (recipient, verb, title, body, plan, day)
        last_month = add_months(self.today.replace(day=1), -1)
        filed = set(
            MonthlyReport.objects.filter(
                project__district=world.district, month=last_month
            ).values_list("project_id", flat=True)
        )
        missing = [
            p
            for p in plans
            if p.stage in REPORTING_STAGES
            and p.dates()[Stage.SIGNED] < last_month
            and p.project.pk not in filed
        ]
        if missing:
            late = "逾期未报送" if self.today.day > 5 else "尚未报送（5日前报送）"
            title = f"{len(missing)}个项目{last_month.year}年{last_month.month}月进度{late}"
            body = "、".join(p.name for p in missing[:5]) + ("等" if len(missing) > 5 else "")
            messages.append((bureau, "monthly_report.missing", title, body, None, self.today))
        delayed = sorted(
            (p for p in plans if p.condition != Condition.NORMAL),
            key=lambda p: p.condition_since,
            reverse=True,
        )
        for plan in delayed[:2]:
            label = {"delayed": "延期", "stopped": "停建"}[plan.condition]
            title = f"{plan.name}标记为“{label}”"
            messages.append((bureau, "project.condition_changed", title, "", plan, None))
        for plan in [p for p in delayed if p.condition == Condition.STOPPED][:1]:
            title = f"{plan.name}已停建，请阅示"
            messages.append((leader, "project.condition_changed", title, "", plan, None))
        if delayed:
            stopped = sum(1 for p in delayed if p.condition == Condition.STOPPED)
            title = f"当前延期项目{len(delayed) - stopped}个、停建项目{stopped}个，请安排专项督查"
            body = "、".join(p.name for p in delayed[:5])
            messages.append((users[Role.SUPERVISOR], "supervision.digest", title, body, None, None))
        portal = users[Role.ENTERPRISE]
        portal_plans = [
            p for p in plans if p.enterprise == portal.enterprise and p.stage in REPORTING_STAGES
        ]
        if portal_plans:
            due = add_months(self.today.replace(day=1), 1 if self.today.day > 5 else 0)
            month = add_months(due, -1)
            title = f"请于{due.month}月5日前报送{month.year}年{month.month}月项目进度"
            body = "、".join(p.name for p in portal_plans)
            messages.append((portal, "monthly_report.reminder", title, body, None, None))
        # The tax bureau's figures for the per-mu tax of the clean-up campaign (its handler's
        # address was mistyped: the outbox shows the message failing).
        for user in world.staff:
            if (
                user.title == "经办人"
                and user.department
                and user.department.short_name == MISTYPED_UNIT
            ):
                title = "请于本月10日前报送重点项目入库税收数据（亩均税收核算）"
                day = self.today - datetime.timedelta(days=3)
                messages.append((user, "bureau.request", title, "", None, day))
        yesterday = self.today - datetime.timedelta(days=1)
        for recipient, verb, title, body, plan, day in messages:
            day = min(day or (plan.condition_since if plan else yesterday), yesterday)
            body = body or (plan.condition_reason if plan else "")
            with clock.at(office_time(self.rng, day)):
                notify(
                    [recipient], verb, title, body=body, url=self._url(plan.project) if plan else ""
                )

    @staticmethod
    def _url(project: Project) -> str:
        try:
            return project.get_absolute_url()
        except (NoReverseMatch, ImportError):  # the project pages are not installed
            return ""
