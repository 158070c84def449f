"""Scoping of the annual targets and their progress, computed in SQL (one query for a page
of targets, whatever the number of projects).

Progress of a target of year Y (as of ``today``):

- the projects it counts are the district's projects signed in Y (on or before today) that
  fall in its scope: all of them for the district's own target, those whose working group
  is the target's for a working group, and those the department is paired with (部门结对帮扶,
  ``Project.paired_departments``) for a department;
- tier n counts those whose total investment is in the tier's band (at least its minimum,
  below the next larger tier's minimum);
- signed investment is the sum of their total investment;
- funds in place are the funds received in Y (on or before today) by the scope's projects,
  whatever year they were signed in: the year's funds target counts the money that arrived
  in the year.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.projects.models import FundsEntry, Project

AMOUNT = DecimalField(max_digits=16, decimal_places=2)


def _scoped(queryset, prefix: str = ""):
    """The three scoped variants of a correlated queryset, picked per target."""
    by_group = queryset.filter(**{f"{prefix}working_group": OuterRef("working_group")})
    by_department = queryset.filter(**{f"{prefix}paired_departments": OuterRef("department")})
    return by_group, by_department, queryset


def _pick(make, output_field):
    """A per-target Case over the scoped subqueries ``make(queryset)`` builds."""

    def build(queryset, prefix=""):
        by_group, by_department, whole = _scoped(queryset, prefix)
        return Case(
            When(working_group__isnull=False, then=make(by_group)),
            When(department__isnull=False, then=make(by_department)),
            default=make(whole),
            output_field=output_field,
        )

    return build


def _count_of(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _sum_of(field: str):
    def make(queryset):
        return Coalesce(
            Subquery(
                queryset.order_by()
                .annotate(total=Func(F(field), function="SUM"))
                .values("total")[:1],
                output_field=AMOUNT,
            ),
            Value(Decimal("0")),
            output_field=AMOUNT,
        )

    return make


class AnnualTargetQuerySet(DistrictScopedQuerySet):
    """Targets are read by every government user of their district (and city users);
    the bureau and admins set them (``kpis.permissions``); enterprise users see none."""

    def visible_to(self, user):
        if roles.is_enterprise(user):
            return self.none()
        return super().visible_to(user)

    def with_progress(self, today: datetime.date):
        """``signed_count``, ``tier1_done``, ``tier2_done``, ``tier3_done``,
        ``signed_investment_done`` and ``funds_done`` of each target (see the module)."""
        signed = Project.objects.filter(
            district=OuterRef("district"),
            signed_on__year=OuterRef("year"),
            signed_on__lte=today,
        )
        count = _pick(_count_of, IntegerField())
        total = _pick(_sum_of("total_investment"), AMOUNT)
        funds = _pick(_sum_of("amount"), AMOUNT)
        return self.annotate(
            signed_count=count(signed),
            tier1_done=count(signed.filter(total_investment__gte=OuterRef("tier1_min"))),
            tier2_done=count(
                signed.filter(
                    total_investment__gte=OuterRef("tier2_min"),
                    total_investment__lt=OuterRef("tier1_min"),
                )
            ),
            tier3_done=count(
                signed.filter(
                    total_investment__gte=OuterRef("tier3_min"),
                    total_investment__lt=OuterRef("tier2_min"),
                )
            ),
            signed_investment_done=total(signed),
            funds_done=funds(
                FundsEntry.objects.filter(
                    project__district=OuterRef("district"),
                    received_on__year=OuterRef("year"),
                    received_on__lte=today,
                ),
                "project__",
            ),
        )
