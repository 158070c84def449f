"""Test world: two districts with one user per role, built once per test session.

Like healthchecks' Alice/Bob/Charlie: every test names the people and records it
needs from ``world`` instead of building its own. Objects are re-read per test, so
a test may change them freely (its transaction is rolled back).
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import Group

from zhaoshang.core.roles import Role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FROZEN_NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)  # a Monday
PASSWORD = "Test@2026pw"

ROLE_USERS = [r.value for r in Role]


def _credit(first17: str) -> str:
    from zhaoshang.enterprises.creditcode import make_credit_code

    return make_credit_code(first17)


def build_world() -> dict[str, tuple[str, int]]:
    """Create the world; return {name: (model label, pk)}."""
    from django.contrib.auth.hashers import make_password

    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.org.choices import DepartmentKind, IndustryCategory, Rank, WorkingGroupKind
    from zhaoshang.org.models import (
        Department,
        District,
        Industry,
        Park,
        User,
        WorkingGroup,
        Zone,
    )
    from zhaoshang.projects.choices import Level, Stage
    from zhaoshang.projects.models import Project, ProjectTeamMember

    refs: dict[str, tuple[str, int]] = {}
    password = make_password(PASSWORD)
    groups = {g.name: g for g in Group.objects.all()}

    def keep(name, obj):
        refs[name] = (obj._meta.label, obj.pk)
        return obj

    def user(name, district, role=None, **extra):
        u = User.objects.create(
            username=name, password=password, district=district, real_name=name.title(), **extra
        )
        if role:
            u.groups.add(groups[role])
        return keep(f"user_{name}", u)

    for tag, code in (("a", "alpha"), ("b", "beta")):
        district = keep(
            f"district_{tag}", District.objects.create(code=code, name=f"{code} 区", city="测试市")
        )
        center = keep(
            f"dept_center_{tag}",
            Department.objects.create(
                district=district, name="区政务服务中心", short_name="政务中心"
            ),
        )
        bureau_dept = keep(
            f"dept_bureau_{tag}",
            Department.objects.create(district=district, name="区招商局", short_name="招商局"),
        )
        works = keep(
            f"dept_works_{tag}",
            Department.objects.create(district=district, name="区建设局", short_name="建设局"),
        )
        keep(
            f"dept_land_{tag}",
            Department.objects.create(district=district, name="区国土局", short_name="国土局"),
        )
        supervision = keep(
            f"dept_supervision_{tag}",
            Department.objects.create(
                district=district,
                name="区目标绩效督查室",
                short_name="督查室",
                kind=DepartmentKind.SUPERVISION,
            ),
        )
        committee = keep(
            f"dept_committee_{tag}",
            Department.objects.create(
                district=district,
                name="东城园区管委会",
                short_name="园区管委会",
                kind=DepartmentKind.PARK_COMMITTEE,
            ),
        )
        zone = keep(
            f"zone_{tag}",
            Zone.objects.create(
                district=district, code="Z1", name="东城工业集中发展区", area_km2=Decimal("22")
            ),
        )
        park1 = keep(
            f"park1_{tag}",
            Park.objects.create(
                district=district,
                zone=zone,
                code="P1",
                name="装备制造产业园",
                area_km2=Decimal("6"),
                committee=committee,
            ),
        )
        park2 = keep(
            f"park2_{tag}",
            Park.objects.create(
                district=district,
                zone=zone,
                code="P2",
                name="食品饮料产业园",
                area_km2=Decimal("4"),
            ),
        )
        industry = keep(
            f"industry_{tag}",
            Industry.objects.create(
                district=district, name="装备制造", category=IndustryCategory.LEADING
            ),
        )
        keep(
            f"industry2_{tag}",
            Industry.objects.create(
                district=district, name="新材料", category=IndustryCategory.EMERGING
            ),
        )
        group = keep(
            f"group_{tag}",
            WorkingGroup.objects.create(
                district=district, name="招大引强项目工作组", kind=WorkingGroupKind.MAJOR_PROJECTS
            ),
        )
        e1 = keep(
            f"enterprise1_{tag}",
            Enterprise.objects.create(
                district=district,
                name=f"华鑫新能源科技有限公司{tag}",
                credit_code=_credit(f"91510100MA6{tag.upper()}BC123"),
                origin="out_of_province",
            ),
        )
        e2 = keep(
            f"enterprise2_{tag}",
            Enterprise.objects.create(
                district=district,
                name=f"蜀味食品有限公司{tag}",
                credit_code=_credit(f"91510100MA7{tag.upper()}DE345"),
                origin="local",
            ),
        )

        suffix = "" if tag == "a" else "_b"
        for role in ROLE_USERS:
            if role == Role.CITY:
                continue
            extra = {}
            if role == Role.DEPARTMENT:
                extra["department"] = works
            elif role == Role.SERVICE_CENTER:
                extra["department"] = center
            elif role == Role.BUREAU:
                extra["department"] = bureau_dept
            elif role == Role.SUPERVISOR:
                extra["department"] = supervision
            elif role == Role.PARK:
                extra.update(department=committee, park=park1)
            elif role == Role.ENTERPRISE:
                extra.update(enterprise=e1, rank=Rank.ENTERPRISE)
            elif role == Role.LEADER:
                extra["rank"] = Rank.COUNTY
            user(f"{role}{suffix}", district, role, **extra)
        manager = user(f"manager{suffix}", district, Role.LEADER, rank=Rank.COUNTY)
        secretary = user(
            f"secretary{suffix}", district, Role.BUREAU, rank=Rank.SECTION, department=bureau_dept
        )
        officer = user(
            f"officer{suffix}", district, Role.DEPARTMENT, rank=Rank.GENERAL, department=works
        )
        # A plain department handler who serves no project: must not edit team records.
        user(f"outsider{suffix}", district, Role.DEPARTMENT, rank=Rank.GENERAL, department=works)

        p1 = keep(
            f"project1_{tag}",
            Project.objects.create(
                district=district,
                code=f"ZS-2025-000{1 if tag == 'a' else 9}",
                name="华鑫新能源电池项目",
                enterprise=e1,
                industry=industry,
                park=park1,
                level=Level.MAJOR,
                stage=Stage.SIGNED,
                total_investment=Decimal("50000"),
                fixed_asset_investment=Decimal("40000"),
                land_area=Decimal("200"),
                signed_on=datetime.date(2026, 3, 2),
                working_group=group,
                designated_leader=manager,
            ),
        )
        p2 = keep(
            f"project2_{tag}",
            Project.objects.create(
                district=district,
                code=f"ZS-2025-000{2 if tag == 'a' else 8}",
                name="蜀味食品加工项目",
                enterprise=e2,
                industry=industry,
                park=park2,
                level=Level.GENERAL,
                stage=Stage.LEAD,
                total_investment=Decimal("8000"),
            ),
        )
        p1.paired_departments.add(works)
        for role, member in (
            ("manager", manager),
            ("secretary", secretary),
            ("service_officer", officer),
        ):
            ProjectTeamMember.objects.create(project=p1, user=member, role=role)
        _approvals(keep, tag, district, works, p1, p2)
    city = user("city", None, Role.CITY)
    del city
    return refs


def _approvals(keep, tag, district, works, project1, project2) -> None:
    """The approval catalogue of district a (seeded; its new departments join the world)
    and, in each district, a 住建 item without prerequisites (outside the green channel, so
    that registering a project's green channel still creates exactly the seeded items).

    Cases, registered by the service center today and pending (written as the service
    would, without its domain event, like the rest of the world): ``case_a`` (project1_a,
    held by the world's department handler), ``case_out_a`` (project2_a, held by 国土局)
    and ``case_b`` (project1_b, district b)."""
    from zhaoshang.approvals.catalogue import seed_catalogue
    from zhaoshang.approvals.choices import Phase
    from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
    from zhaoshang.org.models import Department, User

    def register(project, item, agent, by):
        return ApprovalCase.objects.create(
            district=project.district,
            project=project,
            item=item,
            department=item.department,
            agent=agent,
            registered_on=FROZEN_NOW.date(),
            registered_by=by,
            time_limit=item.time_limit,
            time_limit_unit=item.time_limit_unit,
        )

    item = keep(
        f"item_works_{tag}",
        ApprovalItem.objects.create(
            district=district,
            code="GC-09",
            name="城市建筑垃圾处置核准",
            department=works,
            phase=Phase.WORKS_PLANNING,
            in_green_channel=False,
            sort_order=95,
            legal_basis="《城市建筑垃圾管理规定》",
        ),
    )
    agent = User.objects.get(username="service_center" + ("" if tag == "a" else "_b"))
    keep(f"case_{tag}", register(project1, item, agent, agent))
    if tag != "a":
        return
    known = set(Department.objects.filter(district=district).values_list("pk", flat=True))
    items = {i.code: i for i in seed_catalogue(district)}
    for department in Department.objects.filter(district=district).exclude(pk__in=known):
        keep(f"dept_catalogue{department.pk}_{tag}", department)
    keep(f"item_land_{tag}", items["XM-02"])
    keep(f"case_out_{tag}", register(project2, items["XM-02"], None, agent))


class World:
    """Attribute access to the world's records, fetched fresh for each test."""

    def __init__(self, refs: dict[str, tuple[str, int]]):
        self._refs = refs
        self._cache: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._cache:
            from django.apps import apps

            try:
                label, pk = self._refs[name]
            except KeyError:
                raise AttributeError(name) from None
            self._cache[name] = apps.get_model(label).objects.get(pk=pk)
        return self._cache[name]

    def names(self, prefix: str = "") -> list[str]:
        return [n for n in self._refs if n.startswith(prefix)]


def route_names(namespace: str) -> set[str]:
    """The named URL routes of an app's namespace (``land:parcels`` …), for the permission
    matrices' check that every route is covered."""
    from django.urls import get_resolver

    return {
        f"{namespace}:{p.name}"
        for r in get_resolver().url_patterns
        if getattr(r, "namespace", None) == namespace
        for p in r.url_patterns
        if p.name
    }


def each_person(people, request) -> dict[str, int]:
    """The status each person gets from ``request(who)`` (which makes the request and may
    assert what it must not change), each in its own savepoint rolled back afterwards: one
    route × object of a permission matrix is one test, and one person's request leaves
    nothing behind for the next."""
    from django.db import transaction

    got = {}
    for who in people:
        with transaction.atomic():
            got[who] = request(who)
            transaction.set_rollback(True)
    return got


def assert_statuses(got: dict[str, int], expected: dict[str, int], what: str) -> None:
    """One line per person whose status differs from the matrix."""
    wrong = [
        f"{who}: {got[who]} (expected {expected[who]})"
        for who in expected
        if got[who] != expected[who]
    ]
    assert not wrong, f"{what}\n  " + "\n  ".join(wrong)
