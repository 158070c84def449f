"""The demo city's approval cases, replayed through the approval services (SPEC §6): each
step by the person who acted, at an office time of its day, its history dated by the clock;
lights a district would believe — a handful of red cases in few projects, about ten due
soon — and most cases done on time."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhaoshang.approvals.choices import CaseStatus, Party
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.assessment.models import LedgerEntry, RuleCode
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


def test_whose_days_has_one_example_each(today):
    """SPEC §20: a case late while waiting for another department's prerequisite (that
    department answers), one answered late by the higher authority (nobody in the district
    answers), one that waited at the window (the service center answers); 取水许可 keeps
    its 45 working days by law and is promised in 10."""
    cases = ApprovalCase.objects.filter(district__code=DEMO_CODE, status=CaseStatus.DONE)
    found = {p: cases.filter(late_party=p).count() for p in Party.values}
    assert found[Party.PREREQUISITE] == 1 and found[Party.SERVICE_CENTER] == 1, found
    assert found[Party.HIGHER] >= 1, found
    waited = cases.filter(late_party=Party.PREREQUISITE).select_related("item").get()
    assert waited.item.code == "XM-02" and waited.late_department_id != waited.department_id
    entry = LedgerEntry.objects.get(evidence_id=waited.pk, rule_code=RuleCode.OVERDUE_CASE)
    assert entry.department_id == waited.late_department_id
    higher = cases.filter(late_party=Party.HIGHER, reported_on__isnull=False)
    assert higher.exists()
    assert not LedgerEntry.objects.filter(
        evidence_id__in=higher.values("pk"), rule_code=RuleCode.OVERDUE_CASE
    ).exists()
    center = cases.filter(late_party=Party.SERVICE_CENTER, applied_on__isnull=False).get()
    assert center.late_department.name == "区政务服务中心"
    water = ApprovalItem.objects.get(district__code=DEMO_CODE, code="XM-08")
    assert (water.time_limit, water.statutory_limit, water.special_procedure) == (10, 45, True)
