"""What the agreement and commitment pages share: who sees only their department's
records, the order of lights, and the working days left as the pages say them."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhaoshang.core import roles
from zhaoshang.core.lights import Light
from zhaoshang.core.roles import Role

# Roles whose users see the district's commitments; a department's handlers see theirs.
DISTRICT_LIST_ROLES = (Role.BUREAU, Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.SERVICE_CENTER)
LIGHT_ORDER = Case(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def own_department_only(user) -> bool:
    return roles.has_role(user, Role.DEPARTMENT) and not roles.has_role(user, *DISTRICT_LIST_ROLES)


def days_left_text(row) -> str:
    """剩余 N 个工作日 / 超期 N 个工作日 from the ``days_left`` annotated in SQL."""
    left = getattr(row, "days_left", None)
    if left is None or getattr(row, "light", Light.NONE) == Light.NONE:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}
