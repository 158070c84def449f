"""The light rule table in SQL (SPEC §11). Every app's light annotation asks
``yellow_within(subject)`` for the working days before a deadline from which a timed thing
is yellow: the district's rule when it has one, the default otherwise — one correlated
subquery on a small table, so a list costs no extra query per row."""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, OuterRef, Value, When

from zhaoshang.core.lights import Light, schedule_gaps, yellow_within  # noqa: F401 (re-exported)


def project_light():
    """SQL: a project's light — the worst of its signals (red, yellow), green otherwise."""
    from zhaoshang.monitoring.models import Signal

    def of(light):
        return Exists(Signal.objects.filter(project=OuterRef("pk"), light=light))

    return Case(
        When(of(Light.RED), then=Value(Light.RED)),
        When(of(Light.YELLOW), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
