"""The people and reference records of a demo district: its departments, zones and parks,
industries, working groups, staff accounts and the enterprises its projects belong to.
Mixed into ``DemoBuilder`` (it shares the builder's ``rng`` and its sets of names taken)."""

from __future__ import annotations

from pypinyin import lazy_pinyin

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.ops import staff_email
from zhaoshang.demo.progress import money
from zhaoshang.demo.world import CITY_PERSON, DEMO_CODE, PACE, DistrictSpec, DistrictWorld
from zhaoshang.enterprises.creditcode import CHARSET, make_credit_code
from zhaoshang.enterprises.models import Enterprise
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
from zhaoshang.projects.choices import Stage

#: The unit whose handler mistyped her e-mail address at registration.
MISTYPED_UNIT = "税务局"
ALNUM = [c for c in CHARSET if c.isalnum()]
# The role of a department's people, by the department's kind or key.
ROLE_OF_KIND = {"supervision": Role.SUPERVISOR, "park_committee": Role.PARK}
ROLE_OF_KEY = {"center": Role.SERVICE_CENTER, "bureau": Role.BUREAU}


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

    # -- names and numbers --------------------------------------------------------------------

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

    def _make_users(self, rows: list[tuple[User, str]], world: DistrictWorld | None) -> None:
        """Open the accounts with their role group, as the administrator does (the password
        hashed once for all)."""
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
        user = User(
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

    # -- reference data -------------------------------------------------------------------------

    def _district(self, spec: DistrictSpec) -> DistrictWorld:
        district = District.objects.create(code=spec.code, name=spec.name, city=N.CITY)
        world = DistrictWorld(spec=spec, district=district)
        for order, (key, name, short, kind, _title) in enumerate(spec.departments, start=1):
            world.departments[key] = Department.objects.create(
                district=district,
                name=name,
                short_name=short,
                kind=kind,
                contact="028-8" + self._digits(7),
                sort_order=order * 10,
            )
        self._zones_and_parks(world)
        self._industries(world)
        self._people(world)
        self._working_groups(world)
        self._enterprises(world)
        return world

    def _zones_and_parks(self, world: DistrictWorld) -> None:
        features = [f for f in self.features if f["properties"]["district"] == world.spec.geo]
        zones = {}
        for kind in ("zone", "park"):
            for feature in features:
                props = feature["properties"]
                if props["kind"] != kind:
                    continue
                common = {
                    "district": world.district,
                    "code": props["code"],
                    "name": props["name"],
                    "area_km2": money(props["area_km2"]),
                    "outline": feature["geometry"],
                }
                if kind == "zone":
                    zones[props["code"]] = Zone.objects.create(**common)
                    continue
                committee = world.departments[world.spec.park_committees[props["code"]]]
                world.parks[props["code"]] = Park.objects.create(
                    **common, zone=zones[props["zone"]], committee=committee
                )

    def _industries(self, world: DistrictWorld) -> None:
        infos = world.spec.industries
        classes = IndustryClass.objects.in_bulk([i["gbt"] for i in infos], field_name="code")
        for order, info in enumerate(infos, start=1):
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
            self.usernames.add(user.username)
            rows.append((user, role))
            return user

        leader_username = "leader" if spec.code == DEMO_CODE else "leader2"
        for key, real_name, title, dep_key in spec.leaders:
            username = leader_username if key == spec.leader_key else None
            world.leaders[key] = add(
                real_name, Role.LEADER, "county", title, deps.get(dep_key), username=username
            )
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
            if kind == "park_committee":
                parks = [world.parks[c] for c, k in spec.park_committees.items() if k == key]
                if not department.head:
                    head = add(self._person(), role, "section", head_title, department, parks[0])
                    department.head, world.heads[key] = head.real_name, head
                for park in parks:
                    if not any(u.park is park for u, _r in rows):
                        add(
                            self._person(),
                            role,
                            "section",
                            f"{park.name}服务办主任",
                            department,
                            park,
                        )
                continue
            head = add(self._person(), role, "section", head_title, department)
            department.head, world.heads[key] = head.real_name, head
            if (department.pk, "general") not in covered:
                add(self._person(), role, "general", "经办人", department)
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
        deps, spec = world.departments, world.spec
        rows = [
            (key, name, kind, None, lead_key, dep_keys)
            for key, name, kind, lead_key, dep_keys in spec.groups
        ] + [
            (
                info["key"],
                f"{info['name']}产业招商工作组",
                "industry",
                world.industries[info["key"]],
                info["group_lead"],
                ("bureau", "econ", spec.park_committees[info["park"]]),
            )
            for info in spec.industries
        ]
        for key, name, kind, industry, lead_key, dep_keys in rows:
            group = WorkingGroup.objects.create(
                district=world.district,
                name=name,
                kind=kind,
                industry=industry,
                lead=world.leaders[lead_key],
                parent=world.groups.get("leading"),
            )
            group.departments.set([deps[k] for k in dep_keys if k in deps])
            world.groups[key] = group

    def _enterprises(self, world: DistrictWorld) -> None:
        """The enterprises as the bureau will register them (in the replay, projects.py)."""
        spec, rng = world.spec, self.rng
        for name, short, origin, region, home, industry, note in spec.enterprises:
            region_code, place = spec.local_region if region is None else (region, home)
            if name == spec.portal_enterprise:
                contact = spec.role_people[Role.ENTERPRISE][1]
            else:
                contact = self._person()
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
