"""Who may act on inspection requests (SPEC §1, §9). Visibility is
``InspectionRequest.objects.visible_to``; these rules decide the actions on a request the
user can already see.

- A department files requests for itself: its own people (department handlers, park
  committees, the service center, the bureau) and admins for any department.
- The supervision office (and admins) approve, reject and merge visits into joint
  inspections.
- The filing department (and admins) cancel a request and record that a visit took place.
- The enterprise's rating is recorded by staff on its behalf (supervision office, bureau,
  admin) or by the enterprise's own portal user; an unapproved visit is reported by the
  same staff on its behalf or by the enterprise's own portal user for itself.
- Verification codes are shown to the filing department and the supervision office.
  City users read everything and change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

FILER_ROLES = (Role.DEPARTMENT, Role.PARK, Role.SERVICE_CENTER, Role.BUREAU)
SUPERVISION_ROLES = (Role.ADMIN, Role.SUPERVISOR)
RECEIVER_ROLES = (Role.ADMIN, Role.BUREAU, Role.SUPERVISOR)


def _writer(user, district_id) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and not roles.is_enterprise(user)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )


def _is_admin(user) -> bool:
    return roles.has_role(user, Role.ADMIN)


def can_file(user, district_id) -> bool:
    """May open the filing form at all: a person of a department, or an admin."""
    if not _writer(user, district_id):
        return False
    return _is_admin(user) or bool(user.department_id and roles.has_role(user, *FILER_ROLES))


def can_file_for(user, department) -> bool:
    if not _writer(user, department.district_id):
        return False
    return _is_admin(user) or (
        user.department_id == department.pk and roles.has_role(user, *FILER_ROLES)
    )


def is_filing_department(user, request) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_enterprise(user)
        and user.department_id
        and user.department_id == request.department_id
    )


def can_decide(user, request) -> bool:
    """Approve, reject, merge into a joint inspection: the supervision office."""
    return _writer(user, request.district_id) and roles.has_role(user, *SUPERVISION_ROLES)


def can_manage(user, request) -> bool:
    """Cancel and record visits: the filing department and admins."""
    if not _writer(user, request.district_id):
        return False
    return _is_admin(user) or (
        is_filing_department(user, request) and roles.has_role(user, *FILER_ROLES)
    )


def can_receive(user, district_id) -> bool:
    """Report an unapproved visit and record ratings on an enterprise's behalf."""
    return _writer(user, district_id) and roles.has_role(user, *RECEIVER_ROLES)


def is_enterprise_of(user, visit) -> bool:
    return bool(
        roles.is_enterprise(user)
        and user.enterprise_id
        and user.enterprise_id == visit.enterprise_id
    )


def can_report(user, district_id, enterprise) -> bool:
    """Report an unapproved visit to ``enterprise``: the receivers on its behalf, or its
    own portal user for itself."""
    if can_receive(user, district_id):
        return True
    return enterprise is not None and roles.is_contact_of(user, enterprise.pk)


def can_rate(user, visit) -> bool:
    return can_receive(user, visit.district_id) or is_enterprise_of(user, visit)


def can_see_codes(user, request) -> bool:
    if roles.is_city(user) or not getattr(user, "is_authenticated", False):
        return False
    if user.district_id != request.district_id and not user.is_superuser:
        return False
    return roles.has_role(user, *SUPERVISION_ROLES) or is_filing_department(user, request)
