"""Land scoping (SPEC §1: park committees see their parks' land) and the idle-land clock
in SQL for lists.

- district-wide government roles: every parcel and campaign of their district;
- park committee users: the parcels of their parks; the campaigns of their district, whose
  entries they see for their parks' projects only;
- city-level users and superusers: every district, read-only.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet, ProjectScopedQuerySet


def park_rule(user, park_path: str = "park") -> Q | None:
    """The parks a park committee user manages (their own park and the parks their
    department is the committee of); None for a user who is no park committee user."""
    if roles.Role.PARK not in roles.roles_of(user):
        return None
    rule = Q(pk__in=[])
    if user.park_id:
        rule |= Q(**{f"{park_path}_id": user.park_id})
    if user.department_id:
        rule |= Q(**{f"{park_path}__committee_id": user.department_id})
    return rule


class LandParcelQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
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
        rule = park_rule(user)
        return qs.filter(rule) if rule is not None else self.none()

    def with_clock(self, today: datetime.date):
        """The idle-land clock in SQL: ``agreement_start_on`` (the investment agreement's start
        term), ``effective_start_on`` (the land contract's agreed start, the date the national
        rule counts from; else the agreement's),
        ``idle_from``, ``recoverable_from``, ``clock_running`` and ``clock_code`` (a ``Clock``)."""
        from zhaoshang.agreements.choices import Term
        from zhaoshang.agreements.models import Obligation
        from zhaoshang.land.choices import (
            HANDED_OVER,
            IDLE_AFTER_YEARS,
            RECOVER_AFTER_YEARS,
            Clock,
        )
        from zhaoshang.land.clock import AddYears

        contract = (
            Obligation.objects.filter(
                agreement__project=OuterRef("project"), term=Term.START, waived_on__isnull=True
            )
            .order_by("due_on")
            .values("due_on")[:1]
        )
        running = Q(status__in=HANDED_OVER, project__isnull=False, project__started_on__isnull=True)
        return (
            self.annotate(agreement_start_on=Subquery(contract, output_field=DateField()))
            .annotate(
                effective_start_on=Coalesce(
                    "agreed_start_on", "agreement_start_on", output_field=DateField()
                )
            )
            .annotate(
                idle_from=AddYears("effective_start_on", IDLE_AFTER_YEARS),
                recoverable_from=AddYears("effective_start_on", RECOVER_AFTER_YEARS),
                clock_running=ExpressionWrapper(
                    running & Q(effective_start_on__isnull=False), output_field=BooleanField()
                ),
            )
            .annotate(
                clock_code=Case(
                    When(~running | Q(effective_start_on__isnull=True), then=Value(Clock.NONE)),
                    When(recoverable_from__lte=today, then=Value(Clock.RECOVERABLE)),
                    When(idle_from__lte=today, then=Value(Clock.IDLE)),
                    default=Value(Clock.RUNNING),
                    output_field=CharField(),
                )
            )
        )

    def plan_figures(self, year: int) -> dict:
        """Per district id, the annual land plan's figures in one query: the area supplied
        with a delivery date in ``year`` (``supplied``), of it to major projects
        (``supplied_major``), and the area reserved (预留) now, all and for major projects."""
        from zhaoshang.land.choices import SUPPLIED_STATUSES, ParcelStatus
        from zhaoshang.projects.choices import Level

        supplied = Q(status__in=SUPPLIED_STATUSES, delivered_on__year=year)
        reserved = Q(status=ParcelStatus.RESERVED)
        major = Q(project__level=Level.MAJOR)
        rows = (
            self.order_by()
            .values("district_id")
            .annotate(
                supplied=Sum("area", filter=supplied),
                supplied_major=Sum("area", filter=supplied & major),
                reserved=Sum("area", filter=reserved),
                reserved_major=Sum("area", filter=reserved & major),
            )
        )
        return {row.pop("district_id"): row for row in rows}


class LandPlanQuerySet(DistrictScopedQuerySet):
    """Every government user of the district reads the land plan; city users all."""

    def visible_to(self, user):
        if roles.is_enterprise(user):
            return self.none()
        return super().visible_to(user)


class CampaignQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or roles.is_enterprise(user):
            return self.none()
        user_roles = roles.roles_of(user)
        if not roles.sees_all_districts(user) and not (
            user_roles & (roles.DISTRICT_WIDE_ROLES | {roles.Role.PARK})
        ):
            return self.none()
        return super().visible_to(user)


class CampaignEntryQuerySet(ProjectScopedQuerySet):
    """An entry is visible with its project, inside a campaign the user sees (a park
    committee sees its parks' entries).

    A decision whose follow-up is running carries a light (SPEC §11, §20): the deadline it
    set (限期整改, or the date given before recovery or clearance proceeds) is yellow from the
    district's window for clean-up deadlines (亮灯规则) before it and red once it has passed;
    a follow-up done or an observation carries none."""

    def running(self):
        from zhaoshang.land.choices import RUNNING_FOLLOW_UPS

        return self.filter(followup__in=RUNNING_FOLLOW_UPS, deadline__isnull=False)

    def with_days_left(self, today: datetime.date):
        """``watched_deadline`` (the deadline of a running follow-up), ``days_left`` to it
        in working days and ``light``."""
        from zhaoshang.core.lights import Light, Subject, yellow_within
        from zhaoshang.land.choices import RUNNING_FOLLOW_UPS
        from zhaoshang.workdays.querysets import days_left_expression

        return (
            self.annotate(
                watched_deadline=Case(
                    When(followup__in=RUNNING_FOLLOW_UPS, then=F("deadline")),
                    default=Value(None, output_field=DateField()),
                    output_field=DateField(),
                )
            )
            .annotate(days_left=days_left_expression("watched_deadline", today))
            .annotate(
                light=Case(
                    When(watched_deadline__isnull=True, then=Value(Light.NONE)),
                    When(days_left__lt=0, then=Value(Light.RED)),
                    When(days_left__lte=yellow_within(Subject.CLEANUP), then=Value(Light.YELLOW)),
                    default=Value(Light.GREEN),
                    output_field=CharField(),
                )
            )
        )

    def visible_to(self, user):
        from zhaoshang.land.models import LandCampaign

        return (
            super()
            .visible_to(user)
            .filter(campaign__in=LandCampaign.objects.visible_to(user).values("pk"))
        )
