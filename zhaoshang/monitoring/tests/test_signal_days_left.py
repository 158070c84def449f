"""A signal's working days left are read off its due date, not stored (issue 19): the next
working day's scan rewrites only the signals whose light (or title, link, …) moved — not
every lit signal because its days left moved — and the lights board shows the days left
as of the day it is read, the numbers the signal's source counts."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import services
from zhaoshang.monitoring.models import Signal
from zhaoshang.workdays.services import days_left

D = datetime.date
TODAY = D(2026, 6, 15)  # a Monday


def _lit_two_cases(world):
    """Red (due Friday 12 June) and yellow (due Tuesday 16 June) on 15 June."""
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status="accepted", due_on=D(2026, 6, 12), accepted_on=D(2026, 6, 1)
    )
    ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(
        status="accepted", due_on=D(2026, 6, 16), accepted_on=D(2026, 6, 1)
    )


def _stored():
    return sorted(Signal.objects.values_list("object_id", "light", "checked_on", "rank"))


def test_the_next_working_day_rewrites_no_signal_whose_light_holds(world):
    _lit_two_cases(world)
    first = services.refresh_signals(TODAY)
    assert (first.created, first.updated, first.removed) == (2, 0, 0)
    before = _stored()
    assert [light for _o, light, _c, _r in before] == sorted([Light.RED, Light.YELLOW])
    # Tuesday: the red one a working day further overdue, the yellow one due today — both
    # lights hold, so nothing is written (their days left moved: -1 → -2, 1 → 0).
    nxt = services.refresh_signals(D(2026, 6, 16))
    assert (nxt.created, nxt.updated, nxt.removed) == (0, 0, 0)
    assert _stored() == before
    # Wednesday: the yellow one turns red — that one alone is rewritten.
    later = services.refresh_signals(D(2026, 6, 17))
    assert (later.created, later.updated, later.removed) == (0, 1, 0)
    moved = Signal.objects.get(object_id=world.case_out_a.pk)
    assert (moved.light, moved.checked_on) == (Light.RED, D(2026, 6, 17))
    kept = Signal.objects.get(object_id=world.case_a.pk)
    assert kept.checked_on == TODAY


def _shown_days_left(client) -> dict[int, int | None]:
    response = client.get(reverse("monitoring:board"))
    assert response.status_code == 200
    return {s.object_id: s.days_left for s in response.context["page"]}


def test_the_board_shows_the_days_left_of_the_day_it_is_read(world, client_for):
    _lit_two_cases(world)
    services.refresh_signals(TODAY)
    client = client_for("supervisor")
    due = {world.case_a.pk: D(2026, 6, 12), world.case_out_a.pk: D(2026, 6, 16)}
    assert _shown_days_left(client) == {pk: days_left(d, TODAY) for pk, d in due.items()}
    assert _shown_days_left(client) == {world.case_a.pk: -1, world.case_out_a.pk: 1}
    # the next day, before (or without) its scan: the numbers of that day
    with time_machine.travel("2026-06-16 10:00 +0800", tick=False):
        assert _shown_days_left(client) == {world.case_a.pk: -2, world.case_out_a.pk: 0}
    # the export and the print view read the same numbers
    export = Signal.objects.with_days_left(TODAY).order_by("object_id")
    assert [s.days_left for s in export] == [days_left(due[s.object_id], TODAY) for s in export]
