"""Scoping of inspection requests (SPEC §1, §9).

Every district-wide role sees the district's requests (信息共享); a park committee sees
the requests its own department filed; city users see every district, read-only;
enterprise users see none here (they check codes on the public verification page).
Visits, joint inspections and reports follow their request (or district).

A request awaiting approval carries a light (SPEC §11): the decision is due by its planned
date, yellow from the district's window for inspections (亮灯规则) before it, red once the
date has passed undecided. An emergency inspection took place before it was filed (within
the district's filing deadline, checked when it is filed), so nothing waits on its decision
and it has no light; nor has a decided or cancelled request.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, DateField, F, Value, When

from zhaoshang.core import roles
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.inspections.choices import COUNTING_STATUSES, RequestStatus
from zhaoshang.workdays.querysets import days_left_expression


def _scope(qs, user, department_path: str):
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if roles.sees_all_districts(user):
        return qs.all()
    user_roles = roles.roles_of(user)
    if not user.district_id or not user_roles or roles.is_enterprise(user):
        return qs.none()
    qs = qs.filter(district_id=user.district_id)
    if user_roles & roles.DISTRICT_WIDE_ROLES:
        return qs
    if roles.Role.PARK in user_roles and user.department_id:
        return qs.filter(**{f"{department_path}_id": user.department_id})
    return qs.none()


class InspectionRequestQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "department")

    def pending(self):
        return self.filter(status=RequestStatus.FILED)

    def with_days_left(self, today: datetime.date):
        """``due_on`` (the date the decision is due), ``days_left`` to it in working days
        and ``light`` by the district's rule for inspections, all in SQL."""
        return (
            self.annotate(
                due_on=Case(
                    When(status=RequestStatus.FILED, is_emergency=False, then=F("planned_on")),
                    default=Value(None, output_field=DateField()),
                    output_field=DateField(),
                )
            )
            .annotate(days_left=days_left_expression("due_on", today))
            .annotate(
                light=Case(
                    When(due_on__isnull=True, then=Value(Light.NONE)),
                    When(days_left__lt=0, then=Value(Light.RED)),
                    When(
                        days_left__lte=yellow_within(Subject.INSPECTION),
                        then=Value(Light.YELLOW),
                    ),
                    default=Value(Light.GREEN),
                    output_field=CharField(),
                )
            )
        )


class VisitQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "request__department")

    def counting(self):
        """Visits that count against the yearly cap: of filed or approved requests, and
        not emergencies (those are filed afterwards and cannot be planned around)."""
        return self.filter(request__status__in=COUNTING_STATUSES, request__is_emergency=False)


class JointInspectionQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "lead_department")


class UnapprovedVisitReportQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "department")
