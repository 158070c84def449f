"""Who may act on agreements and commitments. Everything here is visible with its project
(信息共享, ``visible_to``); these rules decide the actions on what a user already sees.

- agreements, their terms and further obligations, waivers: the bureau and admins of the
  district (SPEC §1: the bureau creates and edits agreements);
- confirming an obligation by hand: for the enterprise's, the bureau, admins and the
  project team; for a department's, also that department's handlers;
- commitments: a department's handlers make their own department's, and plan, change and
  file them; the bureau and admins do it for any department;
- a milestone's progress: also the handlers of the department that owns the milestone
  and the person who owns it;
- a change of a filed commitment: asked by who manages the commitment, decided by the park
  committee of the project's park or the supervision office (督查室), never by the
  committing department itself.

City users change nothing; enterprise users have no staff pages.
"""

from __future__ import annotations

from zhaoshang.agreements.choices import Party
from zhaoshang.core import roles
from zhaoshang.core.roles import Role, can_edit_registry
from zhaoshang.projects.permissions import can_record_service


def _in_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def _handler_of(user, department_id) -> bool:
    """A department handler (部门经办人) of that department."""
    return bool(
        department_id
        and roles.has_role(user, Role.DEPARTMENT)
        and user.department_id == department_id
    )


def can_edit_agreement(user, project) -> bool:
    return can_edit_registry(user, project.district_id)


def can_confirm(user, obligation, project) -> bool:
    if roles.is_city(user) or not _in_district(user, obligation.district_id):
        return False
    if obligation.party == Party.DEPARTMENT:
        return can_edit_registry(user, obligation.district_id) or _handler_of(
            user, obligation.department_id
        )
    return can_record_service(user, project)


def can_create_commitment(user, project) -> bool:
    if roles.is_city(user) or not _in_district(user, project.district_id):
        return False
    return can_edit_registry(user, project.district_id) or _handler_of(user, user.department_id)


def can_manage_commitment(user, commitment) -> bool:
    """Change the plan, add or move milestones, file to the archive."""
    if roles.is_city(user) or not _in_district(user, commitment.district_id):
        return False
    return can_edit_registry(user, commitment.district_id) or _handler_of(
        user, commitment.department_id
    )


def can_report_progress(user, milestone, commitment) -> bool:
    if can_manage_commitment(user, commitment):
        return True
    if roles.is_city(user) or not _in_district(user, commitment.district_id):
        return False
    return _handler_of(user, milestone.owner_department_id) or (
        milestone.owner_id is not None and milestone.owner_id == user.pk
    )


def commitment_departments(user):
    """The departments a user may make commitments for: all of the district for the
    bureau and admins, their own for a department handler, none otherwise."""
    from zhaoshang.org.models import Department

    if roles.is_city(user) or not user.district_id:
        return Department.objects.none()
    qs = Department.objects.filter(district_id=user.district_id)
    if can_edit_registry(user, user.district_id):
        return qs
    if roles.has_role(user, Role.DEPARTMENT) and user.department_id:
        return qs.filter(pk=user.department_id)
    return Department.objects.none()


def can_request_change(user, commitment) -> bool:
    """Ask to move milestones of a filed commitment: who manages the commitment."""
    return can_manage_commitment(user, commitment)


def can_decide_change(user, commitment) -> bool:
    """Approve or refuse a change of a filed commitment: the park committee of the
    project's park (the archive it was filed with) or the district's supervision office
    (督查室) — never a handler of the committing department, who would judge their own
    request."""
    if roles.is_city(user) or not _in_district(user, commitment.district_id):
        return False
    if user.department_id and user.department_id == commitment.department_id:
        return False
    if roles.has_role(user, Role.SUPERVISOR):
        return True
    if not roles.has_role(user, Role.PARK):
        return False
    park = commitment.project.park
    return bool(
        (user.park_id and user.park_id == park.pk)
        or (park.committee_id and user.department_id == park.committee_id)
    )
