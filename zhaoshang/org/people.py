"""Who is told: the people of a department, the supervision office of a district (for the
services' notifications)."""

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
