"""Exit-warning scoping (SPEC §1, §11).

A warning is visible with its project: every district-wide government role sees the
district's warnings (leaders, departments and the service center read them; the
supervision office, the bureau and admins act); a park committee sees those of its park's
projects; city users see every district, read-only; enterprise users see none here.

A warning under a rectification notice carries a light (SPEC §11): the enterprise must
rectify by the notice's date, yellow from the district's window for exit warnings
(亮灯规则) before it, red once it has passed (the clearance decision is due). The other
steps carry no deadline and no light.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, DateField, F, Value, When

from zhaoshang.core import roles
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet, ProjectScopedQuerySet
from zhaoshang.exits.choices import OPEN_STATUSES, WarningStatus
from zhaoshang.workdays.querysets import days_left_expression


class ExitRuleQuerySet(DistrictScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class LandThresholdQuerySet(DistrictScopedQuerySet):
    """Every government user of the district reads the thresholds; city users all."""

    def visible_to(self, user):
        if roles.is_enterprise(user):
            return self.none()
        return super().visible_to(user)


class ExitWarningQuerySet(ProjectScopedQuerySet):
    # A warning is raised in its project's district (``services.scan``): a district-wide
    # role's warnings are read off the district's own index in the desk's order
    # (``warning_district_recent``), not matched against the district's projects and sorted
    # whole (issue 19.3).
    district_follows_project = True

    def visible_to(self, user):
        if roles.is_enterprise(user):
            return self.none()
        return super().visible_to(user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_days_left(self, today: datetime.date):
        """``deadline`` (the rectify-by date of a warning under a notice), ``days_left``
        to it in working days and ``light`` by the district's rule for exit warnings."""
        return (
            self.annotate(
                deadline=Case(
                    When(status=WarningStatus.NOTICE, then=F("notice_deadline")),
                    default=Value(None, output_field=DateField()),
                    output_field=DateField(),
                )
            )
            .annotate(days_left=days_left_expression("deadline", today))
            .annotate(
                light=Case(
                    When(deadline__isnull=True, then=Value(Light.NONE)),
                    When(days_left__lt=0, then=Value(Light.RED)),
                    When(days_left__lte=yellow_within(Subject.WARNING), then=Value(Light.YELLOW)),
                    default=Value(Light.GREEN),
                    output_field=CharField(),
                )
            )
        )


class ExitStepQuerySet(DistrictScopedQuerySet):
    district_path = "warning__district"

    def visible_to(self, user):
        from zhaoshang.exits.models import ExitWarning

        return self.filter(warning__in=ExitWarning.objects.visible_to(user).values("pk"))
