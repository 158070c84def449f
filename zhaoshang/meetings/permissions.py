"""Who may act on meetings and action items. Visibility is the querysets' ``visible_to``;
these rules decide the actions on a record the user can already see.

- Meetings are organised by the district's leaders, the investment promotion bureau, the
  supervision office and admins; the same people record their agendas, decisions and minutes.
- An action item is carried by its owner: the people of the owner department and the
  person in charge (and admins); the supervision office (督查室) closes it or sends it back.
- City users read everything and change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

MEETING_ORGANISER_ROLES = (Role.ADMIN, Role.LEADER, Role.BUREAU, Role.SUPERVISOR)
# Who assigns an action item directly (督办交办), outside a meeting.
ASSIGNER_ROLES = (Role.ADMIN, Role.LEADER, Role.SUPERVISOR)
SUPERVISION_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def _in_district(user, district_id) -> bool:
    return bool(user.is_superuser or (user.district_id and user.district_id == district_id))


def _writer(user, district_id) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and _in_district(user, district_id)
    )


def can_schedule(user, district_id) -> bool:
    """Schedule a meeting in the district."""
    return _writer(user, district_id) and roles.has_role(user, *MEETING_ORGANISER_ROLES)


def can_manage_meeting(user, meeting) -> bool:
    """Edit a meeting, its agenda and minutes, and record its decisions."""
    return can_schedule(user, meeting.district_id)


def can_assign(user, district_id, *, decision=None) -> bool:
    """Create an action item: through a meeting decision, whoever manages the meeting;
    otherwise (an instruction, a problem, the supervision office's own 交办) the district's
    leaders, the supervision office and admins."""
    if not _writer(user, district_id):
        return False
    if decision is not None:
        return can_manage_meeting(user, decision.meeting)
    return roles.has_role(user, *ASSIGNER_ROLES)


def is_owner(user, item) -> bool:
    """The owner department's people, the person in charge, and admins carry an item."""
    if not _writer(user, item.district_id):
        return False
    if roles.has_role(user, Role.ADMIN):
        return True
    if roles.is_enterprise(user):
        return False
    return bool(
        (user.department_id and user.department_id == item.owner_department_id)
        or user.pk == item.owner_person_id
    )


def can_supervise(user, item) -> bool:
    """Close an item or send it back (退回重办), change its owner or due date: the
    supervision office and admins."""
    return _writer(user, item.district_id) and roles.has_role(user, *SUPERVISION_ROLES)
