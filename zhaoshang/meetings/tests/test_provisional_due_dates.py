"""An action item due N working days into a year whose holiday arrangement is not
published has a provisional due date; loading that year recomputes it (the workdays
recompute hook), while a due date given as a date stays as it was given."""

from __future__ import annotations

import datetime

import time_machine

from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item
from zhaoshang.workdays import services as workdays


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_a_provisional_due_date_is_recomputed_when_the_year_is_loaded(world):
    with time_machine.travel("2026-12-29 10:00 +0800", tick=False):
        counted = make_item(world, due_workdays=10)
        fixed = make_item(world, due_workdays=None, due_on=day("2027-01-13"))
    assert counted.due_is_provisional and counted.due_on == day("2027-01-13")
    assert not fixed.due_is_provisional
    # A made-up arrangement: 01-05 and 01-06 off, Sunday 01-10 worked.
    entries = [
        (datetime.date(2027, 1, 1), "holiday", "元旦"),
        (datetime.date(2027, 1, 5), "holiday", "元旦"),
        (datetime.date(2027, 1, 6), "holiday", "元旦"),
        (datetime.date(2027, 1, 10), "workday", "元旦调休"),
    ]
    workdays.load_year(2027, entries, notice="国办发明电〔2026〕X号", status="published")
    counted = ActionItem.objects.get(pk=counted.pk)
    assert not counted.due_is_provisional
    assert counted.due_on == workdays.add_workdays(day("2026-12-29"), 10).date == day("2027-01-14")
    assert ActionItem.objects.get(pk=fixed.pk).due_on == day("2027-01-13")
