"""A calendar loaded moves provisional due dates without a domain event, and with them
which done cases were on time: the KPI snapshots are forgotten by the workdays hook
(``kpis.snapshots.calendar_changed``), so a served figure still equals the live one."""

from __future__ import annotations

import pytest
from django.conf import settings

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.kpis import snapshots
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.kpis.tests.factories import D, add_case
from zhaoshang.kpis.tests.test_snapshots import TODAY, live, served
from zhaoshang.workdays.services.index import apply_year

pytestmark = pytest.mark.django_db

HOOK = "zhaoshang.kpis.tests.test_snapshots_calendar.move_provisional_due_dates"


def move_provisional_due_dates(years) -> int:
    """What approvals' hook does to a provisional due date when the year's holidays are
    loaded (``approvals.services.recompute_provisional_due_dates``), written as it writes
    it: a save, no domain event."""
    moved = 0
    for case in ApprovalCase.objects.filter(due_is_provisional=True):
        case.due_on, case.due_is_provisional = D(2026, 6, 30), False
        case.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
        moved += 1
    return moved


def test_the_hook_is_the_last_of_the_calendars_hooks():
    assert settings.WORKDAY_RECOMPUTE_HOOKS[-1] == "zhaoshang.kpis.snapshots.calendar_changed"


def test_a_due_date_moved_by_a_calendar_moves_the_served_on_time_rate(world, settings):
    case = add_case(world, world.project1_a, world.item_land_a, due_on=D(2026, 6, 1))
    approvals.complete_case(world.user_admin, case, D(2026, 6, 10))  # late
    ApprovalCase.objects.filter(pk=case.pk).update(due_is_provisional=True)
    snapshots.scan(TODAY)
    user = world.user_bureau
    before = served(user)
    assert before == live(user)
    assert KpiSnapshot.objects.exists()

    settings.WORKDAY_RECOMPUTE_HOOKS = [HOOK, "zhaoshang.kpis.snapshots.calendar_changed"]
    apply_year(2026)

    assert not KpiSnapshot.objects.exists()
    after = served(user)
    assert after == live(user)
    assert after.cases_on_time == before.cases_on_time + 1


def test_without_the_hook_the_stale_row_would_answer(world, settings):
    """The test above can fail: without the kpis hook the row computed before the calendar
    keeps answering the old rate."""
    case = add_case(world, world.project1_a, world.item_land_a, due_on=D(2026, 6, 1))
    approvals.complete_case(world.user_admin, case, D(2026, 6, 10))
    ApprovalCase.objects.filter(pk=case.pk).update(due_is_provisional=True)
    snapshots.scan(TODAY)
    user = world.user_bureau
    before = served(user)
    settings.WORKDAY_RECOMPUTE_HOOKS = [HOOK]
    apply_year(2026)
    assert served(user) == before != live(user)
