"""The daily scan's new signals go in at the step their age reaches when nobody is told of
that move (``refresh_signals(climb_unheard=True)``, ``services.unheard_steps``): the scan
then leaves exactly what writing them at no step and escalating them leaves — every
signal's step, date of escalation and "unassigned", every message, and the count of moves
the scan reports — whoever the district's people are (issue 19: a first scan at 100,000
projects rewrote the 293,000 signals it had just inserted to climb them).

The world (``test_escalation_told``): project1_a has a team (manager ``manager``,
secretary ``secretary``) and the designated leader ``manager``; project2_a has neither. A
case due Friday 12 June 2026 is red from Saturday 13 June: the secretary step on Monday
15 June, the manager's on the 16th, the leader's on the 22nd, the joint meeting on the
29th."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.monitoring import services
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.models import EscalationRule, Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import User

DAYS = [datetime.date(2026, 6, d) for d in (15, 16, 22, 29)]


def _red(*cases) -> None:
    ApprovalCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        status=CaseStatus.ACCEPTED,
        due_on=datetime.date(2026, 6, 12),
        accepted_on=datetime.date(2026, 6, 1),
    )


# More cases of both projects, due on working days and weekends around the steps' days
# (a red case turns the day after its due date; one due tomorrow is yellow today).
DUE = [datetime.date(2026, 6, d) for d in (1, 5, 6, 8, 9, 10, 11, 15, 16, 17, 19, 22, 23, 26, 30)]


def _more_cases(world) -> None:
    case = ApprovalCase.objects.get(pk=world.case_a.pk)
    items = ApprovalItem.objects.filter(district=world.district_a).exclude(
        pk__in=ApprovalCase.objects.values("item_id")
    )
    projects = [world.project1_a, world.project2_a]
    for i, (due, item) in enumerate(zip(DUE * 2, items, strict=False)):
        case.pk = None
        case.project = projects[i % 2]
        case.item = item
        case.department_id = item.department_id
        case.status = CaseStatus.ACCEPTED
        case.accepted_on = datetime.date(2026, 5, 20)
        case.due_on = due
        case.save()


def _first_scan(day: datetime.date, climb: bool) -> tuple:
    """A first scan's signals and escalation on ``day`` (either way), rolled back: the
    signals, the messages and the moves counted."""
    with transaction.atomic():
        refreshed = services.refresh_signals(day, climb_unheard=climb)
        moved = refreshed.climbed + services.escalate(day)
        signals = list(
            Signal.objects.order_by("subject", "object_id").values_list(
                "subject", "object_id", "level", "escalated_on", "unassigned", "since"
            )
        )
        messages = list(
            Notification.objects.order_by("pk").values_list("recipient", "verb", "title", "url")
        )
        transaction.set_rollback(True)
    return signals, messages, moved, refreshed.climbed


@pytest.mark.parametrize("rule", ["default", "own"])
@pytest.mark.parametrize("people", ["everyone", "nobody", "manager only", "no office"])
@pytest.mark.parametrize("day", DAYS)
def test_a_new_signal_climbs_as_it_goes_in_only_when_nobody_hears_of_it(world, people, day, rule):
    if rule == "own":
        # district a's own steps (nothing at once); the other districts keep the defaults
        EscalationRule.objects.create(
            district=world.district_a, to_secretary=1, to_manager=1, to_leader=3, to_meeting=7
        )
    if people == "nobody":
        User.objects.filter(district=world.district_a).update(is_active=False)
    elif people == "manager only":
        User.objects.filter(district=world.district_a).exclude(pk=world.user_manager.pk).update(
            is_active=False
        )
    elif people == "no office":
        # the chain's people only: nobody at the office nor among the meeting's organisers
        User.objects.filter(district=world.district_a).exclude(
            pk__in=[world.user_manager.pk, world.user_secretary.pk]
        ).update(is_active=False)
    _red(world.case_a, world.case_out_a)
    _more_cases(world)
    signals, messages, moved, _ = _first_scan(day, climb=False)
    climbed_signals, climbed_messages, climbed_moved, climbed = _first_scan(day, climb=True)
    assert climbed_signals == signals
    assert climbed_messages == messages
    assert climbed_moved == moved
    levels = {level for _, _, level, *_ in signals}
    assert len(levels - {Level.NONE}) >= 2, levels
    if people == "nobody":
        # nobody to tell: every new signal of a project went in at its step
        assert climbed == moved > 0 and messages == []
    if people == "everyone":
        assert messages


def test_the_daily_scan_reports_the_moves_of_the_signals_that_climbed_as_they_went_in(world):
    User.objects.filter(district=world.district_a).update(is_active=False)
    _red(world.case_a, world.case_out_a)
    report = dict(services.daily_scan(DAYS[0]))
    assert report["escalation"] == "escalated 2"
    assert set(
        Signal.objects.filter(object_id__in=[world.case_a.pk, world.case_out_a.pk]).values_list(
            "level", "unassigned", "escalated_on"
        )
    ) == {(Level.SECRETARY, True, DAYS[0])}


def test_the_signals_that_climbed_are_counted_in_the_districts_scanned(world, monkeypatch):
    """A district scanned beside another (the scan fanned out per district): the other's
    signals written meanwhile, above the mark, are not counted as this one's climbs."""
    User.objects.filter(district=world.district_a).update(is_active=False)
    _red(world.case_a, world.case_out_a)
    scanned = [world.district_a.pk]
    with transaction.atomic():
        alone = services.refresh_signals(DAYS[0], district_ids=scanned, climb_unheard=True)
        transaction.set_rollback(True)
    assert alone.climbed == 2
    refresh = services._refresh

    def beside(subject, today, result, district_ids=None, steps=None):
        refresh(subject, today, result, district_ids, steps)
        if not Signal.objects.filter(district=world.district_b).exists():
            # the other district's scan writes a signal that climbed as it went in
            other = Signal.objects.filter(district=world.district_a).first()
            other.pk, other.district_id = None, world.district_b.pk
            other.object_id, other.level = 10**9, Level.SECRETARY
            other.save()

    monkeypatch.setattr(services, "_refresh", beside)
    with transaction.atomic():
        found = services.refresh_signals(DAYS[0], district_ids=scanned, climb_unheard=True)
        assert Signal.objects.filter(district=world.district_b, level=Level.SECRETARY).exists()
        transaction.set_rollback(True)
    assert found.climbed == alone.climbed
