"""Who may act on approvals. Cases are visible with their project; acting on a case is for
the department that holds it, the service center (统一受理, 快速转办) and admins."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role


def _in_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def can_register(user, project) -> bool:
    """Register cases (统一受理): the service center, the bureau and admins."""
    if roles.is_city(user):
        return False
    return roles.has_role(user, Role.SERVICE_CENTER, Role.BUREAU, Role.ADMIN) and _in_district(
        user, project.district_id
    )


def can_handle(user, case) -> bool:
    """Accept, handle, pause, report, complete or return: the holding department, admins."""
    if roles.is_city(user) or not _in_district(user, case.district_id):
        return False
    if roles.has_role(user, Role.ADMIN):
        return True
    return roles.has_role(user, Role.DEPARTMENT) and user.department_id == case.department_id


def can_transfer(user, case) -> bool:
    """Transfer (快速转办): the service center, the holding department, admins."""
    if roles.is_city(user) or not _in_district(user, case.district_id):
        return False
    return can_handle(user, case) or roles.has_role(user, Role.SERVICE_CENTER)


def can_approve_extension(user, district_id) -> bool:
    """Who may be recorded as approving a special-circumstances extension."""
    return roles.has_role(user, Role.LEADER, Role.ADMIN) and _in_district(user, district_id)


def can_record_joint_decision(user, project) -> bool:
    if roles.is_city(user):
        return False
    return roles.has_role(
        user, Role.SERVICE_CENTER, Role.ADMIN, Role.LEADER, Role.BUREAU
    ) and _in_district(user, project.district_id)


def can_edit_catalogue(user, district_id) -> bool:
    return (
        roles.has_role(user, Role.ADMIN)
        and not roles.is_city(user)
        and _in_district(user, district_id)
    )
