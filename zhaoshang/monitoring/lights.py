"""The light rule table in SQL (SPEC §11). Every app's light annotation asks
``yellow_within(subject)`` for the working days before a deadline from which a timed thing
is yellow: the district's rule when it has one, the default otherwise — one correlated
subquery on a small table, so a list costs no extra query per row."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from zhaoshang.monitoring.choices import (
    DEFAULT_RED_GAP,
    DEFAULT_YELLOW_GAP,
    DEFAULT_YELLOW_WORKDAYS,
    Subject,
)


def yellow_within(subject: str, district: str = "district_id"):
    """SQL: the yellow window (working days) of ``subject`` in the row's district."""
    from zhaoshang.monitoring.models import LightRule

    rule = LightRule.objects.filter(district_id=OuterRef(district), subject=subject).values(
        "yellow_workdays"
    )[:1]
    return Coalesce(
        Subquery(rule, output_field=IntegerField()),
        Value(DEFAULT_YELLOW_WORKDAYS),
        output_field=IntegerField(),
    )


def schedule_gaps(district_id) -> tuple[int, int]:
    """(yellow from, red beyond) points below plan for progress against a schedule."""
    from zhaoshang.monitoring.models import LightRule

    rule = (
        LightRule.objects.filter(district_id=district_id, subject=Subject.SCHEDULE)
        .values_list("yellow_gap", "red_gap")
        .first()
    )
    return rule or (DEFAULT_YELLOW_GAP, DEFAULT_RED_GAP)


def project_light():
    """SQL: a project's light — the worst of its signals (red, yellow), green otherwise."""
    from django.db.models import Case, CharField, Exists, When

    from zhaoshang.approvals.choices import Light
    from zhaoshang.monitoring.models import Signal

    def of(light):
        return Exists(Signal.objects.filter(project=OuterRef("pk"), light=light))

    return Case(
        When(of(Light.RED), then=Value(Light.RED)),
        When(of(Light.YELLOW), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
