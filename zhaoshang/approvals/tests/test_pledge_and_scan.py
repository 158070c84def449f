"""容缺受理: pledged materials still missing pause the case, and after 15 working days it
goes back to the enterprise; the scan is safe to run twice."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.tests.conftest import day


@pytest.fixture
def pledged(world, catalogue, handler_for):
    item = catalogue["XM-01"]
    handler = handler_for(item)
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        case = services.register_case(world.user_service_center, world.project1_a, item)
        case = services.accept_case(
            handler,
            case,
            day("2026-06-01"),
            pledge_materials="法定代表人身份证明",
            pledge_due_on=day("2026-06-03"),
        )
    return case, handler


def test_a_missed_pledge_pauses_then_returns_the_case(pledged):
    case, _handler = pledged
    assert services.scan_pledges(day("2026-06-03")) == (0, 0)  # not late yet
    assert services.scan_pledges(day("2026-06-04")) == (1, 0)
    assert services.scan_pledges(day("2026-06-05")) == (0, 0)  # already paused: no second pause
    case.refresh_from_db()
    assert case.paused and case.pauses.get().kind == PauseKind.PLEDGE_OVERDUE
    # 15 working days after 06-03: 06-04 … 06-25 (06-19 is a holiday).
    assert services.scan_pledges(day("2026-06-24")) == (0, 0)
    assert services.scan_pledges(day("2026-06-25")) == (0, 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED and not case.paused


def test_fulfilling_the_pledge_ends_the_pause_and_moves_the_due_date(pledged):
    case, handler = pledged
    assert case.due_on == day("2026-06-04")
    services.scan_pledges(day("2026-06-05"))
    case.refresh_from_db()
    with time_machine.travel("2026-06-10 10:00 +0800", tick=False):
        case = services.fulfil_pledge(handler, case, day("2026-06-10"))
    # Paused from 06-03 to 06-10: 4, 5, 8, 9, 10 → due 06-04 + 5 working days.
    assert not case.paused and case.due_on == day("2026-06-11")


def test_the_scan_command_is_idempotent(pledged, capsys):
    call_command("approvals_scan")
    first = capsys.readouterr().out
    call_command("approvals_scan")
    second = capsys.readouterr().out
    assert "1 paused" in first
    assert "0 paused, 0 returned; overdue cases recorded: 0" in second
