"""A closed month's summary is that of its last day (issue 16 point 7): the lights come from
the daily scan's history (``monitoring.LightSnapshot``), the projects are those active then,
each at its stage then. Today is 2026-06-15 (June is the open month)."""

from __future__ import annotations

import pytest

from zhaoshang.core.lights import Light
from zhaoshang.monitoring.services import record_lights
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project, StageEvent
from zhaoshang.reports import figures
from zhaoshang.reports.choices import Kind, Period
from zhaoshang.reports.tests.factories import add_project, add_signal, day

pytestmark = pytest.mark.usefixtures("english")

RED = {"title": "规划许可超期", "department": "区建设局", "due_on": "2025-12-20"}


def lights(data) -> dict[str, str]:
    detail = next(s for s in data["sections"] if s.get("detail"))
    return {row[0]: row[6] for row in detail["rows"]}


def counts(data) -> tuple:
    s = {label: value for label, value, _kind in data["summary"]}
    return s["Red-light projects"], s["Yellow-light projects"], s["Green-light projects"]


def monthly(world, code):
    return figures.build(Kind.MONTHLY, Period(Kind.MONTHLY, code), world.district_a)


def test_the_open_month_shows_todays_lights_a_closed_one_its_last_days(world):
    p1, p2 = add_project(world), add_project(world)
    signal = add_signal(p1, "red", "规划许可超期", world.dept_works_a)
    record_lights(day("2026-05-31"))  # May's last day: p1 red, p2 green
    signal.delete()
    add_signal(p2, "yellow", "节点临近")  # today: p1 green, p2 yellow
    may, june = monthly(world, "2026-05"), monthly(world, "2026-06")
    assert (lights(may)[p1.code], lights(may)[p2.code]) == ("red", "green")
    assert (lights(june)[p1.code], lights(june)[p2.code]) == ("green", "yellow")
    # May: project1_a, p1, p2 active; 1 red, 0 yellow, 2 green. June: 0, 1, 2.
    assert (counts(may), counts(june)) == ((1, 0, 2), (0, 1, 2))


def test_a_year_boundary_and_changes_between_month_ends(world):
    """Lights recorded only when they change (and at month ends): p1 turns red on
    2025-12-31 and green on 2026-01-01; red again on 2026-02-10 (no row at February's end,
    nothing changed), green on 2026-03-03."""
    p1 = add_project(world)
    red = {p1.pk: (Light.RED, [RED])}
    record_lights(day("2025-12-31"), red)
    record_lights(day("2026-01-01"), {})
    record_lights(day("2026-02-10"), red)
    record_lights(day("2026-03-03"), {})
    expected = {
        "2025-11": "green",  # signed 2025-06-01, nothing recorded yet: never lit
        "2025-12": "red",  # the year's last day
        "2026-01": "green",  # green from the next year's first day
        "2026-02": "red",  # the latest row by 2026-02-28 (02-10)
        "2026-03": "green",
        "2026-06": "green",  # the open month: today's signals (none)
    }
    for code, light in expected.items():
        got = lights(monthly(world, code)).get(p1.code)
        assert got == light, code


def test_a_closed_month_lists_the_projects_active_at_its_end_at_their_stage_then(world):
    """p_exit exited on 2026-06-05 (in May's summary, not June's); p_new signed on
    2026-06-03 (in June's, not May's); p_moved started on 2026-05-20 and went into
    production on 2026-06-10 (May shows it started)."""
    p_exit = add_project(world, stage=Stage.EXITED)
    Project.objects.filter(pk=p_exit.pk).update(exited_on=day("2026-06-05"))
    p_new = add_project(world)
    Project.objects.filter(pk=p_new.pk).update(signed_on=day("2026-06-03"))
    p_moved = add_project(world, stage=Stage.PRODUCTION)
    for to_stage, on in ((Stage.STARTED, "2026-05-20"), (Stage.PRODUCTION, "2026-06-10")):
        StageEvent.objects.create(
            project=p_moved, to_stage=to_stage, occurred_on=day(on), recorded_by=world.user_bureau
        )
    may, june = monthly(world, "2026-05"), monthly(world, "2026-06")
    assert p_exit.code in lights(may) and p_exit.code not in lights(june)
    assert p_new.code not in lights(may) and p_new.code in lights(june)
    detail = next(s for s in may["sections"] if s.get("detail"))
    stage = {row[0]: row[4] for row in detail["rows"]}
    assert stage[p_moved.code] == "Started"
    june_detail = next(s for s in june["sections"] if s.get("detail"))
    assert {row[0]: row[4] for row in june_detail["rows"]}[p_moved.code] == "In production"
    # May: project1_a, p_exit, p_moved = 3; June: project1_a, p_new, p_moved = 3.
    assert (may["project_count"], june["project_count"]) == (3, 3)


def test_a_closed_month_shows_the_condition_and_investment_of_its_end(world):
    """p was recorded on 2026-05-10 (1000, normal) and revised on 2026-06-15 (1500,
    stopped): May shows 1000 and normal, June 1500 and stopped."""
    import datetime

    from zhaoshang.core import clock

    with clock.at(datetime.date(2026, 5, 10)):
        p = add_project(world, investment="1000")
    p.total_investment, p.condition = 1500, "stopped"
    p.save()

    def row(code):
        data = monthly(world, code)
        detail = next(s for s in data["sections"] if s.get("detail"))
        mine = {r[0]: r for r in detail["rows"]}[p.code]
        return mine[5], mine[7]

    assert row("2026-05") == ("Normal", 1000.0)
    assert row("2026-06") == ("Stopped", 1500.0)
