"""The demo city's approval cases (限时办结, 绿色通道): the catalogues, the worklists, the due
dates and histories by the rules, and the ledger (moved out of test_load_demo.py)."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from django.utils import timezone

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.choices import (
    CLOSED_STATUSES,
    NOT_DISTRICT_PARTIES,
    OPEN_STATUSES,
    CaseStatus,
    PauseKind,
)
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause
from zhaoshang.approvals.permissions import can_approve_extension
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.org.models import User
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project
from zhaoshang.workdays.models import CalendarYear


def _cases(code=None):
    codes = [code] if code else [DEMO_CODE, SECOND_CODE]
    return ApprovalCase.objects.filter(district__code__in=codes)


def test_both_catalogues_are_seeded(demo_db):
    for code in (DEMO_CODE, SECOND_CODE):
        items = ApprovalItem.objects.filter(district__code=code)
        assert items.filter(in_green_channel=True).count() == 17
        water = items.get(code="XM-08")  # the shipped 取水许可, with its statutory limit
        # SPEC §20: the law's 45 working days on record, promised in 10 under the special
        # procedure.
        assert (water.time_limit, water.statutory_limit, water.special_procedure) == (10, 45, True)
        assert (water.level, water.in_green_channel) == ("district", False)
        assert list(water.prerequisites.values_list("code", flat=True)) == ["XM-01"]
        assert water.department == items.get(code="XM-07").department
    # Water-drawing plants have their 取水许可 cases. In the demo district the city approved
    # it until it delegated it (下放) after the last application it received: those cases
    # keep the law's 45 working days they were registered with and went to the city's water
    # bureau; some accepted these weeks run into next year.
    water_cases = _cases(DEMO_CODE).filter(item__code="XM-08")
    assert water_cases.count() >= 3
    assert set(water_cases.values_list("time_limit", flat=True)) == {45}
    assert set(water_cases.exclude(reported_on=None).values_list("reported_to", flat=True)) == {
        "市水利局"
    }
    assert water_cases.filter(due_is_provisional=True).count() >= 3


def test_every_handling_department_has_a_handler(demo_db):
    for code in (DEMO_CODE, SECOND_CODE):
        for item in ApprovalItem.objects.filter(district__code=code).select_related("department"):
            handlers = User.objects.filter(
                department=item.department, groups__name=Role.DEPARTMENT, is_active=True
            )
            assert handlers.exists(), (code, item.department.name)
    works = User.objects.get(username="department").department
    assert ApprovalItem.objects.filter(department=works).count() >= 5


def test_the_department_worklist_shows_every_light(demo_db, client):
    client.force_login(User.objects.get(username="department"))
    url = reverse("approvals:worklist")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["own_department"]
    assert response.context["count"] >= 30
    for light in ("green", "yellow", "red", "paused"):
        count = client.get(url, {"light": light}).context["count"]
        assert count >= 1, light


def test_open_cases_come_in_every_state(demo_db):
    today = demo_db.today
    cases = _cases().with_days_left(today)
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    lights = Counter(cases.open().values_list("light", flat=True))
    assert lights["green"] >= 20 and lights["yellow"] >= 3 and lights["red"] >= 3
    open_pauses = CasePause.objects.filter(case__in=cases, ended_on=None)
    assert open_pauses.filter(kind=PauseKind.SUPPLEMENT, case__status="supplement").exists()
    assert open_pauses.filter(kind__in=["expert_review", "site_survey", "hearing"]).exists()
    assert open_pauses.filter(kind=PauseKind.PLEDGE_OVERDUE).exists()
    assert CasePause.objects.filter(case__in=cases, ended_on__isnull=False).count() >= 10
    assert cases.open().filter(extended=True).exists()
    assert cases.filter(transfers__isnull=False).count() >= 2
    reported = cases.filter(status=CaseStatus.REPORTED)
    # 环评 to the city's ecology bureau; 取水许可, until the city delegated it, to its water bureau
    assert reported.exists() and set(reported.values_list("reported_to", flat=True)) == {
        "市生态环境局",
        "市水利局",
    }
    assert cases.open().exclude(pledge_materials="").exists()
    assert cases.filter(status=CaseStatus.RETURNED).exclude(return_reason="").count() >= 2
    assert cases.filter(status=CaseStatus.DONE).count() >= 500


def test_every_due_date_is_the_rule(demo_db):
    cases = _cases().select_related("item", "joint_decision").prefetch_related("pauses")
    for case in cases:
        due = approvals.compute_due(case)
        assert (case.due_on, case.due_is_provisional) == (due.date, due.provisional), case.pk
        assert case.paused == any(p.ended_on is None for p in case.pauses.all()), case.pk


def test_some_due_dates_fall_in_the_unpublished_year(demo_db):
    next_year = demo_db.today.year + 1
    assert not CalendarYear.objects.filter(year=next_year, status="published").exists()
    provisional = _cases().filter(due_is_provisional=True)
    assert provisional.count() >= 3
    assert {d.year for d in provisional.values_list("due_on", flat=True)} == {next_year}
    assert (
        not _cases()
        .filter(due_on__year=next_year, due_is_provisional=False)
        .exclude(time_limit_unit="natural_day")
        .exists()
    )


def test_case_histories_keep_to_the_rules(demo_db):
    today = demo_db.today
    cases = (
        _cases()
        .select_related("item", "project", "extension_approver")
        .prefetch_related("pauses", "transfers", "item__prerequisites")
    )
    done = {
        (c.project_id, c.item_id): c.done_on
        for c in _cases().filter(status=CaseStatus.DONE).only("project", "item", "done_on")
    }
    for case in cases:
        # An application that reached the window complete before the service center
        # registered it (``applied_on``): its materials were complete from that day, and the
        # working days up to registration are the service center's (SPEC §20).
        steps = [
            case.applied_on or case.registered_on,
            case.materials_complete_on,
            case.accepted_on,
            case.done_on or case.returned_on,
        ]
        present = [d for d in steps if d]
        assert present == sorted(present), case.pk
        assert all(d < today for d in present), case.pk
        assert (case.applied_on or case.registered_on) >= case.project.signed_on, case.pk
        if case.applied_on:
            assert case.applied_on <= case.registered_on, case.pk
        if case.accepted_on:
            assert case.registered_on <= case.accepted_on, case.pk
        if case.accepted_on:
            assert case.handler_id and case.materials_complete_on, case.pk
            for prerequisite in case.item.prerequisites.all():
                finished = done.get((case.project_id, prerequisite.pk))
                if case.joint_decision_id and finished is None:
                    continue  # 同时审批: decided together
                assert finished and finished <= case.accepted_on, (case.pk, prerequisite.code)
        if case.status in CLOSED_STATUSES:
            assert not case.paused
        if case.status == CaseStatus.DONE and case.reported_on:
            assert case.higher_answer
        if case.extended:
            assert case.extension_reason and case.extended_on
            assert can_approve_extension(case.extension_approver, case.district_id)
        for pause in case.pauses.all():
            assert pause.reason and pause.started_on >= (case.accepted_on or case.registered_on)
            if pause.ended_on:
                assert pause.started_on <= pause.ended_on < today
        for transfer in case.transfers.all():
            assert transfer.reason and transfer.from_department_id != transfer.to_department_id
        assert DomainEvent.objects.for_object(case).filter(verb="case.registered").count() == 1
    assert not DomainEvent.objects.filter(occurred_at__gt=timezone.now()).exists()


def test_green_channel_projects_have_every_green_channel_item(demo_db):
    projects = Project.objects.filter(
        district__code__in=[DEMO_CODE, SECOND_CODE], is_green_channel=True, signed_on__isnull=False
    ).exclude(stage=Stage.TERMINATED)
    assert projects.count() >= 10
    for project in projects:
        green = set(
            ApprovalItem.objects.filter(
                district=project.district, in_green_channel=True
            ).values_list("pk", flat=True)
        )
        cases = project.approval_cases.filter(item__in=green).select_related("agent")
        assert set(cases.values_list("item", flat=True)) == green, project.code
        # 统一受理: registered at once, each carried by a service center agent
        assert len(set(cases.values_list("registered_on", flat=True))) == 1, project.code
        for case in cases:
            assert case.agent.groups.filter(name=Role.SERVICE_CENTER).exists()
            assert case.agent.district_id == project.district_id
    demo_agent = User.objects.get(username="service_center")
    assert ApprovalCase.objects.filter(agent=demo_agent).exists()


def test_a_joint_decision_gives_one_due_date(demo_db):
    cases = _cases().filter(joint_decision__isnull=False).select_related("joint_decision")
    assert cases.count() >= 2
    decision = cases[0].joint_decision
    together = list(decision.cases.all())
    assert len(together) >= 2
    assert {c.due_on for c in together} == {decision.common_due_on}
    assert all(c.status in OPEN_STATUSES for c in together)
    items = {c.item_id for c in together}
    assert any(set(c.item.prerequisites.values_list("pk", flat=True)) & items for c in together)


def test_overdue_cases_are_in_the_ledger(demo_db):
    today = demo_db.today
    cases = _cases()
    recorded = set(
        LedgerEntry.objects.filter(
            district__code__in=[DEMO_CODE, SECOND_CODE], rule_code=RuleCode.OVERDUE_CASE
        ).values_list("evidence_id", flat=True)
    )
    entries = dict(
        LedgerEntry.objects.filter(
            district__code__in=[DEMO_CODE, SECOND_CODE], rule_code=RuleCode.OVERDUE_CASE
        ).values_list("evidence_id", "department_id")
    )
    overdue = cases.filter(status__in=OPEN_STATUSES, paused=False, due_on__lt=today)
    late = [c for c in cases.filter(status=CaseStatus.DONE) if c.done_on > c.due_on]
    assert overdue.count() >= 3 and len(late) >= 10
    # Whose days (SPEC §20, approvals/services/attribution.py): a late case's entry goes to
    # the department answering for its lateness — the holder, a prerequisite's department
    # or the service center — and none is written when no district department answers
    # (the higher authority's days after 上报, the enterprise's, a pause).
    for case in overdue.select_related("item", "project", "department", "registered_by"):
        result = approvals.attribute(case, today)
        if result.answerable:
            assert entries.get(case.pk) == result.late_department_id, case.pk
        else:
            assert result.late_party in NOT_DISTRICT_PARTIES, case.pk
    for case in late:
        assert case.late_party, case.pk  # attributed when it was done
        if case.late_department_id:
            assert entries.get(case.pk) == case.late_department_id, case.pk
        else:
            assert case.late_party in NOT_DISTRICT_PARTIES, case.pk
    answered = [c for c in late if c.late_department_id]
    assert len(answered) >= 10 and len(answered) < len(late)  # and some nobody's in the district
    assert recorded <= set(cases.values_list("pk", flat=True))
    # the demo is what the daily scans leave behind: running them again writes nothing
    assert approvals.scan_overdue(today) == 0
    assert approvals.scan_pledges(today) == (0, 0)
