"""Approval scoping and the SQL-side annotations of the worklists."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Q, Value, When

from zhaoshang.approvals.choices import OPEN_STATUSES, Light
from zhaoshang.core.querysets import DistrictScopedQuerySet


class ApprovalItemQuerySet(DistrictScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class ApprovalCaseQuerySet(DistrictScopedQuerySet):
    """Cases are visible with their project (信息共享); acting on them is limited to the
    department holding the case (see permissions.py)."""

    def visible_to(self, user):
        from zhaoshang.projects.models import Project

        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_days_left(self, today: datetime.date):
        """``days_left`` (working days to the due date, computed in SQL) and ``light``."""
        from zhaoshang.monitoring.lights import yellow_within
        from zhaoshang.workdays.querysets import days_left_expression

        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(Q(due_on__isnull=True) | ~Q(status__in=OPEN_STATUSES), then=Value(Light.NONE)),
                When(paused=True, then=Value(Light.NONE)),
                When(days_left__lt=0, then=Value(Light.RED)),
                When(days_left__lte=yellow_within("case"), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )
