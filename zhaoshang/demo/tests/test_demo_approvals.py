"""The demo city's approval cases, replayed through the approval services (SPEC §6): each
step by the person who acted, at an office time of its day, its history dated by the clock;
lights a district would believe — a handful of red cases in few projects, about ten due
soon — and most cases done on time."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.monitoring.models import Signal
from zhaoshang.org.models import User

# Steps the holding department's handler takes; registration and materials are the
# service center's; the nightly scan acts alone.
HANDLER_VERBS = {
    "case.accepted",
    "case.in_progress",
    "case.paused",
    "case.resumed",
    "case.extended",
    "case.reported",
    "case.done",
    "case.returned",
    "case.pledge_fulfilled",
    "case.supplement_requested",
}
CENTER_VERBS = {"case.registered", "case.materials_complete", "case.joint_decision"}


def _case_events():
    case_type = ContentType.objects.get_for_model(ApprovalCase)
    return DomainEvent.objects.filter(
        content_type=case_type, district__code__in=[DEMO_CODE, SECOND_CODE]
    )


def test_case_lights_are_believable(today):
    signals = Signal.objects.filter(district__code=DEMO_CODE, subject="case")
    red = set(signals.filter(light="red").values_list("project", flat=True))
    yellow = set(signals.filter(light="yellow").values_list("project", flat=True)) - red
    assert 1 <= len(red) <= 4
    assert 6 <= len(yellow) <= 12
    assert signals.filter(light="red").count() <= 6


def test_most_cases_are_done_on_time(today):
    done = ApprovalCase.objects.filter(
        district__code__in=[DEMO_CODE, SECOND_CODE], status=CaseStatus.DONE
    )
    late = [c for c in done.only("done_on", "due_on") if c.done_late]
    assert 10 <= len(late) <= done.count() * 0.04


def test_each_step_is_taken_by_the_right_person(today):
    people = User.objects.prefetch_related("groups").in_bulk()
    held = {}  # the departments that held each case
    for case in ApprovalCase.objects.filter(
        district__code__in=[DEMO_CODE, SECOND_CODE]
    ).prefetch_related("transfers"):
        held[case.pk] = {case.department_id} | {t.from_department_id for t in case.transfers.all()}
    checked = 0
    for verb, actor, case_pk in _case_events().values_list("verb", "actor", "object_id"):
        if verb in HANDLER_VERBS:
            person = people[actor]
            roles = {g.name for g in person.groups.all()}
            assert Role.DEPARTMENT in roles and person.department_id in held[case_pk], verb
            checked += 1
        elif verb in CENTER_VERBS:
            roles = {g.name for g in people[actor].groups.all()}
            assert Role.SERVICE_CENTER in roles, verb
        elif verb == "case.pledge_overdue":
            assert actor is None  # the nightly scan
    assert checked >= 2000


def test_steps_happen_at_office_times_and_history_follows_the_clock(today):
    for occurred, actor in _case_events().values_list("occurred_at", "actor"):
        local = timezone.localtime(occurred)
        if actor is None:
            assert local.hour < 6  # the nightly scan
        else:
            assert 8 <= local.hour <= 22, local
    cases = ApprovalCase.objects.filter(district__code=DEMO_CODE).order_by("pk")[:200]
    for case in cases:
        registered = _case_events().filter(object_id=case.pk, verb="case.registered").get()
        first = case.history.order_by("history_date").first()
        assert case.created_at == registered.occurred_at == first.history_date, case.pk
        assert timezone.localdate(case.created_at) == case.registered_on, case.pk
