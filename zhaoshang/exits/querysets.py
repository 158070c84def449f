"""Exit-warning scoping (SPEC §1, §11).

Every district-wide government role sees the district's warnings (leaders, departments
and the service center read them; the supervision office, the bureau and admins act); a
park committee sees those of its park's projects; city users see every district,
read-only; enterprise users see none here.
"""

from __future__ import annotations

from django.db.models import Q

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet


class ExitRuleQuerySet(DistrictScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class ExitWarningQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        from zhaoshang.projects.models import Project

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        user_roles = roles.roles_of(user)
        if not user.district_id or not user_roles or roles.is_enterprise(user):
            return self.none()
        qs = self.filter(district_id=user.district_id)
        if user_roles & roles.DISTRICT_WIDE_ROLES:
            return qs
        if roles.Role.PARK in user_roles:
            return qs.filter(Q(project__in=Project.objects.visible_to(user).values("pk")))
        return self.none()

    def open(self):
        from zhaoshang.exits.choices import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)


class ExitStepQuerySet(DistrictScopedQuerySet):
    district_path = "warning__district"

    def visible_to(self, user):
        from zhaoshang.exits.models import ExitWarning

        return self.filter(warning__in=ExitWarning.objects.visible_to(user).values("pk"))
