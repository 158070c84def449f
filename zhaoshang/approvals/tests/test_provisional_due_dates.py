"""A due date that falls in a year whose holiday arrangement is not published is
provisional, and loading that year recomputes it (the workdays recompute hook)."""

from __future__ import annotations

import datetime

import time_machine

from zhaoshang.approvals import services
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.workdays import services as workdays


def test_a_due_date_in_an_unpublished_year_is_provisional_and_recomputed_on_loading(
    world, catalogue, handler_for
):
    item = catalogue["XM-01"]
    handler = handler_for(item)
    with time_machine.travel("2026-12-29 10:00 +0800", tick=False):
        case = services.register_case(world.user_service_center, world.project1_a, item)
        case = services.mark_materials_complete(handler, case, day("2026-12-29"))
        case = services.accept_case(handler, case, day("2026-12-29"))
        case = services.extend_case(handler, case, "需专家论证", world.user_leader)
    # 10 working days after 2026-12-29 under the provisional rule (2027-01-01 is 元旦).
    assert case.due_is_provisional
    provisional_due = case.due_on
    assert provisional_due == day("2027-01-13")

    # The State Council publishes 2027 with 01-05 and 01-06 off and a working Sunday on
    # 01-10 (a made-up arrangement for the test).
    entries = [
        (datetime.date(2027, 1, 1), "holiday", "元旦"),
        (datetime.date(2027, 1, 5), "holiday", "元旦"),
        (datetime.date(2027, 1, 6), "holiday", "元旦"),
        (datetime.date(2027, 1, 10), "workday", "元旦调休"),
    ]
    workdays.load_year(2027, entries, notice="国办发明电〔2026〕X号", status="published")
    case = ApprovalCase.objects.get(pk=case.pk)
    assert not case.due_is_provisional
    # Two working days lost, one gained: the due date moves one working day later.
    assert case.due_on == services.compute_due(case).date
    assert case.due_on == day("2027-01-14")
