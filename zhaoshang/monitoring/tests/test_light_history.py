"""The history of the projects' lights (issue 16 point 7): the daily scan writes a row when a
project's light or its reasons change, and on a month's last day one for every active
project; a project's light on a past day is that of its latest row by then."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.monitoring import services
from zhaoshang.monitoring.lights import project_light_on, project_reasons_on
from zhaoshang.monitoring.models import LightSnapshot
from zhaoshang.projects.models import Project

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _scan(day) -> str:
    return dict(services.daily_scan(day))["lights"]


def _light_on(project, day):
    qs = Project.objects.filter(pk=project.pk)
    return qs.annotate(x=project_light_on(day)).values_list("x", flat=True).get()


def test_the_scan_records_changes_and_every_active_project_at_a_months_end(world):
    p1, p2 = world.project1_a, world.project2_a
    # case_a (project1_a) overdue since 06-13; case_out_a (project2_a) due 06-16: yellow.
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status=CaseStatus.ACCEPTED, due_on=D(2026, 6, 12)
    )
    ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(
        status=CaseStatus.ACCEPTED, due_on=D(2026, 6, 16)
    )
    assert _scan(D(2026, 6, 15)) == "recorded 2"  # project1_a red, project2_a yellow
    assert _scan(D(2026, 6, 15)) == "recorded 0"  # the same day again: nothing new
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status=CaseStatus.DONE, done_on=D(2026, 6, 16)
    )
    # 06-16: project1_a green again (a change); project2_a still yellow for the same case.
    assert _scan(D(2026, 6, 16)) == "recorded 1"
    # 06-30, June's last day: project2_a turned red (a change), and the two active
    # projects (project1_a, project1_b; project2_a is a lead) get their month-end row: 3.
    assert _scan(D(2026, 6, 30)) == "recorded 3"
    rows = LightSnapshot.objects.filter(on=D(2026, 6, 30))
    assert {(r.project_id, r.light) for r in rows} == {
        (p1.pk, "green"),
        (world.project1_b.pk, "green"),
        (p2.pk, "red"),
    }
    assert [_light_on(p1, D(2026, 6, day)) for day in (14, 15, 16, 29)] == [
        "green",  # before any row: never lit
        "red",
        "green",
        "green",
    ]
    assert [_light_on(p2, D(2026, 6, day)) for day in (15, 29, 30)] == ["yellow", "yellow", "red"]
    reasons = (
        Project.objects.filter(pk=p2.pk)
        .annotate(r=project_reasons_on(D(2026, 6, 30)))
        .values_list("r", flat=True)
        .get()
    )
    case = world.case_out_a
    assert reasons == [
        {"title": case.item.name, "department": case.department.name, "due_on": "2026-06-16"}
    ]


def test_record_lights_takes_the_worst_light_and_its_reasons(world):
    """Given lights (the demo's replay passes them): one row per project whose light
    changed; a green project never lit needs no row except at a month's end."""
    p1 = world.project1_a
    why = [{"title": "规划许可超期", "department": "区建设局", "due_on": "2026-01-20"}]
    assert services.record_lights(D(2026, 1, 30), {p1.pk: ("red", why)}) == 1
    assert services.record_lights(D(2026, 1, 30), {p1.pk: ("red", why)}) == 0
    # January's last day: both active projects, p1 still red.
    assert services.record_lights(D(2026, 1, 31), {p1.pk: ("red", why)}) == 2
    assert services.record_lights(D(2026, 2, 1), {}) == 1  # p1 green again
    assert _light_on(p1, D(2026, 1, 31)) == "red" and _light_on(p1, D(2026, 2, 1)) == "green"


def _grow(world, n, start):
    from zhaoshang.reports.tests.factories import add_project, add_signal

    for i in range(n):
        project = add_project(world)
        if i % 2:
            add_signal(project, "red", f"超期{start + i}", world.dept_works_a)


def _queries(day) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.record_lights(day)
    return len(ctx.captured_queries)


def test_recording_the_lights_costs_the_same_queries_for_3_projects_as_for_30(world):
    _grow(world, 3, 0)
    small = _queries(D(2026, 6, 30))  # a month's end: every active project written
    _grow(world, 27, 100)
    assert _queries(D(2026, 7, 31)) == small
