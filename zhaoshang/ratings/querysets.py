"""Who sees which ratings (SPEC §1, §9) and the ratings' SQL shapes.

The supervision office, the investment promotion bureau, leaders and admins see every
rating of their district; any other government user (a department handler, the service
center, a park committee) sees the ratings of its own department; city users see every
district, read-only; enterprise users see none here (their own are on the portal, read by
enterprise there)."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.core.roles import Role
from zhaoshang.ratings.choices import SATISFIED_SCORES, FollowUp

# The roles that see every rating of their district.
DISTRICT_READERS = frozenset({Role.SUPERVISOR, Role.BUREAU, Role.LEADER, Role.ADMIN})


class RatingQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        user_roles = roles.roles_of(user)
        if roles.is_enterprise(user) or not user.district_id or not user_roles:
            return self.none()
        qs = self.filter(district_id=user.district_id)
        if user_roles & DISTRICT_READERS:
            return qs
        if user.department_id:
            return qs.filter(department_id=user.department_id)
        return self.none()

    def of_enterprise(self, enterprise_id):
        return self.filter(enterprise_id=enterprise_id)

    def between(self, start, end):
        """Rated on a day of ``start``..``end`` (both included)."""
        return self.filter(rated_on__gte=start, rated_on__lte=end)

    def satisfied(self):
        return self.filter(score__in=SATISFIED_SCORES)

    def followup_open(self):
        """The 不满意 the supervision office still has to follow up."""
        return self.filter(followup=FollowUp.OPEN)
