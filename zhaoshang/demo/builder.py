"""Builds the demo city 锦川市 (SPEC §18): the demo district 东城区 in full and the small
second district 西城区 that proves the isolation between districts.

One ``random.Random(2026)`` drives every choice and every date is counted back from today,
so a given day always gives the same data and the demo always looks current. Nothing is
dated after today. The caller runs :meth:`DemoBuilder.build` inside one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import zlib
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history

from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.agreements import AgreementsBuilder, agreement_counts
from zhaoshang.demo.approvals import ApprovalsBuilder, approval_counts
from zhaoshang.demo.assessment import AssessmentBuilder
from zhaoshang.demo.complaints import ComplaintsBuilder, complaint_counts
from zhaoshang.demo.exits import ExitsBuilder, exit_counts
from zhaoshang.demo.files import tiny_pdf, tiny_png
from zhaoshang.demo.inspections import InspectionsBuilder, inspection_counts
from zhaoshang.demo.kpis import KpisBuilder, kpi_counts
from zhaoshang.demo.land import LandBuilder, land_counts
from zhaoshang.demo.meetings import MeetingsBuilder, meeting_counts
from zhaoshang.demo.ops import OpsBuilder, ops_counts, staff_email
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
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    FundsOrigin,
    FundsUse,
    Level,
    ProjectKind,
    Source,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MaterialType,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    ProjectTeamMember,
    StageEvent,
)
from zhaoshang.projects.services import next_project_code

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

# Days from the previous main-line stage to this one, and days a project has been in its
# present stage (both drawn uniformly from the range).
STEP_DAYS = {
    Stage.NEGOTIATING: (15, 75),
    Stage.PREREVIEW: (20, 90),
    Stage.SIGNED: (15, 60),
    Stage.REGISTERED: (10, 45),
    Stage.LAND_DELIVERED: (30, 150),
    Stage.STARTED: (20, 85),
    Stage.COMPLETED: (240, 540),
    Stage.PRODUCTION: (20, 90),
    Stage.CAPACITY: (120, 360),
}
CURRENT_DAYS = {
    Stage.LEAD: (5, 150),
    Stage.NEGOTIATING: (5, 120),
    Stage.PREREVIEW: (5, 80),
    Stage.SIGNED: (10, 150),
    Stage.REGISTERED: (10, 120),
    Stage.LAND_DELIVERED: (10, 200),
    Stage.STARTED: (30, 420),
    Stage.COMPLETED: (10, 150),
    Stage.PRODUCTION: (30, 400),
    Stage.CAPACITY: (30, 600),
}
# Share of the total investment completed when a stage is reached, and the days a project
# usually needs from a stage to the next (for the investment curve of the present stage).
INVESTMENT_SHARE = {
    Stage.SIGNED: 0.0,
    Stage.REGISTERED: 0.01,
    Stage.LAND_DELIVERED: 0.06,
    Stage.STARTED: 0.10,
    Stage.COMPLETED: 0.85,
    Stage.PRODUCTION: 0.95,
    Stage.CAPACITY: 1.0,
}
EXPECTED_DAYS = {
    Stage.SIGNED: 30,
    Stage.REGISTERED: 90,
    Stage.LAND_DELIVERED: 60,
    Stage.STARTED: 420,
    Stage.COMPLETED: 60,
    Stage.PRODUCTION: 270,
}
# Materials kept in the library besides the stage evidence: (stage reached, material).
EXTRA_MATERIALS = [
    (Stage.PREREVIEW, "feasibility_study"),
    (Stage.SIGNED, "id_documents"),
    (Stage.REGISTERED, "eia_report"),
    (Stage.REGISTERED, "energy_assessment"),
    (Stage.REGISTERED, "safety_assessment"),
    (Stage.LAND_DELIVERED, "planning_permit_land"),
    (Stage.STARTED, "planning_permit_works"),
    (Stage.STARTED, "construction_drawings"),
]
SECOND_VERSION_NOTES = ["补充盖章页后重新上传", "根据审查意见修改后重新上传", "变更登记后换发"]
PAIRING = {
    "equip": ["econ", "works", "land", "power", "ndrc"],
    "food": ["aic", "eco", "water", "econ", "tapwater"],
    "chem": ["eco", "safety", "gas", "land", "ndrc", "fire"],
    "elec": ["econ", "power", "works", "ndrc"],
    "avia": ["transport", "planning", "land", "econ"],
    "logi": ["transport", "land", "works", "ndrc"],
    "smart": ["works", "land", "power"],
    "pharma": ["eco", "aic", "works"],
    "trade": ["land", "works", "aic"],
    None: ["works", "planning", "land", "power", "water", "gas"],
}


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


DEMO = DistrictSpec(
    code=DEMO_CODE,
    name="东城区",
    geo="DEMO",
    departments=N.DEMO_DEPARTMENTS,
    park_committees=N.DEMO_PARK_COMMITTEES,
    leaders=N.DEMO_LEADERS,
    leader_key="industry",
    industries=N.DEMO_INDUSTRIES,
    groups=N.DEMO_GROUPS,
    enterprises=N.DEMO_ENTERPRISES,
    local_region=N.DEMO_LOCAL_REGION,
    stage_counts=N.DEMO_STAGE_COUNTS,
    infrastructure=N.DEMO_INFRASTRUCTURE,
    portal_enterprise=N.PORTAL_ENTERPRISE,
    # (name suffix, stage, level, source)
    portal_projects=[
        ("智能装备制造基地一期项目", Stage.PRODUCTION, Level.KEY, Source.INDUSTRY_CHAIN),
        ("智能装备制造基地二期项目", Stage.STARTED, Level.MAJOR, Source.SECOND_ROUND),
        ("高端液压件配套产业园项目", Stage.NEGOTIATING, Level.KEY, Source.SECOND_ROUND),
    ],
    role_people={
        # role: (username, real name, department key, rank, title, park code)
        Role.ADMIN: ("admin", "刘洋", None, "general", "系统管理员", None),
        Role.BUREAU: ("bureau", "张敏", "bureau", "section", "投资促进科科长", None),
        Role.DEPARTMENT: ("department", "王磊", "works", "general", "行政审批股经办人", None),
        Role.SERVICE_CENTER: ("service_center", "陈静", "center", "general", "项目代办员", None),
        Role.PARK: ("park", "赵亮", "east", "section", "装备制造产业园服务办主任", "P-EQUIP"),
        Role.SUPERVISOR: ("supervisor", "周涛", "perf", "section", "督查科科长", None),
        Role.ENTERPRISE: ("enterprise", "马文杰", None, "enterprise", "项目负责人", None),
    },
    extra_staff=[
        (
            "bureau",
            "section",
            Role.BUREAU,
            ["招商一科科长", "招商二科科长", "项目服务科科长", "综合科科长"],
        ),
        (
            "bureau",
            "general",
            Role.BUREAU,
            ["招商一科科员", "招商二科科员", "项目服务科科员", "项目服务科科员", "综合科科员"],
        ),
        ("center", "general", Role.SERVICE_CENTER, ["项目代办员", "项目代办员", "项目代办员"]),
        ("econ", "section", Role.DEPARTMENT, ["副局长"]),
        ("ndrc", "section", Role.DEPARTMENT, ["副局长"]),
    ],
    secretary_departments=("bureau", "econ", "ndrc"),
    officer_departments=("bureau", "center"),
    enterprise_accounts=10,
)

SECOND = DistrictSpec(
    code=SECOND_CODE,
    name="西城区",
    geo="SECOND",
    departments=N.SECOND_DEPARTMENTS,
    park_committees=N.SECOND_PARK_COMMITTEES,
    leaders=N.SECOND_LEADERS,
    leader_key="industry",
    industries=N.SECOND_INDUSTRIES,
    groups=N.SECOND_GROUPS,
    enterprises=N.SECOND_ENTERPRISES,
    local_region=N.SECOND_LOCAL_REGION,
    stage_counts=N.SECOND_STAGE_COUNTS,
    infrastructure=[],
    portal_enterprise=N.SECOND_PORTAL_ENTERPRISE,
    portal_projects=[
        ("中药配方颗粒生产基地项目", Stage.PRODUCTION, Level.KEY, Source.RESIDENT),
        ("医药研发中试基地项目", Stage.SIGNED, Level.GENERAL, Source.SECOND_ROUND),
    ],
    role_people={
        Role.BUREAU: ("bureau2", "许晨", "bureau", "section", "投资促进科科长", None),
        Role.DEPARTMENT: ("department2", "邓超", "works", "general", "行政审批股经办人", None),
        Role.SERVICE_CENTER: ("service_center2", "冯雪梅", "center", "general", "项目代办员", None),
        Role.PARK: ("park2", "潘宇", "west", "section", "西城综合产业园服务办主任", "S-PARK"),
        Role.SUPERVISOR: ("supervisor2", "袁丽", "perf", "section", "督查科科长", None),
        Role.ENTERPRISE: ("enterprise2", "蒋浩", None, "enterprise", "项目负责人", None),
    },
    extra_staff=[
        ("bureau", "section", Role.BUREAU, ["项目服务科科长"]),
        ("bureau", "general", Role.BUREAU, ["科员", "科员"]),
        ("center", "general", Role.SERVICE_CENTER, ["项目代办员"]),
    ],
    secretary_departments=("bureau", "works", "land"),
    officer_departments=("bureau", "center"),
    enterprise_accounts=2,
)
CITY_PERSON = ("city", "高鹏", "锦川市投资促进局项目服务科科长")
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


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _round_to(value: float, step: int) -> Decimal:
    return _money(max(step, round(value / step) * step))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


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
        self.materials = {m.code: m for m in MaterialType.objects.all()}
        self.project_type = ContentType.objects.get_for_model(Project)
        self.features = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
        self.events: list[DomainEvent] = []
        self.written_files: list[str] = []
        self.accounts: list[tuple[str, str, str, str]] = []
        self.worlds: list[DistrictWorld] = []
        self._funds_rows: list[FundsEntry] = []
        self._report_rows: list[MonthlyReport] = []
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
        for spec in (DEMO, SECOND):
            self.worlds.append(self._build_district(spec))
        self._city_user()
        DomainEvent.objects.bulk_create(self.events, batch_size=500)
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
        person wait): an inbox is not a backlog of every message the history sent."""
        ids = [w.district.pk for w in self.worlds]
        unread = Notification.objects.filter(recipient__district_id__in=ids, read_at__isnull=True)
        week = datetime.datetime.combine(
            self.today - datetime.timedelta(days=INBOX_UNREAD_DAYS), datetime.time(), SHANGHAI
        )
        reads = {
            pk: created + datetime.timedelta(hours=1 + created.minute % 30)
            for pk, created in unread.filter(created_at__lt=week)
            .exclude(verb__in=READ_WITH_THEIR_RECORD)
            .values_list("pk", "created_at")
        }
        waiting = Counter()
        now = timezone.now()
        for pk, recipient, created in (
            unread.filter(verb="signal.escalated")
            .order_by("recipient_id", "-pk")
            .values_list("pk", "recipient_id", "created_at")
        ):
            waiting[recipient] += 1
            if waiting[recipient] > ESCALATIONS_WAITING:
                reads[pk] = min(created + datetime.timedelta(minutes=20), now)
        self._backdate(Notification, reads, "read_at")

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

    def _event(
        self, actor, verb: str, project: Project, when: datetime.datetime, summary: str, **data
    ):
        """A domain event as the services write it (core.audit.log_event), dated in the past."""
        clean = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
        self.events.append(
            DomainEvent(
                district_id=project.district_id,
                occurred_at=when,
                actor=actor,
                verb=verb,
                content_type=self.project_type,
                object_id=project.pk,
                summary=summary[:300],
                data=clean,
            )
        )

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

    def _build_district(self, spec: DistrictSpec) -> DistrictWorld:
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
        self._enterprise_users(world)
        self._save_projects(world)
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
        objects = []
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
            enterprise._change_reason = LOAD_REASON
            enterprise.short = short
            enterprise.industry_key = industry
            objects.append(enterprise)
        bulk_create_with_history(objects, Enterprise, batch_size=500)
        for enterprise in objects:
            world.enterprises[enterprise.short] = enterprise

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
            by_enterprise[plan.enterprise.pk].append(plan)
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

    def _plan_details(self, world: DistrictWorld, plan: Plan) -> None:
        """Leaders, group, pairing, conditions, planned dates and the text of a plan."""
        rng, today = self.rng, self.today
        leaders, deps = world.leaders, world.departments
        stage, dates = plan.stage, plan.dates()
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

    # -- saving projects ---------------------------------------------------------------------------

    def _save_projects(self, world: DistrictWorld) -> None:
        district = world.district
        bureau = world.role_users[Role.BUREAU]
        bureau_staff = [u for u in world.staff if u.department_id == world.departments["bureau"].pk]
        world.plans.sort(key=lambda p: (p.created_on, p.name))
        created = []
        for plan in world.plans:
            dates = plan.dates()
            project = Project(
                district=district,
                code=next_project_code(district, plan.created_on.year),
                name=plan.name,
                kind=plan.kind,
                enterprise=plan.enterprise,
                industry=world.industries[plan.industry["key"]] if plan.industry else None,
                park=world.parks[plan.park_code],
                level=plan.level,
                source=plan.source,
                total_investment=plan.total,
                fixed_asset_investment=plan.fixed,
                land_area=plan.land,
                planned_start_on=plan.planned[0],
                planned_completion_on=plan.planned[1],
                planned_production_on=plan.planned[2],
                designed_output=plan.output,
                committed_tax=plan.tax,
                committed_jobs=plan.jobs,
                actual_tax=plan.actual_tax,
                energy_commitment=plan.energy,
                is_green_channel=plan.green,
                designated_leader=plan.leader,
                working_group=plan.group,
                description=plan.description,
                stage=plan.stage,
                condition=plan.condition,
                condition_reason=plan.condition_reason,
            )
            for stage, field_name in STAGE_DATE_FIELDS.items():
                setattr(project, field_name, dates.get(stage))
            project._history_user = bureau
            project._change_reason = LOAD_REASON
            project.save()
            if plan.paired:
                project.paired_departments.set(plan.paired)
            plan.project = project
            project.created_at = self._at(plan.created_on)
            created.append(project)
            for event in plan.events:
                signed = dates.get(Stage.SIGNED)
                if plan.team and signed and event.on > signed:
                    event.recorder = plan.team[TeamRole.SECRETARY]
                else:
                    event.recorder = self.rng.choice(bureau_staff)
        self._backdate(Project, {p.pk: p.created_at for p in created}, "created_at")
        self._backdate(
            Enterprise,
            {
                e.pk: self._at(
                    min(p.created_on for p in world.plans if p.enterprise is e)
                    - datetime.timedelta(days=3)
                )
                for e in world.enterprises.values()
                if any(p.enterprise is e for p in world.plans)
            },
            "created_at",
        )
        self._teams(world)
        self._library_and_events(world)
        for plan in world.plans:
            funds = self._funds(world, plan)
            self._reports(world, plan, funds)
        self._flush_children()

    def _backdate(self, model, values: dict, field_name: str) -> None:
        """Set an auto_now_add timestamp to its demo value, on the row and on its history."""
        if not values:
            return
        rows = list(model.objects.filter(pk__in=values))
        for row in rows:
            setattr(row, field_name, values[row.pk])
        model.objects.bulk_update(rows, [field_name], batch_size=500)
        history = getattr(model, "history", None)
        if history is not None and field_name in {f.name for f in history.model._meta.fields}:
            past = list(history.model.objects.filter(id__in=values))
            for row in past:
                setattr(row, field_name, values[row.id])
            history.model.objects.bulk_update(past, [field_name], batch_size=500)

    def _teams(self, world: DistrictWorld) -> None:
        members = []
        bureau = world.role_users[Role.BUREAU]
        for plan in world.plans:
            signed = plan.dates().get(Stage.SIGNED)
            if not plan.team:
                continue
            since = signed + datetime.timedelta(days=self.rng.randint(0, 7))
            since = min(since, self.today - datetime.timedelta(days=1))
            when = self._at(since)
            rows = list(plan.team.items()) + [
                (TeamRole.LEADING_GROUP, u) for u in plan.leading_group
            ]
            for role, user in rows:
                member = ProjectTeamMember(project=plan.project, user=user, role=role, since=since)
                member._history_user = bureau
                member._history_date = when
                members.append(member)
                self._event(
                    bureau,
                    "project.team_assigned",
                    plan.project,
                    when,
                    f"{N.TEAM_ROLE_ZH[role]}: {user.real_name}",
                    role=role,
                    user=user.pk,
                )
        bulk_create_with_history(members, ProjectTeamMember, batch_size=500)

    # -- stage history and the document library -------------------------------------------------

    def _upload(self, project: Project, library: dict, code: str, day, user, note: str = ""):
        """Add a version of a material to the project's library (资料库), with its file."""
        material = self.materials[code]
        document, kept = library.get(code, (None, []))
        if document is None:
            document = ProjectDocument(project=project, material_type=material)
            document.stamp = self._at(day)
            self._documents.append(document)
        number = len(kept) + 1
        if code == "site_photos":
            data, extension = tiny_png(0.15 * number, hue=zlib.crc32(project.code.encode())), "png"
        else:
            lines = [
                "Zhaoshang demo document (sample file)",
                f"Project: {project.code}",
                f"Material: {material.name_en or code}",
                f"Version {number}, {day.isoformat()}",
            ]
            data, extension = tiny_pdf(lines), "pdf"
        edition = "" if number == 1 else f"（第{number}版）"
        version = DocumentVersion(
            document=document,
            number=number,
            file=self._save_file(
                f"projects/{project.pk}/{code}/{code}-v{number}.{extension}", data
            ),
            original_name=f"{project.code}-{material.name}{edition}.{extension}",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            note=note,
            uploaded_by=user,
        )
        version.stamp = self._at(day)
        self._versions.append(version)
        library[code] = (document, [*kept, version])
        if number > 1:
            self._event(
                user,
                "project.document_uploaded",
                project,
                version.stamp,
                f"{material.name} v{number}",
                material=code,
                version=number,
            )
        return version

    def _library_and_events(self, world: DistrictWorld) -> None:
        """Stage events with their evidence, the document library, and their domain events."""
        self._documents, self._versions = [], []
        documents, versions, stage_events, links = self._documents, self._versions, [], []
        for plan in world.plans:
            project = plan.project
            library: dict[str, tuple[ProjectDocument, list[DocumentVersion]]] = {}
            reached: set[str] = set()

            previous_on = plan.events[0].on
            for event in plan.events:
                if not event.backward and event.from_stage:
                    # materials gathered while the project was in the previous stage
                    for stage_needed, code in EXTRA_MATERIALS:
                        if (
                            stage_needed != event.to_stage
                            or code in library
                            or stage_needed in reached
                        ):
                            continue
                        if code == "energy_assessment" and plan.level == Level.GENERAL:
                            continue
                        if (
                            code == "safety_assessment"
                            and (plan.industry or {}).get("key") != "chem"
                        ):
                            continue
                        day = previous_on + (event.on - previous_on) * self.rng.uniform(0.3, 0.9)
                        self._upload(project, library, code, day, event.recorder)
                    for code in STAGE_EVIDENCE.get(event.to_stage, ()):
                        if code in library and event.to_stage in reached:
                            # entering again after a backward move: a renewed document
                            self._upload(
                                project,
                                library,
                                code,
                                event.on,
                                event.recorder,
                                note=f"重新进入“{N.STAGE_ZH[event.to_stage]}”阶段后更新",
                            )
                        elif code not in library:
                            day = max(
                                previous_on,
                                event.on - datetime.timedelta(days=self.rng.randint(0, 6)),
                            )
                            self._upload(project, library, code, day, event.recorder)
                        event.evidence.append(library[code][1][-1])
                    reached.add(event.to_stage)
                previous_on = event.on
                stage_events.append(
                    StageEvent(
                        project=project,
                        from_stage=event.from_stage,
                        to_stage=event.to_stage,
                        occurred_on=event.on,
                        reason=event.reason,
                        is_backward=event.backward,
                        recorded_by=event.recorder,
                    )
                )
                stage_events[-1].stamp = self._at(event.on, 9, 18)
                links.append((stage_events[-1], event.evidence))
                if not event.from_stage:
                    self._event(
                        event.recorder,
                        "project.created",
                        project,
                        stage_events[-1].stamp,
                        project.name,
                    )
                else:
                    self._event(
                        event.recorder,
                        "project.stage_changed",
                        project,
                        stage_events[-1].stamp,
                        f"{N.STAGE_ZH[event.from_stage]} → {N.STAGE_ZH[event.to_stage]}",
                        from_stage=event.from_stage,
                        to_stage=event.to_stage,
                        occurred_on=event.on,
                        backward=event.backward,
                        reason=event.reason,
                    )
            # Some documents were later replaced by a second version.
            for code, (_document, kept) in list(library.items()):
                if len(kept) == 1 and self.rng.random() < 0.08:
                    day = kept[0].stamp.date() + datetime.timedelta(days=self.rng.randint(10, 120))
                    if day < self.today:
                        note = (
                            SECOND_VERSION_NOTES[-1]
                            if code == "business_license"
                            else self.rng.choice(SECOND_VERSION_NOTES[:-1])
                        )
                        self._upload(project, library, code, day, kept[0].uploaded_by, note=note)
            if plan.condition != Condition.NORMAL:
                actor = plan.team.get(TeamRole.SECRETARY) or world.role_users[Role.BUREAU]
                self._event(
                    actor,
                    "project.condition_changed",
                    project,
                    self._at(plan.condition_since),
                    {"delayed": "延期", "stopped": "停建"}[plan.condition],
                    previous=Condition.NORMAL,
                    condition=plan.condition,
                    reason=plan.condition_reason,
                )

        ProjectDocument.objects.bulk_create(documents, batch_size=500)
        DocumentVersion.objects.bulk_create(versions, batch_size=500)
        StageEvent.objects.bulk_create(stage_events, batch_size=500)
        through = StageEvent.evidence.through
        through.objects.bulk_create(
            [
                through(stageevent_id=e.pk, documentversion_id=v.pk)
                for e, evidence in links
                for v in evidence
            ],
            batch_size=500,
        )
        self._backdate(ProjectDocument, {d.pk: d.stamp for d in documents}, "created_at")
        self._backdate(DocumentVersion, {v.pk: v.stamp for v in versions}, "uploaded_at")
        self._backdate(StageEvent, {e.pk: e.stamp for e in stage_events}, "recorded_at")

    # -- investment, funds in place, monthly reports ----------------------------------------------

    def _curve(self, plan: Plan):
        """Share of the total investment completed by a day, from the stage dates."""
        dates = plan.dates()
        points = sorted((dates[s], INVESTMENT_SHARE[s]) for s in REPORTING_STAGES if s in dates)
        main = [s for s in STAGE_ORDER if s in dates]
        last = main[-1] if main else None
        following = STAGE_ORDER[STAGE_INDEX[last] + 1] if last and last != Stage.CAPACITY else None
        freeze = plan.stop_on or dates.get(Stage.EXITED)
        pace = 0.5 if plan.condition == Condition.DELAYED else 1.0

        def share(day: datetime.date) -> float:
            if freeze and day > freeze:
                day = freeze
            if not points or day < points[0][0]:
                return 0.0
            for (d0, f0), (d1, f1) in zip(points, points[1:], strict=False):
                if day <= d1:
                    return f0 + (f1 - f0) * (day - d0).days / max(1, (d1 - d0).days)
            d_last, f_last = points[-1]
            if following is None or last not in EXPECTED_DAYS:
                return f_last
            progress = min((day - d_last).days * pace / EXPECTED_DAYS[last], 0.9)
            return f_last + (INVESTMENT_SHARE[following] - f_last) * progress

        return share

    def _funds(self, world: DistrictWorld, plan: Plan) -> list[FundsEntry]:
        dates = plan.dates()
        signed = dates.get(Stage.SIGNED)
        if not signed:
            return []
        rng = self.rng
        origin = {
            "local": FundsOrigin.IN_CITY,
            "in_province": FundsOrigin.IN_PROVINCE,
            "out_of_province": FundsOrigin.OUT_OF_PROVINCE,
            "abroad": FundsOrigin.OUT_OF_PROVINCE,
        }[plan.enterprise.origin if plan.enterprise else "local"]
        share = self._curve(plan)
        ratio = rng.uniform(0.95, 1.12)
        total = float(plan.total)
        end = min(
            self.today - datetime.timedelta(days=1),
            plan.stop_on or self.today,
            dates.get(Stage.EXITED, self.today),
        )
        production = dates.get(Stage.PRODUCTION)
        secretary = plan.team[TeamRole.SECRETARY]
        entries, funded, month = [], 0.0, signed.replace(day=1)
        while month <= end:
            target = min(total, total * (share(min(month_end(month), end)) * ratio + 0.02))
            gap = target - funded
            # (the first money arrives in the first month with a gap, whatever the draw)
            if gap > total * 0.015 and (rng.random() < 0.65 or not entries):
                day = month + datetime.timedelta(days=rng.randint(2, 26))
                day = max(day, signed)
                if day <= end:
                    amount = _round_to(gap, 10) if gap >= 100 else _money(gap)
                    after_production = production is not None and day >= production
                    entry = FundsEntry(
                        project=plan.project,
                        received_on=day,
                        amount=amount,
                        origin=origin if rng.random() < 0.8 else rng.choice(list(FundsOrigin)),
                        use=FundsUse.WORKING_CAPITAL
                        if after_production and rng.random() < 0.5
                        else FundsUse.FIXED_ASSETS,
                        note=rng.choice(N.FUNDS_NOTES),
                        recorded_by=secretary,
                    )
                    entry.stamp = self._at(
                        min(day + datetime.timedelta(days=rng.randint(0, 3)), end)
                    )
                    entry._history_user = secretary
                    entry._history_date = entry.stamp
                    entries.append(entry)
                    funded += float(amount)
                    self._event(
                        secretary,
                        "project.funds_recorded",
                        plan.project,
                        entry.stamp,
                        f"{amount}",
                        amount=str(amount),
                        origin=entry.origin,
                        use=entry.use,
                    )
            month = add_months(month, 1)
        self._funds_rows.extend(entries)
        return entries

    def _progress_text(self, plan: Plan, stage: str, day: datetime.date, share: float) -> str:
        """The image progress (形象进度) a report of ``day`` tells, following the stage."""
        rng, texts = self.rng, N.PROGRESS_TEXTS
        infra = plan.kind == ProjectKind.INFRASTRUCTURE
        if plan.stop_on and day > plan.stop_on:
            return texts["stopped"]
        if infra and stage in (Stage.PRODUCTION, Stage.CAPACITY):
            return texts["infra_running"]
        entered = max(
            (e.on for e in plan.events if e.to_stage == stage and e.on <= day), default=day
        )
        elapsed = (day - entered).days / EXPECTED_DAYS.get(stage, 180)
        if stage == Stage.STARTED:
            works = max(0.0, min(1.0, (share - INVESTMENT_SHARE[Stage.STARTED]) / 0.75))
            steps = texts["infra_started" if infra else "started"]
            options = next(t for upper, t in steps if works < upper)
            pct = max(5, min(95, round(works * 20) * 5))
        elif stage == Stage.LAND_DELIVERED and (day - entered).days > 90:
            options = (
                texts["idle_land"][1:] if (day - entered).days > 180 else texts["idle_land"][:1]
            )
            pct = 0
        else:
            key = f"infra_{stage}" if infra and f"infra_{stage}" in texts else stage
            if key not in texts:
                return texts["signed"][0]
            options = texts[key]
            if not key.endswith("capacity"):
                # the texts run in the order of the work: pick by the time spent in the stage
                options = [options[min(len(options) - 1, int(elapsed * len(options)))]]
            pct = rng.randint(6, 18) * 5
            if stage == Stage.PRODUCTION:
                pct = min(95, 50 + round(min(elapsed, 1.0) * 9) * 5)
            elif stage == Stage.COMPLETED:
                pct = min(95, 40 + round(min(elapsed, 1.0) * 11) * 5)
        monthly = float(plan.output or 0) / 12
        value = (
            monthly * pct / 100 if stage == Stage.PRODUCTION else monthly * rng.uniform(0.95, 1.15)
        )
        return rng.choice(options).format(pct=pct, value=int(round(value, -1)))

    def _reports(self, world: DistrictWorld, plan: Plan, funds: list[FundsEntry]) -> None:
        dates = plan.dates()
        signed = dates.get(Stage.SIGNED)
        if not signed:
            return
        rng = self.rng
        this_month = self.today.replace(day=1)
        first = max(add_months(signed, 1), add_months(this_month, -24))
        last = add_months(this_month, -1)
        if Stage.EXITED in dates:
            last = min(last, add_months(dates[Stage.EXITED], -1))
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = add_months(month, 1)
        if not months:
            return
        share = self._curve(plan)
        total = float(plan.total)
        base = total * share(min(month_end(add_months(months[0], -1)), self.today))
        raw = []
        previous = base
        for month in months:
            value = total * share(min(month_end(month), self.today))
            raw.append(max(0.0, value - previous))
            previous = value
        noisy = [r * rng.uniform(0.7, 1.3) for r in raw]
        scale = sum(raw) / sum(noisy) if sum(noisy) else 0
        funds_by_month = defaultdict(Decimal)
        for entry in funds:
            funds_by_month[entry.received_on.replace(day=1)] += entry.amount
        secretary = plan.team[TeamRole.SECRETARY]
        portal_user = world.enterprise_users.get(plan.enterprise.pk) if plan.enterprise else None
        # Cumulative figures are rounded once and the month's figure is their difference,
        # so that cumulative = previous cumulative + this month, to the cent.
        previous_total, running = _money(base), base
        delayed = plan.condition != Condition.NORMAL
        reports = []
        for month, amount in zip(months, noisy, strict=True):
            running += amount * scale
            cumulative = _money(running)
            this, previous_total = cumulative - previous_total, cumulative
            end_day = min(month_end(month), self.today)
            stage = plan.stage_on(end_day)
            text = self._progress_text(plan, stage, end_day, share(end_day))
            problem = rng.choice(N.PROBLEMS) if rng.random() < (0.35 if delayed else 0.12) else ""
            if delayed and month == months[-1]:
                problem = plan.condition_reason
            if delayed and month == months[-1] and rng.random() < 0.5:
                continue  # a delayed project whose last report is still missing
            late = rng.random() < 0.06
            day = add_months(month, 1).replace(
                day=rng.randint(6, 14) if late else rng.randint(1, 5)
            )
            if day >= self.today:
                continue  # not filed yet: due by the 5th
            submitter = portal_user if portal_user and rng.random() < 0.3 else secretary
            report = MonthlyReport(
                project=plan.project,
                month=month,
                investment_this_month=this,
                investment_cumulative=cumulative,
                funds_this_month=funds_by_month.get(month, Decimal("0.00")),
                image_progress=text,
                problems=problem,
                submitted_by=submitter,
                submitted_at=self._at(day, 8, 20),
            )
            report._history_user = submitter
            report._history_date = report.submitted_at
            reports.append(report)
            self._event(
                submitter,
                "project.monthly_report_filed",
                plan.project,
                report.submitted_at,
                f"{month:%Y-%m}",
                month=month,
            )
        if reports and plan.stage in (Stage.STARTED, Stage.COMPLETED, Stage.LAND_DELIVERED):
            latest = reports[-1]
            latest.photo = tiny_png(
                share(latest.month) if plan.stage != Stage.LAND_DELIVERED else 0.0,
                zlib.crc32(plan.project.code.encode()),
            )
        self._report_rows.extend(reports)

    def _flush_children(self) -> None:
        bulk_create_with_history(self._funds_rows, FundsEntry, batch_size=500)
        self._backdate(FundsEntry, {e.pk: e.stamp for e in self._funds_rows}, "recorded_at")
        bulk_create_with_history(self._report_rows, MonthlyReport, batch_size=500)
        photos = []
        for report in self._report_rows:
            data = getattr(report, "photo", None)
            if data is None:
                continue
            path = f"projects/{report.project_id}/monthly/{report.month:%Y-%m}/progress-1.png"
            photos.append(
                MonthlyReportPhoto(
                    report=report, image=self._save_file(path, data), caption="现场形象进度"
                )
            )
        MonthlyReportPhoto.objects.bulk_create(photos)
        self._funds_rows, self._report_rows = [], []

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
        """A few messages waiting in the inboxes, mostly unread, as the services send them."""
        users = world.role_users
        bureau, leader = users[Role.BUREAU], users[Role.LEADER]
        plans = [p for p in world.plans if p.project is not None]
        by_last_change = sorted(
            (p for p in plans if p.events[-1].from_stage),
            key=lambda p: p.events[-1].on,
            reverse=True,
        )
        messages: list[tuple] = []  # (recipient, verb, title, body, plan, day, read)

        def stage_message(user, plan, read=False):
            event = plan.events[-1]
            title = f"{plan.name}进入“{N.STAGE_ZH[event.to_stage]}”阶段"
            messages.append(
                (user, "project.stage_changed", title, event.reason, plan, event.on, read)
            )

        for i, plan in enumerate(by_last_change[:4]):
            stage_message(bureau, plan, read=i == 3)
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
            overdue = self.today.day > 5
            title = f"{len(missing)}个项目{last_month.year}年{last_month.month}月进度" + (
                "逾期未报送" if overdue else "尚未报送（5日前报送）"
            )
            body = "、".join(p.name for p in missing[:5]) + ("等" if len(missing) > 5 else "")
            messages.append(
                (bureau, "monthly_report.missing", title, body, None, self.today, False)
            )
        delayed = sorted(
            (p for p in plans if p.condition != Condition.NORMAL),
            key=lambda p: p.condition_since,
            reverse=True,
        )
        for plan in delayed[:2]:
            label = {"delayed": "延期", "stopped": "停建"}[plan.condition]
            messages.append(
                (
                    bureau,
                    "project.condition_changed",
                    f"{plan.name}标记为“{label}”",
                    plan.condition_reason,
                    plan,
                    plan.condition_since,
                    False,
                )
            )

        for plan in [p for p in by_last_change if p.leader is leader][:3]:
            stage_message(leader, plan)
        managed = sorted(
            (p for p in plans if p.team.get(TeamRole.MANAGER) is leader),
            key=lambda p: p.dates()[Stage.SIGNED],
            reverse=True,
        )
        for plan in managed[:1]:
            messages.append(
                (
                    leader,
                    "project.team_assigned",
                    f"您已被指定为{plan.name}的项目经理",
                    "",
                    plan,
                    plan.dates()[Stage.SIGNED],
                    True,
                )
            )
        for plan in [p for p in delayed if p.condition == Condition.STOPPED][:1]:
            messages.append(
                (
                    leader,
                    "project.condition_changed",
                    f"{plan.name}已停建，请阅示",
                    plan.condition_reason,
                    plan,
                    plan.condition_since,
                    False,
                )
            )

        for role, team_role in (
            (Role.DEPARTMENT, TeamRole.SERVICE_OFFICER),
            (Role.SERVICE_CENTER, TeamRole.SERVICE_OFFICER),
        ):
            served = sorted(
                (p for p in plans if p.team.get(team_role) is users[role]),
                key=lambda p: p.dates()[Stage.SIGNED],
                reverse=True,
            )
            for plan in served[:1]:
                messages.append(
                    (
                        users[role],
                        "project.team_assigned",
                        f"您已被指定为{plan.name}的服务专员",
                        "",
                        plan,
                        plan.dates()[Stage.SIGNED],
                        False,
                    )
                )
        if delayed:
            stopped = sum(1 for p in delayed if p.condition == Condition.STOPPED)
            messages.append(
                (
                    users[Role.SUPERVISOR],
                    "supervision.digest",
                    f"当前延期项目{len(delayed) - stopped}个、停建项目{stopped}个，请安排专项督查",
                    "、".join(p.name for p in delayed[:5]),
                    None,
                    self.today,
                    False,
                )
            )
        portal_plans = [
            p
            for p in plans
            if p.enterprise
            and p.enterprise.pk in world.enterprise_users
            and world.enterprise_users[p.enterprise.pk] is users[Role.ENTERPRISE]
            and p.stage in REPORTING_STAGES
        ]
        if portal_plans:
            due = add_months(self.today.replace(day=1), 1 if self.today.day > 5 else 0).replace(
                day=5
            )
            report_month = add_months(due, -1)
            messages.append(
                (
                    users[Role.ENTERPRISE],
                    "monthly_report.reminder",
                    f"请于{due.month}月5日前报送{report_month.year}年{report_month.month}月项目进度",
                    "、".join(p.name for p in portal_plans),
                    None,
                    self.today,
                    False,
                )
            )
        park = users[Role.PARK]
        for plan in [p for p in by_last_change if p.park_code == park.park.code][:2]:
            stage_message(park, plan)

        stamps, reads = {}, {}
        for recipient, verb, title, body, plan, day, read in messages:
            url = self._url(plan.project) if plan else ""
            for note in notify([recipient], verb, title, body=body, url=url):
                # dated yesterday at the latest: the same data whatever the time of the run
                yesterday = self.today - datetime.timedelta(days=1)
                stamps[note.pk] = self._at(min(day, yesterday), 8, 20)
                if read:
                    reads[note.pk] = stamps[note.pk] + datetime.timedelta(hours=2)
        self._backdate(Notification, stamps, "created_at")
        self._backdate(Notification, reads, "read_at")

    @staticmethod
    def _url(project: Project) -> str:
        try:
            return project.get_absolute_url()
        except (NoReverseMatch, ImportError):  # the project pages are not installed
            return ""
