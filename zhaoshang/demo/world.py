"""The demo city's two districts as data (``data/districts.json``) and the shapes the builder
fills in: a project's plan (its data and the history it will be given) and a district's world
(the records the plans draw on)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.projects.choices import STAGE_INDEX, Condition

DEMO_CODE = "demo"
SECOND_CODE = "second"
DISTRICT_CODES = (DEMO_CODE, SECOND_CODE)

# The pace of projects: days from the previous main-line stage to each stage and days a
# project has been in its present stage (both drawn uniformly from the range); the
# departments paired with each industry.
DATA = N.load("districts")
STEP_DAYS = DATA["STEP_DAYS"]
CURRENT_DAYS = DATA["CURRENT_DAYS"]
PAIRING = {None if k == "null" else k: v for k, v in DATA["PAIRING"].items()}
PACE = DATA["PROJECT_PACE"]
CITY_PERSON = tuple(DATA["CITY_PERSON"])


@dataclass(frozen=True)
class DistrictSpec:
    """Everything that differs between the two demo districts (one row of districts.json)."""

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

    @classmethod
    def load(cls, code: str) -> DistrictSpec:
        row = dict(DATA["DISTRICTS"][code])
        row["role_people"] = {Role(r): tuple(p) for r, p in row["role_people"].items()}
        row["local_region"] = tuple(row["local_region"])
        return cls(**row)


DEMO = DistrictSpec.load(DEMO_CODE)
SECOND = DistrictSpec.load(SECOND_CODE)
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


@dataclass
class Plan:
    """A project before it is saved: its data, its history to be, and its people."""

    name: str
    kind: str
    enterprise: object
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
    leader: object = None
    group: object = None
    paired: list = field(default_factory=list)
    team: dict = field(default_factory=dict)
    leading_group: list = field(default_factory=list)
    project: object = None
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
    district: object
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

    def people(self, rank: str, department_keys) -> list:
        keys = {self.departments[k].pk for k in department_keys if k in self.departments}
        return [u for u in self.staff if u.rank == rank and u.department_id in keys]
