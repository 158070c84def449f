"""Who may do what with targets and KPIs (SPEC §1, §12).

- Every government user reads the KPIs of the projects they can see and the targets of
  their district; city users read every district and compare them.
- The investment promotion bureau and admins of a district set its targets (create, edit,
  delete); leaders, the supervision office and the rest read them; city users change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

TARGET_EDITOR_ROLES = (Role.ADMIN, Role.BUREAU)


def can_read(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and roles.is_staff_user(user))


def can_edit_targets(user, district_id) -> bool:
    """May set the targets of this district."""
    return bool(
        getattr(user, "is_authenticated", False)
        and district_id is not None
        and not roles.is_city(user)
        and roles.has_role(user, *TARGET_EDITOR_ROLES)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )
