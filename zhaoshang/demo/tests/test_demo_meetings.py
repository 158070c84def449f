"""The demo city's meetings and supervised action items (SPEC §10, §18): meetings of all
five kinds over the last year with agendas, minutes and decisions; action items in every
status, several overdue with their ledger entries; the approvals demo's joint decision as a
joint meeting's decision; the demo department account's worklist populated; today's joint
meeting with the escalated problems on its agenda; nothing dated after today."""

from __future__ import annotations

import datetime
from collections import Counter as Tally

from django.urls import reverse
from django.utils import timezone

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.meetings import meeting_counts
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import (
    OPEN_ACTION_STATUSES,
    ActionSource,
    ActionStatus,
    MeetingKind,
    MeetingStatus,
    ProgressKind,
)
from zhaoshang.meetings.models import ActionItem, ActionProgress, Decision, Meeting
from zhaoshang.org.models import District, User
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_meetings_of_every_kind_over_the_last_year(today):
    meetings = Meeting.objects.filter(district=_district())
    assert set(meetings.values_list("kind", flat=True)) == set(MeetingKind.values)
    assert meetings.filter(held_on__lt=today - datetime.timedelta(days=300)).exists()
    assert not meetings.filter(held_on__gt=today).exists()
    statuses = Tally(meetings.values_list("status", flat=True))
    assert statuses[MeetingStatus.MINUTES_ISSUED] >= 10 and statuses[MeetingStatus.HELD] >= 2
    assert statuses[MeetingStatus.PLANNED] == 1
    for meeting in meetings.filter(status=MeetingStatus.MINUTES_ISSUED):
        assert meeting.minutes and meeting.minutes_number
        assert meeting.held_on <= meeting.minutes_issued_on < today
        assert meeting.departments.exists() and meeting.attendees.exists()
        assert meeting.agenda_items.exists() and meeting.decisions.exists()
    numbers = list(meetings.order_by("held_on", "pk").values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) and all(n.startswith("HY-") for n in numbers)
    assert Meeting.objects.filter(district=_district(SECOND_CODE)).count() >= 2


def test_agendas_have_projects_problems_and_cases(today):
    meetings = Meeting.objects.filter(district=_district())
    agenda = [a for m in meetings for a in m.agenda_items.all()]
    assert sum(1 for a in agenda if a.need_id) >= 3
    assert sum(1 for a in agenda if a.case_id) >= 3
    assert sum(1 for a in agenda if a.project_id) >= 20
    assert any(a.topic and not a.project_id for a in agenda)


def test_todays_meeting_takes_up_the_escalated_problems(today):
    meeting = Meeting.objects.get(district=_district(), status=MeetingStatus.PLANNED)
    assert meeting.held_on == today
    escalated = Need.objects.filter(district=_district(), status=NeedStatus.ESCALATED)
    assert escalated.exists()
    assert set(
        meeting.agenda_items.filter(need__isnull=False).values_list("need", flat=True)
    ) == set(escalated.values_list("pk", flat=True))
    assert not services.escalated_needs(_district()).exists()


def test_action_items_in_every_status_and_consistent(today):
    items = ActionItem.objects.filter(district=_district(), source=ActionSource.MEETING)
    statuses = Tally(items.values_list("status", flat=True))
    assert set(statuses) == set(ActionStatus.values), statuses
    assert items.count() >= 40
    # Believable lights: a few overdue items (red), on one or two projects.
    overdue = items.overdue(today)
    assert 3 <= overdue.count() <= 5
    assert len(set(overdue.exclude(project=None).values_list("project", flat=True))) <= 2
    for item in items.select_related("decision__meeting"):
        assert item.start_on == item.decision.meeting.held_on <= item.due_on
        assert item.created_at.date() <= today
        if item.status == ActionStatus.CLOSED:
            assert item.completed_on <= item.closed_on <= today and item.closed_by_id
        if item.status in (ActionStatus.CLOSED, ActionStatus.AWAITING_CONFIRMATION):
            completion = item.progress.get(kind=ProgressKind.COMPLETION)
            assert completion.file.read().startswith(b"%PDF")
        if item.status == ActionStatus.RETURNED:
            assert item.progress.filter(kind=ProgressKind.RETURN).exists()
        if item.status in OPEN_ACTION_STATUSES and item.due_on < today:
            assert item.escalated_on and item.due_on < item.escalated_on <= today
    numbers = list(items.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert not ActionProgress.objects.filter(recorded_on__gt=today).exists()


def test_overdue_items_are_in_the_ledger_once(today):
    districts = [_district(), _district(SECOND_CODE)]
    items = ActionItem.objects.filter(district__in=districts)
    recorded = set(
        LedgerEntry.objects.filter(rule_code=RuleCode.OVERDUE_ACTION_ITEM).values_list(
            "evidence_id", flat=True
        )
    )
    overdue = set(items.overdue(today).values_list("pk", flat=True))
    late = {i.pk for i in items.filter(completed_on__isnull=False) if i.completed_on > i.due_on}
    assert overdue <= recorded and late <= recorded and overdue and late
    assert not items.filter(district=districts[1]).overdue(today).exists()
    # What the daily scans leave behind: running the scan again writes and sends nothing.
    assert services.scan_overdue(today) == (0, 0)


def test_the_joint_decision_is_a_meeting_decision(today):
    decision = Decision.objects.get(meeting__district=_district(), joint_decision__isnull=False)
    meeting = decision.meeting
    assert meeting.kind == MeetingKind.JOINT
    assert meeting.held_on == decision.joint_decision.decided_on
    assert meeting.minutes_number == decision.joint_decision.document_number


def test_the_department_account_has_a_full_worklist(today, client):
    user = User.objects.get(username="department")
    client.force_login(user)
    response = client.get(reverse("meetings:worklist"))
    assert response.status_code == 200
    html = response.content.decode()
    for light in ("red", "yellow", "green"):
        assert f'data-light="{light}"' in html, light
    mine = ActionItem.objects.filter(owner_department_id=user.department_id)
    statuses = set(mine.values_list("status", flat=True))
    assert {
        ActionStatus.IN_PROGRESS,
        ActionStatus.AWAITING_CONFIRMATION,
        ActionStatus.RETURNED,
        ActionStatus.CLOSED,
    } <= statuses
    assert user.notifications.filter(verb="action_item.overdue").exists()


def test_pages_of_the_demo_answer(today, client):
    client.force_login(User.objects.get(username="supervisor"))
    for url in (reverse("meetings:board"), reverse("meetings:list")):
        assert client.get(url).status_code == 200
    meeting = Meeting.objects.filter(
        district=_district(), status=MeetingStatus.MINUTES_ISSUED
    ).first()
    assert client.get(meeting.get_absolute_url()).status_code == 200
    item = ActionItem.objects.filter(district=_district()).first()
    assert client.get(item.get_absolute_url()).status_code == 200


def test_nothing_after_today_and_counts(today):
    districts = [_district(), _district(SECOND_CODE)]
    assert not DomainEvent.objects.filter(
        district__in=districts, occurred_at__gt=timezone.now()
    ).exists()
    counts = meeting_counts([d.pk for d in districts])
    assert counts["meetings"] >= 18 and counts["decisions"] >= 30 and counts["action items"] >= 40
