"""The case page's days held per department and the project's forecast read the working-day
calendar once (``workdays.services.CalendarWindow``), with the answers the calendar's
services give one query at a time — whatever the number of transfers, pauses and cases."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, CasePause, CaseTransfer
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day

ONE_DAY = datetime.timedelta(days=1)


class OneQueryEach:
    """The calendar's services behind the window's face: what the approvals services
    asked before they read the calendar once, one query per question."""

    def __init__(self, first, last):
        pass

    def add_workdays(self, start, n):
        return workdays.add_workdays(start, n)

    def workdays_between(self, d1, d2):
        return workdays.workdays_between(d1, d2)


def _calendar_queries(ctx) -> int:
    return sum('"workdays_day"' in q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def busy_case(world, catalogue):
    """The 用地预审 case of project1_a: materials complete on 2026-01-05, then passed back
    and forth between departments and paused across 春节, 清明, 劳动节, 端午 and 国庆,
    with an open pause at the end (the case is still open on 2027-01-20)."""
    case = world.case_out_a
    land, works = world.dept_land_a, world.dept_works_a
    ApprovalCase.objects.filter(pk=case.pk).update(
        materials_complete_on=day("2026-01-05"), status=CaseStatus.IN_PROGRESS
    )
    moves = [
        "2026-02-13",  # the Friday before 春节, the worked Saturday after
        "2026-02-28",  # a worked Saturday
        "2026-04-03",
        "2026-04-30",
        "2026-06-18",
        "2026-09-20",  # a worked Sunday
        "2026-09-30",
        "2026-10-10",  # a worked Saturday
        "2026-12-31",  # into 2027, not published: provisional
        "2027-01-08",
    ]
    holder = land
    for on in moves:
        other = works if holder == land else land
        CaseTransfer.objects.create(
            case=case,
            from_department=holder,
            to_department=other,
            transferred_on=day(on),
            reason="转办",
            transferred_by=world.user_service_center,
        )
        holder = other
    pauses = [
        ("2026-02-10", "2026-02-26"),
        ("2026-04-01", "2026-04-07"),
        ("2026-06-17", "2026-06-22"),
        ("2026-09-24", "2026-10-12"),
        ("2026-12-30", None),
    ]
    for started, ended in pauses:
        CasePause.objects.create(
            case=case,
            kind=PauseKind.SUPPLEMENT,
            reason="补正",
            started_on=day(started),
            ended_on=day(ended) if ended else None,
            created_by=world.user_service_center,
        )
    return ApprovalCase.objects.get(pk=case.pk)


def test_days_held_are_those_the_services_count_one_by_one(busy_case, monkeypatch):
    today = day("2027-01-20")
    with CaptureQueriesContext(connection) as ctx:
        held = services.days_held_by_department(busy_case, today)
    assert _calendar_queries(ctx) == 1
    monkeypatch.setattr(workdays, "CalendarWindow", OneQueryEach)
    with CaptureQueriesContext(connection) as direct:
        assert services.days_held_by_department(busy_case, today) == held
    assert _calendar_queries(direct) > 10  # what the page used to pay
    assert sum(held.values()) > 100


def test_days_held_cost_the_same_for_two_transfers_as_for_ten(busy_case):
    def cost() -> int:
        case = ApprovalCase.objects.get(pk=busy_case.pk)
        with CaptureQueriesContext(connection) as ctx:
            services.days_held_by_department(case, day("2027-01-20"))
        return len(ctx.captured_queries)

    many = cost()
    CaseTransfer.objects.filter(case=busy_case, transferred_on__gt=day("2026-03-01")).delete()
    CasePause.objects.filter(case=busy_case, started_on__gt=day("2026-03-01")).delete()
    assert cost() == many == 3  # transfers, pauses, the calendar


@pytest.fixture
def green_project(world, catalogue):
    project = world.project1_a
    project.is_green_channel = True
    project.save()
    services.register_green_channel(world.user_service_center, project, world.user_service_center)
    return project


@pytest.mark.parametrize("today", ["2026-06-15", "2026-11-20", "2027-10-15", "2029-11-01"])
def test_the_forecast_is_the_one_of_the_services_one_by_one(green_project, monkeypatch, today):
    """From an ordinary June, across 国庆 and into the unpublished 2027, within 2027, and
    past the end of the index (2029-12-31)."""
    today = day(today)
    rows = Day.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        mine = services.forecast(green_project, today)
    assert _calendar_queries(ctx) <= 2  # the year ahead, and once more if it reaches past
    assert Day.objects.count() == rows  # a page view writes no index rows
    monkeypatch.setattr(workdays, "CalendarWindow", OneQueryEach)
    direct = services.forecast(green_project, today)
    assert mine.finish == direct.finish
    assert mine.all_done_by == direct.all_done_by
    assert [c.pk for c in mine.critical_path] == [c.pk for c in direct.critical_path]
    assert mine.all_done_by.provisional == (mine.all_done_by.date.year >= 2027)


def test_the_forecast_counts_a_limit_in_natural_days_as_calendar_days(world, catalogue):
    """供电接入 (15 natural days) not yet started: it can be done 15 days from today, not
    15 working days (which would be 2026-07-07 across 端午节)."""
    today = day("2026-06-15")
    case = services.register_case(world.user_service_center, world.project2_a, catalogue["SZ-01"])
    result = services.forecast(world.project2_a, today)
    assert result.finish[case.pk] == services.Due(today + 15 * ONE_DAY, False)
    assert result.finish[case.pk].date == day("2026-06-30")


def test_recomputing_due_dates_reads_the_calendar_once(world, catalogue, handler_for):
    """The hook run when a year is loaded: a read or two for all the cases, not one each."""
    cases = []
    projects = [world.project1_a, world.project2_a]
    for number, code in enumerate(["XM-01", "XM-04", "XM-05", "XM-06", "XM-07", "GC-09"]):
        item = world.item_works_a if code == "GC-09" else catalogue[code]
        on = f"2026-12-{29 + number % 3}"  # due in 2027, not published
        with time_machine.travel(f"{on} 10:00 +0800", tick=False):
            case = services.register_case(world.user_service_center, projects[number % 2], item)
            case = services.mark_materials_complete(handler_for(item), case, day(on))
        cases.append(case)
    assert all(c.due_is_provisional for c in cases)
    ApprovalCase.objects.filter(pk__in=[c.pk for c in cases]).update(due_on=day("2026-12-01"))
    with CaptureQueriesContext(connection) as ctx:
        changed = services.recompute_due_dates(ApprovalCase.objects.filter(due_is_provisional=True))
    assert changed == len(cases)
    assert _calendar_queries(ctx) <= 2
    for case in cases:
        fresh = ApprovalCase.objects.get(pk=case.pk)
        expected = workdays.add_workdays(case.materials_complete_on, case.time_limit)
        assert (fresh.due_on, fresh.due_is_provisional) == expected
