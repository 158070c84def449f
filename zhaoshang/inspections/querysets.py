"""Scoping of inspection requests (SPEC §1, §9).

Every district-wide role sees the district's requests (信息共享); a park committee sees
the requests its own department filed; city users see every district, read-only;
enterprise users see none here (they check codes on the public verification page).
Visits, joint inspections and reports follow their request (or district).
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet


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
        from zhaoshang.inspections.choices import RequestStatus

        return self.filter(status=RequestStatus.FILED)


class VisitQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "request__department")

    def counting(self):
        """Visits that count against the yearly cap: of filed or approved requests, and
        not emergencies (those are filed afterwards and cannot be planned around)."""
        from zhaoshang.inspections.choices import COUNTING_STATUSES

        return self.filter(request__status__in=COUNTING_STATUSES, request__is_emergency=False)


class JointInspectionQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "lead_department")


class UnapprovedVisitReportQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        return _scope(self, user, "department")
