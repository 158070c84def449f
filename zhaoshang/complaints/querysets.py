"""Complaint scoping (SPEC §1, §9) and the SQL-side light of the complaint desk.

Every district-wide role sees the district's complaints; a park committee sees those about
its projects or against its own department; city users see every district, read-only;
enterprise users see none here (the portal comes later).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Q, Value, When

from zhaoshang.complaints.choices import OPEN_STATUSES
from zhaoshang.core import roles
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.workdays.querysets import days_left_expression


class ComplaintQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        from zhaoshang.projects.models import Project

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        user_roles = roles.roles_of(user)
        if not user.district_id or not user_roles:
            return self.none()
        qs = self.filter(district_id=user.district_id)
        if user_roles & roles.DISTRICT_WIDE_ROLES:
            return qs
        if roles.Role.PARK in user_roles:
            rule = Q(project__in=Project.objects.visible_to(user).values("pk"))
            if user.department_id:
                rule |= Q(department_id=user.department_id)
            return qs.filter(rule)
        return self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_days_left(self, today: datetime.date):
        """``days_left`` to the current deadline (accept-by, then answer-by), computed in
        SQL, and ``light`` by the district's light rule for complaints (yellow from its
        window before the deadline); a complaint nobody has to act on has no light."""
        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(~Q(status__in=OPEN_STATUSES), then=Value(Light.NONE)),
                When(due_on__isnull=True, then=Value(Light.NONE)),
                When(days_left__lt=0, then=Value(Light.RED)),
                When(days_left__lte=yellow_within(Subject.COMPLAINT), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )
