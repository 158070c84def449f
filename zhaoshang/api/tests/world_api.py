"""The API's resources over the test world, and what each role may do with them.

The expectations are SPEC §1 written as rules over the world's records (which
district a record is in, which park, who is on the team), not hand-picked answers.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from zhaoshang.core.roles import Role
from zhaoshang.testing import ROLE_USERS

# Every user of the world: one per role in each district, the city user, and the
# project team people (a leader, a bureau secretary, two department handlers).
TEAM_USERS = ["manager", "secretary", "officer", "outsider"]
USERS = (
    list(ROLE_USERS)
    + [f"{role}_b" for role in ROLE_USERS if role != Role.CITY]
    + TEAM_USERS
    + [f"{name}_b" for name in TEAM_USERS]
)

# resource → the prefix of its records' names in the world.
RESOURCES = {
    "projects": "project",
    "enterprises": "enterprise",
    "departments": "dept_",
    "parks": "park",
    "industries": "industry",
}
REGISTRY = {"projects", "enterprises"}
REFERENCE = {"departments", "parks", "industries"}

_serial = itertools.count(1)


def url(resource: str, pk: int | None = None, action: str | None = None) -> str:
    path = f"/api/v1/{resource}/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path


def role_of(user) -> str:
    (role,) = user.groups.values_list("name", flat=True)
    return role


def tag_of(world, user) -> str:
    """The district tag ("a" or "b") of a user; the city user is treated as "a"."""
    return "b" if user.district_id == world.district_b.pk else "a"


def records(world, resource: str) -> list:
    return [getattr(world, name) for name in world.names(RESOURCES[resource])]


def expected_visible(world, user, resource: str) -> set[int] | None:
    """The ids the user should see, or None when the resource is closed to them (403)."""
    role = role_of(user)
    if role == Role.ENTERPRISE:
        return None
    rows = records(world, resource)
    if role == Role.CITY:
        return {row.pk for row in rows}
    rows = [row for row in rows if row.district_id == user.district_id]
    if resource == "projects" and role == Role.PARK:
        rows = [row for row in rows if row.park_id == user.park_id]
    return {row.pk for row in rows}


def may_write(role: str, resource: str) -> bool:
    if role == Role.CITY:
        return False
    if resource in REGISTRY:
        return role in (Role.ADMIN, Role.BUREAU)
    return role == Role.ADMIN


def may_delete(role: str, resource: str) -> bool:
    return role == Role.ADMIN


def credit_code(n: int) -> str:
    from zhaoshang.enterprises.creditcode import make_credit_code

    return make_credit_code(f"9151010{n:010d}")


def create_payload(world, resource: str, tag: str) -> dict:
    n = next(_serial)
    if resource == "projects":
        return {
            "name": f"测试新建项目{n}",
            "park": getattr(world, f"park1_{tag}").pk,
            "enterprise": getattr(world, f"enterprise1_{tag}").pk,
            "industry": getattr(world, f"industry_{tag}").pk,
            "working_group": getattr(world, f"group_{tag}").pk,
            "paired_departments": [getattr(world, f"dept_works_{tag}").pk],
            "level": "key",
            "total_investment": "12000.50",
            "fixed_asset_investment": "10000",
            "land_area": "50",
        }
    if resource == "enterprises":
        return {"name": f"测试企业{n}有限公司", "credit_code": credit_code(n), "origin": "local"}
    if resource == "departments":
        return {"name": f"测试部门{n}", "short_name": f"部门{n}", "kind": "government"}
    if resource == "parks":
        return {
            "zone": getattr(world, f"zone_{tag}").pk,
            "code": f"T{n}",
            "name": f"测试园区{n}",
            "area_km2": "3.50",
        }
    if resource == "industries":
        return {"name": f"测试产业{n}", "category": "emerging", "gbt_class": "C"}
    raise KeyError(resource)


def make_record(world, resource: str, tag: str, name: str | None = None, **extra):
    """A fresh record nothing else refers to (so it can be deleted)."""
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.org.models import Department, Industry, Park
    from zhaoshang.projects.models import Project

    n = next(_serial)
    district = getattr(world, f"district_{tag}")
    if resource == "projects":
        values = {
            "district": district,
            "code": f"ZS-T-{n:05d}",
            "name": name or f"临时项目{n}",
            "park": getattr(world, f"park1_{tag}"),
            "total_investment": Decimal("100"),
        }
        values.update(extra)
        return Project.objects.create(**values)
    if resource == "enterprises":
        values = {
            "district": district,
            "name": name or f"临时企业{n}",
            "credit_code": credit_code(100000 + n),
            "origin": "local",
        }
        values.update(extra)
        return Enterprise.objects.create(**values)
    if resource == "departments":
        return Department.objects.create(district=district, name=name or f"临时部门{n}", **extra)
    if resource == "parks":
        return Park.objects.create(
            district=district,
            zone=getattr(world, f"zone_{tag}"),
            code=f"T{n}",
            name=name or f"临时园区{n}",
            area_km2=Decimal("1"),
            **extra,
        )
    if resource == "industries":
        return Industry.objects.create(district=district, name=name or f"临时产业{n}", **extra)
    raise KeyError(resource)


def target(world, resource: str, tag: str):
    """A record of the district every user of that district can see."""
    return {
        "projects": lambda: getattr(world, f"project1_{tag}"),
        "enterprises": lambda: getattr(world, f"enterprise1_{tag}"),
        "departments": lambda: getattr(world, f"dept_works_{tag}"),
        "parks": lambda: getattr(world, f"park1_{tag}"),
        "industries": lambda: getattr(world, f"industry_{tag}"),
    }[resource]()
