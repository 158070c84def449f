"""Scoping of signals (SPEC §1, §11): a signal about a project is visible with the project;
one without a project (a complaint, an action item of a meeting's general decision) to the
district-wide roles of its district; city users see every district, read-only."""

from __future__ import annotations

from django.db.models import Case, F, Value, When

from zhaoshang.core import roles
from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import DistrictScopedQuerySet


class SignalQuerySet(DistrictScopedQuerySet):
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
        return qs.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def worst_first(self):
        """Red before yellow, then the least time left (the longest overdue first)."""
        rank = Case(When(light=Light.RED, then=Value(0)), default=Value(1))
        return self.order_by(rank, F("days_left").asc(nulls_last=True), "due_on", "id")
