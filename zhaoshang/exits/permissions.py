"""Who may act on exit warnings (SPEC §1, §11). Visibility is
``ExitWarning.objects.visible_to``; these rules decide the actions on a warning the user can
already see.

- The supervision office (督查室), the investment promotion bureau and admins of the
  district record the steps (rectification notice, clearance decision, land recovery) and
  confirm the delay attribution.
- Leaders, departments and the service center read; a park committee reads its park's
  warnings; city users read everything and change nothing; enterprise users have no staff
  pages.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

ACTOR_ROLES = (Role.ADMIN, Role.BUREAU, Role.SUPERVISOR)


def _writer(user, district_id) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )


def can_act(user, warning) -> bool:
    """Record a step or confirm the delay attribution of ``warning``."""
    return _writer(user, warning.district_id) and roles.has_role(user, *ACTOR_ROLES)


def can_record_step(user, warning) -> bool:
    return can_act(user, warning)


def can_confirm_delay(user, warning) -> bool:
    return can_act(user, warning)
