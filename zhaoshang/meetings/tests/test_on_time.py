"""An action item late is one rule (``meetings.querysets.action_item_late_q``): the board's
overdue items, the completion report and the daily scan's ledger entries agree — reported
done on the due day is on time, done after it or still open after it is late (the world's
day is Monday 2026-06-15). No KPI or report counts action items."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.meetings import services
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.tests.factories import make_item
from zhaoshang.testing import SHANGHAI

D = datetime.date


def _evidence():
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4")


def test_the_board_the_completion_and_the_ledger_agree_on_late_items(world, _frozen_time):
    on_due_day = make_item(world, due_workdays=2)  # due Wednesday 17 June
    done_late = make_item(world, due_workdays=1)  # due Tuesday 16 June
    still_open = make_item(world, due_workdays=1)
    not_yet_due = make_item(world, due_workdays=10)
    assert (on_due_day.due_on, done_late.due_on) == (D(2026, 6, 17), D(2026, 6, 16))
    _frozen_time.move_to(datetime.datetime(2026, 6, 18, 9, 0, tzinfo=SHANGHAI))
    user = world.user_department
    on_due_day = services.complete_action_item(
        user, on_due_day, "已办结", _evidence(), on=D(2026, 6, 17)
    )
    done_late = services.complete_action_item(user, done_late, "已办结", _evidence())
    assert (on_due_day.done_late, done_late.done_late) == (False, True)

    today = D(2026, 6, 18)
    assert list(ActionItem.objects.overdue(today)) == [still_open]
    late = set(ActionItem.objects.late(today).values_list("pk", flat=True))
    assert late == {done_late.pk, still_open.pk}
    assert not_yet_due.pk not in late

    # The completion reported late wrote its entry; the scan writes the open one's.
    services.scan_overdue()
    written = LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_ACTION_ITEM)
    assert set(written.values_list("evidence_id", flat=True)) == late
