"""Who reads which report (SPEC §1, §12).

- the bureau, leaders, the supervision office and admins: every report of their district;
- park committees: the monthly summaries of their district (the bulletin and the assessment
  rank departments: they are the supervision office's, for the leadership);
- city-level users and superusers: every district, read-only;
- department handlers, the service center and enterprises: none (their figures reach them
  through their own worklists).
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.core.roles import Role
from zhaoshang.reports.choices import Kind

FULL_READERS = frozenset({Role.ADMIN, Role.BUREAU, Role.LEADER, Role.SUPERVISOR})


def readable_kinds(user) -> tuple[str, ...]:
    """The report kinds this user may read (in their own district, or every district for
    city users)."""
    if not getattr(user, "is_authenticated", False) or roles.is_enterprise(user):
        return ()
    user_roles = roles.roles_of(user)
    if roles.sees_all_districts(user) or user_roles & FULL_READERS:
        return tuple(Kind.values)
    if Role.PARK in user_roles:
        return (Kind.MONTHLY,)
    return ()


class ReportQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        kinds = readable_kinds(user)
        if not kinds:
            return self.none()
        if roles.sees_all_districts(user):
            return self.filter(kind__in=kinds)
        if not user.district_id:
            return self.none()
        return self.filter(district_id=user.district_id, kind__in=kinds)
