"""A breach belongs to the assessment year its due date fell in, and its ledger entry is
dated the day it occurred, never later than the day it is written (issue: the past stays
as it was). Dates worked out by hand on the 2025/2026 State Council arrangements:
2026's New Year holiday is Thu 1 – Sat 3 January, and Sunday 4 January is a working day."""

from __future__ import annotations

import pytest
import time_machine

from zhaoshang.approvals import services
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.assessment.services import entry_dates


@pytest.fixture
def december_case(world, catalogue, handler_for):
    """The 备案 case (3 working days) accepted on Friday 26 December 2025: due Mon 29,
    Tue 30, Wed 31 December → due 2025-12-31."""
    with time_machine.travel("2025-12-26 09:00 +0800", tick=False):
        case = services.register_case(
            world.user_service_center, world.project1_a, catalogue["XM-01"]
        )
        handler = handler_for(case.item)
        case = services.mark_materials_complete(handler, case, day("2025-12-26"))
        case = services.accept_case(handler, case, day("2025-12-26"))
    assert case.due_on == day("2025-12-31")
    return case


def test_a_case_due_on_new_years_eve_is_the_old_years_breach(december_case):
    # The first working day after 31 December is Sunday 4 January 2026 (调休).
    with time_machine.travel("2026-01-05 07:00 +0800", tick=False):
        assert services.scan_overdue(day("2026-01-05")) == 1
    entry = LedgerEntry.objects.get()
    assert (entry.year, entry.occurred_on) == (2025, day("2026-01-04"))


def test_a_scan_on_a_holiday_does_not_date_the_entry_after_today(december_case):
    # Caught on Saturday 3 January (a holiday): the breach counts from the first working
    # day after the due date (Sunday 4th), but an entry is never dated after its writing.
    with time_machine.travel("2026-01-03 07:00 +0800", tick=False):
        assert services.scan_overdue(day("2026-01-03")) == 1
    entry = LedgerEntry.objects.get()
    assert (entry.year, entry.occurred_on) == (2025, day("2026-01-03"))


def test_without_a_due_date_the_year_is_the_breachs_own():
    with time_machine.travel("2026-01-05 07:00 +0800", tick=False):
        assert entry_dates(day("2026-01-02")) == (2026, day("2026-01-02"))
        assert entry_dates(day("2026-01-09"), day("2025-12-31")) == (2025, day("2026-01-05"))


def test_a_case_whose_materials_were_never_complete_is_not_read(december_case):
    """The scan skips open cases without ``materials_complete_on`` (their clock never
    started): attribution finds nobody answerable for them, so reading them changed
    nothing but the scan's time."""
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.approvals.services.attribution import attribute

    ApprovalCase.objects.filter(pk=december_case.pk).update(materials_complete_on=None)
    december_case.refresh_from_db()
    with time_machine.travel("2026-01-05 07:00 +0800", tick=False):
        assert not attribute(december_case, day("2026-01-05")).answerable
        assert services.scan_overdue(day("2026-01-05")) == 0
    assert not LedgerEntry.objects.exists()
