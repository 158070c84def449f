"""Who may act on ratings (SPEC §9). Visibility is ``Rating.objects.visible_to``; these
rules decide what a user may do with a rating they can already see.

- Every government user opens the ratings page (each sees what ``visible_to`` gives:
  the district's, or the own department's); enterprise users rate on the portal.
- The supervision office (and admins, who may act for any office) records the follow-up of
  a 不满意 of its own district; city users read everything and change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

FOLLOW_UP_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_read(user) -> bool:
    return roles.is_staff_user(user)


def can_follow_up(user, rating) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and roles.has_role(user, *FOLLOW_UP_ROLES)
        and (user.is_superuser or (user.district_id and user.district_id == rating.district_id))
    )
