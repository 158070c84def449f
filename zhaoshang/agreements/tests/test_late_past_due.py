"""``ObligationQuerySet.late_past_due`` (the daily scan's breaches: the met date computed
once) finds exactly what ``late`` finds among the obligations due before the day — with
obligations waived, confirmed before, on and after their due dates, after the day, and
not at all, judged on each day of a range around them."""

from __future__ import annotations

import datetime

from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Obligation
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate

D = datetime.date


def test_late_past_due_is_late_among_the_obligations_due_before_the_day(world, _frozen_time):
    populate(world, _frozen_time)
    obligations = list(Obligation.objects.order_by("pk"))
    assert len(obligations) >= 8
    # each obligation one case: its due date and what happened to it, relative to SCAN_DAY
    cases = [
        {},  # unmet, unwaived
        {"confirmed_on": -30, "due": -20},  # met before its due date
        {"confirmed_on": -20, "due": -20},  # met on it
        {"confirmed_on": -5, "due": -20},  # met late, before the day
        {"confirmed_on": +5, "due": -20},  # met late, after the day
        {"waived_on": -5, "due": -20},  # waived before the day
        {"waived_on": +5, "due": -20},  # waived after the day
        {"waived_on": -5, "confirmed_on": -30, "due": -20},
    ]
    for i, ob in enumerate(obligations):
        case = cases[i % len(cases)]
        # (an energy-saving term is met when confirmed; the others keep their own kind)
        fields = {"kind": ObligationKind.ENERGY} if i < len(cases) else {}
        fields |= {
            name: SCAN_DAY + datetime.timedelta(days=days)
            for name, days in case.items()
            if name != "due"
        }
        if "due" in case:
            fields["due_on"] = SCAN_DAY + datetime.timedelta(days=case["due"])
        Obligation.objects.filter(pk=ob.pk).update(**fields)
    found = set()
    for shift in range(-40, 15, 3):
        day = SCAN_DAY + datetime.timedelta(days=shift)
        due_before = Obligation.objects.filter(due_on__lt=day)
        late = set(due_before.late(day).values_list("pk", flat=True))
        assert set(due_before.late_past_due(day).values_list("pk", flat=True)) == late, day
        found |= late
    assert found and found != {ob.pk for ob in obligations}
