"""Who may act on project service records. Visibility is the querysets' ``visible_to``;
these rules decide the actions on a record the user can already see.

- Receipts are filled in by the project team only (项目经理制/项目秘书制: the manager, the
  secretary, the service officer, the members of a leading group) and corrected by the
  one who filed them.
- Instructions (批示) are written by the leader the receipt is addressed to, or by the
  project's leader in charge now (``projects.leaders``: its designated contact leader,
  else its manager). The same leaders forward a receipt or a problem to the district's
  principal leaders (区委、区政府主要领导).
- Needs and second-round records are recorded by the team and the registry editors (the
  bureau, admins: ``projects.permissions.can_record_service``); the department a need is
  assigned to works on it; leaders may also take a need to a joint meeting. The project's
  own enterprise raises needs in the service hall and rates the answers; it changes
  nothing else.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role, can_edit_registry
from zhaoshang.projects.leaders import leader_in_charge
from zhaoshang.projects.permissions import can_record_service, is_team_member


def _in_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def _may_write(user, district_id) -> bool:
    """Government users of the district; city users read only, enterprises use the portal."""
    if roles.is_city(user) or roles.is_enterprise(user):
        return False
    return roles.is_staff_user(user) and _in_district(user, district_id)


def can_file_receipt(user, project) -> bool:
    """Only the project team fills in the receipts of its project."""
    return _may_write(user, project.district_id) and is_team_member(user, project)


def can_correct_receipt(user, receipt) -> bool:
    return _may_write(user, receipt.district_id) and receipt.filed_by_id == user.pk


def can_instruct(user, receipt) -> bool:
    """批示: the leader the receipt was sent to, or the project's leader in charge now."""
    if not _may_write(user, receipt.district_id) or not roles.has_role(user, Role.LEADER):
        return False
    return user.pk == receipt.addressee_id or is_leader_in_charge(user, receipt.project)


def is_leader_in_charge(user, project) -> bool:
    leader = leader_in_charge(project)
    return leader is not None and leader.pk == user.pk


def can_forward(user, receipt=None, need=None) -> bool:
    """报送主要领导: the leader a receipt was sent to or the project's leader in charge
    forwards it (or one of the project's problems) to the principal leaders."""
    district_id = (receipt or need).district_id
    if not _may_write(user, district_id) or not roles.has_role(user, Role.LEADER):
        return False
    if receipt is not None:
        return can_instruct(user, receipt)
    return is_leader_in_charge(user, need.project)


def records_needs(user, project) -> bool:
    """The team and the registry editors keep the project's problem list."""
    return _may_write(user, project.district_id) and can_record_service(user, project)


def can_raise_need(user, project) -> bool:
    """Those who keep the list, and the project's own enterprise (its contact, in the
    service hall: 企业诉求)."""
    return records_needs(user, project) or roles.is_contact_of(user, project.enterprise_id)


def can_rate_need(user, need) -> bool:
    """The enterprise whose project it is rates the answer to its need (好差评)."""
    return roles.is_contact_of(user, need.project.enterprise_id)


def is_assigned_department(user, need) -> bool:
    return bool(
        _may_write(user, need.district_id)
        and roles.has_role(user, Role.DEPARTMENT)
        and user.department_id
        and user.department_id == need.department_id
    )


def _admin(user, district_id) -> bool:
    return _may_write(user, district_id) and roles.has_role(user, Role.ADMIN)


def can_start_need(user, need) -> bool:
    """The assigned department takes the need up (处理中)."""
    return is_assigned_department(user, need) or _admin(user, need.district_id)


def can_resolve_need(user, need) -> bool:
    """The assigned department reports it solved; the team may confirm it solved too."""
    return can_start_need(user, need) or records_needs(user, need.project)


def can_escalate_need(user, need) -> bool:
    """Take it to a joint meeting (联席会议): the team, the assigned department, leaders."""
    return can_resolve_need(user, need) or (
        _may_write(user, need.district_id) and roles.has_role(user, Role.LEADER)
    )


def can_close_need(user, need) -> bool:
    """Close without a solution (withdrawn, no longer relevant): the team and editors."""
    return records_needs(user, need.project)


def can_edit_need(user, need) -> bool:
    """The team and editors (the bureau passes on a need the enterprise left to it)."""
    return records_needs(user, need.project)


def can_record_second_round(user, project=None, enterprise=None) -> bool:
    """For a project: the team and the editors; for an enterprise alone: the editors."""
    if project is not None:
        return _may_write(user, project.district_id) and can_record_service(user, project)
    if enterprise is not None:
        return _may_write(user, enterprise.district_id) and can_edit_registry(
            user, enterprise.district_id
        )
    return False
