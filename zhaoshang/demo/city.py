"""The demo city's two districts (``data/districts.json``), a project's ``Plan`` and a
district's world, and ``CityMixin`` (of ``DemoBuilder``, sharing its ``rng`` and names
taken): a district's departments, zones, parks, industries, groups, staff, enterprises."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from pypinyin import lazy_pinyin

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.onboarded import CODE as ONBOARDED_CODE
from zhaoshang.demo.ops import staff_email
from zhaoshang.enterprises.creditcode import CHARSET, make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org import models as org
from zhaoshang.projects.choices import STAGE_INDEX, Condition, Stage

DEMO_CODE, SECOND_CODE = "demo", "second"
# The third, 南城区, is onboarded from its own ledger (onboarded.py).
DISTRICT_CODES = (DEMO_CODE, SECOND_CODE, ONBOARDED_CODE)
DATA = N.load("districts")
PACE = DATA["PROJECT_PACE"]
CITY_PERSON = tuple(DATA["CITY_PERSON"])
#: The unit whose handler mistyped her e-mail address at registration.
MISTYPED_UNIT = "税务局"
ALNUM = [c for c in CHARSET if c.isalnum()]
# The role of a department's people, by the department's kind or key.
ROLE_OF_KIND = {"supervision": Role.SUPERVISOR, "park_committee": Role.PARK}
ROLE_OF_KEY = {"center": Role.SERVICE_CENTER, "bureau": Role.BUREAU}


class DistrictSpec(SimpleNamespace):
    """Everything that differs between the two demo districts (one row of districts.json)."""

    def __init__(self, code: str):
        row = dict(DATA["DISTRICTS"][code])
        row["role_people"] = {Role(r): tuple(p) for r, p in row["role_people"].items()}
        super().__init__(**{**row, "local_region": tuple(row["local_region"])})


DEMO, SECOND = DistrictSpec(DEMO_CODE), DistrictSpec(SECOND_CODE)
# The fixed user names of the demo accounts (SPEC §18); everyone else gets a pinyin name.
ACCOUNT_USERNAMES = tuple(
    sorted(
        {row[0] for spec in (DEMO, SECOND) for row in spec.role_people.values()}
        | {"leader", "leader2", CITY_PERSON[0]}
    )
)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def round_to(value: float, step: int) -> Decimal:
    return money(max(step, round(value / step) * step))


@dataclass
class Event:
    """A planned stage change."""

    from_stage: str
    to_stage: str
    on: datetime.date
    reason: str = ""
    backward: bool = False


class Plan:
    """A project before it is saved: its data, its history to be (``events``), its people;
    ``project`` once saved."""

    total = fixed = land = Decimal(0)
    output = tax = jobs = actual_tax = exit_variant = stop_on = condition_since = None
    energy = description = condition_reason = ""
    leader = group = project = None
    condition, planned, green = Condition.NORMAL, (None, None, None), False

    def __init__(self, name, kind, enterprise, industry, park_code, level, source):
        self.name, self.kind, self.enterprise, self.industry = name, kind, enterprise, industry
        self.park_code, self.level, self.source = park_code, level, source
        self.events, self.paired, self.team, self.leading_group = [], [], {}, []

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
        return next((e.to_stage for e in reversed(self.events) if e.on <= day), None)


class DistrictWorld:
    """The records of one district the project plans draw on."""

    def __init__(self, spec: DistrictSpec, district):
        self.spec, self.district = spec, district
        self.departments, self.parks, self.industries, self.groups = {}, {}, {}, {}
        self.leaders, self.heads, self.role_users, self.enterprises = {}, {}, {}, {}
        self.enterprise_users, self.staff, self.plans = {}, [], []

    def people(self, rank: str, department_keys) -> list:
        keys = {self.departments[k].pk for k in department_keys if k in self.departments}
        return [u for u in self.staff if u.rank == rank and u.department_id in keys]


def pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name)).replace("ü", "v")


def org_code_check(body: str) -> str:
    """GB 11714 check character of an organisation code (the 9th of its 9)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


