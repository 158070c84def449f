"""Matrix area: inspections and fees (the visits approved for the enterprise, the check of
a code, the report of an unapproved visit, the rating of a visit)."""

from django.urls import reverse

from zhaoshang.testing.world import FROZEN_NOW

ROUTES = {
    "portal:inspections": (None, "portal", "GET"),
    "portal:inspection_check": (None, "portal", "GET"),
    "portal:inspection_report": (None, "portal", "POST"),
    "portal:inspection": ("visit", "portal", "GET"),
    "portal:inspection_rate": ("visit", "portal", "POST"),
}


def build(world) -> dict:
    """A visit of 建设局 today to each target's enterprise, carried out (so that the
    contact may rate its own): enterprise1_a's ("in"), enterprise2_a's ("out"),
    enterprise1_b's ("other")."""
    from zhaoshang.inspections import services
    from zhaoshang.inspections.tests.factories import make_request

    today = FROZEN_NOW.date()
    extra = {"planned_on": today, "quiet_day_reason": "安全生产专项整治，时间紧"}
    a = make_request(
        world, "a", enterprises=[world.enterprise1_a, world.enterprise2_a], approve=True, **extra
    )
    b = make_request(world, "b", approve=True, **extra)
    visits = {
        "in": a.visits.get(enterprise=world.enterprise1_a),
        "out": a.visits.get(enterprise=world.enterprise2_a),
        "other": b.visits.get(),
    }
    for target, visit in visits.items():
        by = world.user_department_b if target == "other" else world.user_department
        services.record_visit(by, visit, carried_out_on=today, findings="未发现问题")
    return {t: v.pk for t, v in visits.items()}


def url(objects, route, target) -> str:
    if target is None:
        return reverse(route)
    return reverse(route, args=[objects[target]])
