"""Who is told: the people of a department, the supervision office of a district, the
office of the investment leading group and the principal leaders (for the services'
notifications)."""

from __future__ import annotations

from zhaoshang.core.roles import Role
from zhaoshang.org.models import User


def staff_of_department(department_id) -> list:
    """The department's active staff (not enterprise accounts)."""
    return list(
        User.objects.filter(department_id=department_id, is_active=True, enterprise__isnull=True)
    )


def supervisors(district_id) -> list:
    """The district's supervision office (督查室) people."""
    return list(
        User.objects.filter(
            district_id=district_id, is_active=True, groups__name=Role.SUPERVISOR
        ).distinct()
    )


def leading_group_offices(district_ids) -> dict:
    """The office of each district's investment leading group (招商引资工作领导小组办公室):
    {district id: Department or None}. It is the department the leading group's ``office``
    names; without one, the district's investment bureau (招商局, where the office
    usually sits: the department of the bureau role's people)."""
    from zhaoshang.org.choices import WorkingGroupKind
    from zhaoshang.org.models import WorkingGroup

    district_ids = set(district_ids)
    out = dict.fromkeys(district_ids)
    for group in WorkingGroup.objects.filter(
        district_id__in=district_ids, kind=WorkingGroupKind.LEADING_GROUP, office__isnull=False
    ).select_related("office"):
        out[group.district_id] = out[group.district_id] or group.office
    missing = [pk for pk, office in out.items() if office is None]
    if missing:
        for district_id, bureau in investment_bureaus(missing).items():
            out[district_id] = out[district_id] or bureau
    return out


def investment_bureaus(district_ids) -> dict:
    """Each district's investment promotion bureau (招商局): {district id: Department or
    None}, the department its bureau-role people belong to (first in the district's
    order). One query."""
    from zhaoshang.org.models import Department

    district_ids = set(district_ids)
    out = dict.fromkeys(district_ids)
    if not district_ids:
        return out
    bureaus = (
        Department.objects.filter(
            district_id__in=district_ids,
            users__groups__name=Role.BUREAU,
            users__is_active=True,
        )
        .distinct()
        .order_by("sort_order", "id")
    )
    for department in bureaus:
        out[department.district_id] = out[department.district_id] or department
    return out


def leading_group_office_staff(district_ids) -> dict[int, list]:
    """Who answers for the leading group's office of each district: the office's active
    staff; when it has none, the district's bureau people (the office's parent body).
    Two or three queries whatever the number of districts."""
    offices = leading_group_offices(district_ids)
    out: dict[int, list] = {pk: [] for pk in offices}
    office_ids = {o.pk for o in offices.values() if o is not None}
    for user in User.objects.filter(
        department_id__in=office_ids, is_active=True, enterprise__isnull=True
    ).order_by("id"):
        out[user.district_id].append(user)
    empty = [pk for pk, people in out.items() if not people]
    if empty:
        for user in (
            User.objects.filter(district_id__in=empty, is_active=True, groups__name=Role.BUREAU)
            .distinct()
            .order_by("id")
        ):
            out[user.district_id].append(user)
    return out


def principal_leaders(district_id) -> list:
    """The district's principal leaders (区委、区政府主要领导): active leader accounts
    marked so by the administrator."""
    return list(
        User.objects.filter(
            district_id=district_id,
            is_active=True,
            is_principal_leader=True,
            groups__name=Role.LEADER,
        )
        .distinct()
        .order_by("id")
    )