class CityMixin:
    """Names, numbers and the records of a district before its projects."""

    def _person(self) -> str:
        while True:
            name = self.rng.choice(N.SURNAMES) + self.rng.choice(N.GIVEN_NAMES)
            if name not in self.person_names:
                self.person_names.add(name)
                return name

    def _username(self, real_name: str) -> str:
        base = pinyin(real_name)
        username, n = base, 2
        while username in self.usernames:
            username, n = f"{base}{n}", n + 1
        self.usernames.add(username)
        return username

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(count))

    def _mobile(self) -> str:
        return self.rng.choice(N.MOBILE_PREFIXES) + self._digits(8)

    def _credit_code(self, region: str) -> str:
        while True:
            if self.rng.random() < 0.7:
                body = "MA" + "".join(self.rng.choice(ALNUM) for _ in range(6))
            else:
                body = str(self.rng.randint(1, 9)) + self._digits(7)
            code = make_credit_code("91" + region + body + org_code_check(body))
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    # -- accounts -------------------------------------------------------------------------------

    def _make_users(self, rows: list[tuple[org.User, str]], world: DistrictWorld | None) -> None:
        """Open the accounts with their role group (the password hashed once for all)."""
        for user, role in rows:
            user.password = self.password
            user.save()
            user.groups.add(self.groups[role])
            if world is None:
                unit = f"{N.CITY} {user.title}"
            elif user.enterprise_id:
                unit = user.enterprise.name
            else:
                department = user.department.name if user.department_id else ""
                unit = f"{world.district.name} {department}{user.title}"
            self.accounts.append((user.username, role, user.real_name, unit))

    def _city_user(self) -> None:
        username, real_name, title = CITY_PERSON
        self.usernames.add(username)
        email = staff_email(username, "city")
        user = org.User(
            username=username, real_name=real_name, title=title, phone=self._mobile(), email=email
        )
        self._make_users([(user, Role.CITY)], None)

    def _enterprise_users(self, world: DistrictWorld) -> None:
        """Portal accounts: the `enterprise` demo account and the contacts of a few more
        enterprises with signed projects."""
        spec = world.spec
        portal = next(e for e in world.enterprises.values() if e.name == spec.portal_enterprise)
        chosen = [portal]
        for plan in world.plans:
            signed = plan.enterprise and Stage.SIGNED in plan.dates()
            if signed and len(chosen) < spec.enterprise_accounts and plan.enterprise not in chosen:
                chosen.append(plan.enterprise)
        rows = []
        for enterprise in chosen:
            if enterprise is portal:
                username, _name, _dep, _rank, title, _park = spec.role_people[Role.ENTERPRISE]
                self.usernames.add(username)
            else:
                username, title = self._username(enterprise.contact_name), "联系人"
            user = org.User(
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

    # -- reference data -------------------------------------------------------------------------

    def _district(self, spec: DistrictSpec) -> DistrictWorld:
        district = org.District.objects.create(code=spec.code, name=spec.name, city=N.CITY)
        world = DistrictWorld(spec=spec, district=district)
        for order, (key, name, short, kind, _title) in enumerate(spec.departments, start=1):
            world.departments[key] = org.Department.objects.create(
                district=district,
                name=name,
                short_name=short,
                kind=kind,
                contact="028-8" + self._digits(7),
                sort_order=order * 10,
            )
        self._zones_and_parks(world)
        classes = org.IndustryClass.objects.in_bulk(
            [i["gbt"] for i in spec.industries], field_name="code"
        )
        for order, info in enumerate(spec.industries, start=1):
            world.industries[info["key"]] = org.Industry.objects.create(
                district=district,
                name=info["name"],
                category=info["category"],
                gbt_class=classes.get(info["gbt"]),
                sort_order=order * 10,
            )
        self._people(world)
        self._working_groups(world)
        self._enterprises(world)
        return world

    def _zones_and_parks(self, world: DistrictWorld) -> None:
        """The zones first, then the parks inside them (from ``outlines.geojson``)."""
        features = [f for f in self.features if f["properties"]["district"] == world.spec.geo]
        zones = {}
        for props, geometry in sorted(
            ((f["properties"], f["geometry"]) for f in features),
            key=lambda f: f[0]["kind"] != "zone",
        ):
            common = {
                "district": world.district,
                "code": props["code"],
                "name": props["name"],
                "area_km2": money(props["area_km2"]),
                "outline": geometry,
            }
            if props["kind"] == "zone":
                zones[props["code"]] = org.Zone.objects.create(**common)
            else:
                committee = world.departments[world.spec.park_committees[props["code"]]]
                world.parks[props["code"]] = org.Park.objects.create(
                    **common, zone=zones[props["zone"]], committee=committee
                )

    def _people(self, world: DistrictWorld) -> None:
        """Leaders, the role accounts, department heads and handlers, and project staff."""
        spec, deps = world.spec, world.departments
        rows: list[tuple[org.User, str]] = []

        def add(real_name, role, rank, title, department=None, park=None, username=None):
            user = org.User(
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
            self.usernames.add(user.username)
            rows.append((user, role))
            return user

        leader_username = "leader" if spec.code == DEMO_CODE else "leader2"
        for key, real_name, title, dep_key in spec.leaders:
            username = leader_username if key == spec.leader_key else None
            world.leaders[key] = add(
                real_name, Role.LEADER, "county", title, deps.get(dep_key), username=username
            )
            # 区委、区政府主要领导: the leaders in charge forward to them (service.forward)
            world.leaders[key].is_principal_leader = key in spec.principal_leaders
            if dep_key:
                deps[dep_key].head = real_name
        world.role_users[Role.LEADER] = world.leaders[spec.leader_key]
        for role, (username, real_name, dep_key, rank, title, park) in spec.role_people.items():
            if role != Role.ENTERPRISE:  # (the enterprise's account comes with its enterprise)
                world.role_users[role] = add(
                    real_name, role, rank, title, deps.get(dep_key), world.parks.get(park), username
                )
        covered = {(u.department_id, u.rank) for u, _r in rows if u.department_id}
        for key, _name, _short, kind, head_title in spec.departments:
            department = deps[key]
            role = ROLE_OF_KIND.get(kind, ROLE_OF_KEY.get(key, Role.DEPARTMENT))
            if kind != "park_committee":
                head = add(self._person(), role, "section", head_title, department)
                department.head, world.heads[key] = head.real_name, head
                if (department.pk, "general") not in covered:
                    add(self._person(), role, "general", "经办人", department)
                continue
            parks = [world.parks[c] for c, k in spec.park_committees.items() if k == key]
            if not department.head:
                head = add(self._person(), role, "section", head_title, department, parks[0])
                department.head, world.heads[key] = head.real_name, head
            for park in parks:
                if not any(u.park is park for u, _r in rows):
                    add(self._person(), role, "section", f"{park.name}服务办主任", department, park)
        for key, rank, role, titles in spec.extra_staff:
            for title in titles:
                add(self._person(), role, rank, title, deps[key])
        for department in deps.values():
            department.save(update_fields=["head"])
        for user, _role in rows:
            # One handler's address was mistyped at registration (the outbox shows it failing).
            unit = user.department.short_name if user.department else ""
            mistyped = spec.code == DEMO_CODE and unit == MISTYPED_UNIT and user.title == "经办人"
            user.email = staff_email(user.username, spec.code, mistyped=mistyped)
        self._make_users(rows, world)
        world.staff = [u for u, _r in rows]

    def _working_groups(self, world: DistrictWorld) -> None:
        """The district's own groups, then one group per industry under the leading one."""
        deps, spec = world.departments, world.spec
        rows = [
            (key, name, kind, None, lead, dep_keys)
            for key, name, kind, lead, dep_keys in spec.groups
        ]
        for info in spec.industries:
            dep_keys = ("bureau", "econ", spec.park_committees[info["park"]])
            industry = world.industries[info["key"]]
            name = f"{info['name']}产业招商工作组"
            rows.append((info["key"], name, "industry", industry, info["group_lead"], dep_keys))
        for key, name, kind, industry, lead_key, dep_keys in rows:
            group = org.WorkingGroup.objects.create(
                district=world.district,
                name=name,
                kind=kind,
                industry=industry,
                lead=world.leaders[lead_key],
                parent=world.groups.get("leading"),
                # 领导小组办公室: where an escalation step without a person goes
                office=deps[spec.leading_office] if kind == "leading_group" else None,
            )
            group.departments.set([deps[k] for k in dep_keys if k in deps])
            world.groups[key] = group

    def _enterprises(self, world: DistrictWorld) -> None:
        """The enterprises as the bureau will register them (in the replay, projects.py)."""
        spec, rng = world.spec, self.rng
        for name, short, origin, region, home, industry, note in spec.enterprises:
            region_code, place = spec.local_region if region is None else (region, home)
            portal = name == spec.portal_enterprise
            contact = spec.role_people[Role.ENTERPRISE][1] if portal else self._person()
            enterprise = Enterprise(
                district=world.district,
                name=name,
                credit_code=self._credit_code(region_code),
                legal_representative=self._person(),
                registered_capital=money(rng.choice(PACE["CAPITALS"])),
                origin=origin,
                address=f"{place}{rng.choice(N.ROADS)}{rng.randint(1, 399)}号",
                contact_name=contact,
                contact_phone=self._mobile(),
                contact_email=f"{pinyin(contact)}@example.com",
                note="；".join(filter(None, [N.ENTERPRISE_NOTE_PREFIX[origin], note])),
            )
            enterprise.short, enterprise.industry_key = short, industry
            world.enterprises[short] = enterprise
