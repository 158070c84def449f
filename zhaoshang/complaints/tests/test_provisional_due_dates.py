"""Deadlines counted into a year whose holiday arrangement is not published are provisional;
loading that year recomputes them (the workdays recompute hook), from what they count from:
the dispatch, the reopening or an approved extension."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings

from zhaoshang.complaints import services
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.workdays import services as workdays

D = datetime.date


def _load_2027():
    # A made-up arrangement: 01-05 and 01-06 off, Sunday 01-10 worked.
    entries = [
        (D(2027, 1, 1), "holiday", "元旦"),
        (D(2027, 1, 5), "holiday", "元旦"),
        (D(2027, 1, 6), "holiday", "元旦"),
        (D(2027, 1, 10), "workday", "元旦调休"),
    ]
    workdays.load_year(2027, entries, notice="国办发明电〔2026〕X号", status="published")


def test_the_hook_is_registered():
    assert "zhaoshang.complaints.services.recompute_provisional_due_dates" in (
        settings.WORKDAY_RECOMPUTE_HOOKS
    )


def test_provisional_deadlines_are_recomputed_when_the_year_is_loaded(world):
    with time_machine.travel("2026-12-29 10:00 +0800", tick=False):
        dispatched = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
        accepted = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
        accepted = services.accept_complaint(world.user_department, accepted)
        services.request_extension(world.user_department, accepted, reason="复杂。")
        services.decide_extension(
            world.user_supervisor, Complaint.objects.get(pk=accepted.pk), approve=True
        )
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        settled = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    dispatched = Complaint.objects.get(pk=dispatched.pk)
    accepted = Complaint.objects.get(pk=accepted.pk)
    # Tuesday 29 December + 1 → Wednesday 30 (2026, known); + 5 reaches into 2027.
    assert dispatched.accept_by == D(2026, 12, 30)
    assert dispatched.dates_provisional and accepted.dates_provisional
    assert not settled.dates_provisional
    old_answer_by = accepted.answer_by
    _load_2027()
    dispatched = Complaint.objects.get(pk=dispatched.pk)
    accepted = Complaint.objects.get(pk=accepted.pk)
    assert not dispatched.dates_provisional and not accepted.dates_provisional
    assert dispatched.answer_by == workdays.add_workdays(D(2026, 12, 29), 5).date
    assert dispatched.due_on == dispatched.accept_by == D(2026, 12, 30)
    # The approved extension: 15 working days after the dispatch, on the published calendar.
    assert accepted.answer_by == workdays.add_workdays(D(2026, 12, 29), 15).date
    assert accepted.answer_by != old_answer_by  # two days off, one Sunday worked
    assert accepted.due_on == accepted.answer_by
    assert Complaint.objects.get(pk=settled.pk).answer_by == settled.answer_by


def test_the_hook_reports_how_many_changed(world):
    with time_machine.travel("2026-12-29 10:00 +0800", tick=False):
        services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    assert services.recompute_provisional_due_dates(years=[2027]) == 0  # nothing new yet
