"""The light rule table in SQL (SPEC §11). Every app's light annotation asks
``yellow_within(subject)`` for the working days before a deadline from which a timed thing
is yellow: the district's rule when it has one, the default otherwise — one correlated
subquery on a small table, so a list costs no extra query per row."""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zhaoshang.core.lights import Light, schedule_gaps, yellow_within  # noqa: F401 (re-exported)


def project_light(written=None, output_field=None):
    """SQL: a project's light — the worst of its signals (red, yellow), green otherwise;
    each light written as ``written`` gives it (by default the light itself; the stored
    level ``monitoring.worst.LEVEL``, with its ``output_field``)."""
    from zhaoshang.monitoring.models import Signal

    written = written or {light: light for light in (Light.RED, Light.YELLOW, Light.GREEN)}

    def of(light):
        return Exists(Signal.objects.filter(project=OuterRef("pk"), light=light))

    return Case(
        When(of(Light.RED), then=Value(written[Light.RED])),
        When(of(Light.YELLOW), then=Value(written[Light.YELLOW])),
        default=Value(written[Light.GREEN]),
        output_field=output_field or CharField(),
    )


def project_light_counts(projects, signals=None) -> dict[str, int]:
    """How many of ``projects`` (a queryset) are red, yellow and green by ``project_light``
    (a project is as bad as its worst light): the lit ones counted from their lights, each
    light checked against ``projects`` by its key, the rest green — not two EXISTS per
    project. ``signals``: where to look for the lights (by default all of them; the board
    gives the user's, so a district's lights are read by its index, not the province's)."""
    from zhaoshang.monitoring.models import Signal

    signals = Signal.objects.all() if signals is None else signals
    lit = (
        signals.filter(project__isnull=False)
        .filter(Exists(projects.order_by().filter(pk=OuterRef("project_id"))))
        .order_by()
        .aggregate(
            red=Count("project_id", distinct=True, filter=Q(light=Light.RED)),
            lit=Count("project_id", distinct=True),
        )
    )
    return {
        Light.RED.value: lit["red"],
        Light.YELLOW.value: lit["lit"] - lit["red"],
        Light.GREEN.value: projects.order_by().count() - lit["lit"],
    }


def latest_snapshot(day, ref: str):
    """The snapshots of the project at ``ref`` on or before ``day``, the latest first."""
    from zhaoshang.monitoring.models import LightSnapshot

    return LightSnapshot.objects.filter(project=OuterRef(ref), on__lte=day).order_by("-on")


def project_light_on(day, ref: str = "pk"):
    """SQL: a project's light on a past ``day`` — that of its latest snapshot on or before
    it (the daily scan's history, ``LightSnapshot``), green without one (never lit)."""
    return Coalesce(
        Subquery(latest_snapshot(day, ref).values("light")[:1]),
        Value(Light.GREEN),
        output_field=CharField(),
    )


def project_reasons_on(day, ref: str = "pk"):
    """SQL: why a project had its light on ``day`` (the snapshot's reasons, a JSON list of
    texts; NULL without a snapshot)."""
    return Subquery(latest_snapshot(day, ref).values("reasons")[:1], output_field=JSONField())
