"""The demo city's project service records (SPEC §7, §18): receipts of all three results
filed by the teams and numbered by the counter, unread receipts waiting for the demo
leader, instructions with their action items, problems in every status (overdue and at a
joint meeting too) and second-round records of each kind; nothing dated after today."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.service import service_counts
from zhaoshang.meetings.models import ActionItem
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.models import Signal
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import District, User, WorkingGroup
from zhaoshang.projects.models import ProjectTeamMember
from zhaoshang.service import services
from zhaoshang.service.choices import NeedStatus, ReceiptResult, SecondRoundKind
from zhaoshang.service.models import Forward, Instruction, Need, Receipt, SecondRoundService


def _district(code=DEMO_CODE):
    return District.objects.get(code=code)


def test_receipts_of_every_result_filed_by_the_team_and_numbered(today):
    for code in (DEMO_CODE, SECOND_CODE):
        receipts = Receipt.objects.filter(district=_district(code))
        assert receipts.count() >= (60 if code == DEMO_CODE else 3)
        if code == DEMO_CODE:
            assert set(receipts.values_list("result", flat=True)) == set(ReceiptResult.values)
        team = set(
            ProjectTeamMember.objects.filter(project__district__code=code).values_list(
                "project_id", "user_id"
            )
        )
        for receipt in receipts.select_related("project"):
            assert (receipt.project_id, receipt.filed_by_id) in team
            assert receipt.addressee == services.leader_in_charge(receipt.project)
            assert receipt.visited_on < today and timezone.localdate(receipt.filed_at) <= today
            assert receipt.read_at is None or receipt.filed_at < receipt.read_at <= timezone.now()
            if receipt.result == ReceiptResult.NEEDS_COORDINATION:
                assert receipt.problems
            if receipt.approval_case_id:
                assert receipt.approval_case.project_id == receipt.project_id
        years = {}
        for number in receipts.values_list("number", flat=True):
            _hz, year, n = number.split("-")
            years.setdefault(year, []).append(int(n))
        for year, ns in years.items():
            assert sorted(ns) == list(range(1, len(ns) + 1))
            counter = Counter.objects.get(district=_district(code), key=f"receipt-{year}")
            assert counter.value == len(ns)


def test_the_demo_leader_has_unread_receipts_waiting(today, client):
    leader = User.objects.get(username="leader")
    unread = Receipt.objects.filter(addressee=leader, read_at__isnull=True)
    assert unread.count() >= 3
    assert Receipt.objects.filter(addressee=leader, read_at__isnull=False).exists()
    assert (
        Notification.objects.filter(
            recipient=leader, verb="receipt.filed", read_at__isnull=True
        ).count()
        >= unread.count()
    )
    client.force_login(leader)
    html = client.get(reverse("service:inbox")).content.decode()
    for receipt in unread:
        assert receipt.number in html


def test_instructions_created_their_action_items(today):
    instructions = Instruction.objects.filter(district=_district())
    assert instructions.count() >= 3
    for instruction in instructions.select_related("receipt"):
        assert instruction.receipt.addressee_id == instruction.leader_id
        assert instruction.receipt.read_at is not None
        items = ActionItem.objects.filter(instruction=instruction)
        assert items.exists()
        for item in items:
            assert item.project_id == instruction.project_id
            assert item.due_on >= today and item.start_on == instruction.written_on
            assert timezone.localdate(item.created_at) <= today
        event = DomainEvent.objects.for_object(instruction).get()
        assert event.verb == "instruction.written" and event.occurred_at <= timezone.now()


def test_problems_in_every_status_with_overdue_and_escalated_ones(today):
    needs = Need.objects.filter(district=_district()).with_days_left(today)
    assert set(needs.values_list("status", flat=True)) == set(NeedStatus.values)
    assert needs.filter(light="red").count() >= 2
    # Believable: most answered in time, a couple late, at most three projects red for a need
    # (two with their stories, one of a project without a team yet: its escalation found
    # nobody and went to the leading group's office).
    assert needs.filter(light="red").values("project").distinct().count() <= 3
    resolved = needs.filter(status=NeedStatus.RESOLVED)
    assert 1 <= resolved.filter(resolved_on__gt=F("due_on")).count() <= 3
    assert resolved.filter(resolved_on__lte=F("due_on")).count() >= 20
    # Written by the services: each raised, and every step an event, by its person.
    raised = DomainEvent.objects.filter(
        verb="need.raised", content_type__model="need", object_id__in=needs.values("pk")
    )
    assert raised.count() == needs.count()
    assert needs.filter(status=NeedStatus.ESCALATED, escalated_on__isnull=False).count() >= 2
    for need in needs:
        assert need.raised_on < today
        assert need.due_on == services._need_due(need.raised_on, need.due_workdays).date
        if need.status == NeedStatus.RESOLVED:
            assert need.resolution and need.raised_on <= need.resolved_on < today
        if need.receipt_id:
            assert need.receipt.project_id == need.project_id
    assert (
        needs.filter(receipt__isnull=False).exists() and needs.filter(receipt__isnull=True).exists()
    )


def test_second_round_records_of_each_kind(today):
    records = SecondRoundService.objects.filter(district=_district())
    assert set(records.values_list("kind", flat=True)) == set(SecondRoundKind.values)
    assert records.filter(project__isnull=True, enterprise__isnull=False).exists()
    assert not records.filter(kind=SecondRoundKind.FINANCING, amount__isnull=True).exists()
    assert not records.filter(occurred_on__gte=today).exists()


def test_the_leader_forwarded_a_receipt_the_district_head_read(today, client):
    """报送主要领导: the demo leader forwarded one receipt that needed coordination to the
    principal leaders (the district head), with a note; the head opened it; the leader sees
    it read among what they sent."""
    leader = User.objects.get(username="leader")
    (row,) = Forward.objects.filter(sent_by=leader)
    head = row.recipient
    assert head.is_principal_leader and head.title == "区委副书记、区长"
    assert row.receipt.result == ReceiptResult.NEEDS_COORDINATION
    assert row.receipt.addressee == leader and row.note.endswith("请区长阅示。")
    assert row.receipt.read_at < row.sent_at < row.read_at <= timezone.now()
    assert Notification.objects.get(recipient=head, verb="forward.received").read_at
    client.force_login(leader)
    sent = client.get(reverse("service:forwarded"), {"sent": "1"})
    assert [f.pk for f in sent.context["page"]] == [row.pk]


def test_a_problem_without_anyone_in_charge_went_to_the_leading_groups_office(today, client):
    """A project still negotiating has no team and no designated leader: its overdue problem
    escalated this morning to nobody, so to the leading group's office (the bureau, named on
    the leading group), and the lights board shows it unassigned."""
    district = _district()
    office = WorkingGroup.objects.get(district=district, kind="leading_group").office
    assert office.short_name == "招商局"
    (signal,) = Signal.objects.filter(district=district, unassigned=True)
    project = signal.project
    assert not project.team_members.exists() and project.designated_leader_id is None
    assert signal.level in (Level.MANAGER, Level.LEADER) and signal.escalated_on == today
    bureau = User.objects.get(username="bureau")
    told = Notification.objects.filter(recipient=bureau, verb="signal.escalated", url=signal.url)
    assert told.exists()
    client.force_login(User.objects.get(username="supervisor"))
    board = client.get(reverse("monitoring:board"), {"unassigned": "on"})
    assert board.context["totals"]["unassigned"] == 1
    assert f'data-signal="{signal.pk}"' in board.content.decode()


def test_loading_again_changes_nothing(today):
    ids = list(
        District.objects.filter(code__in=[DEMO_CODE, SECOND_CODE]).values_list("pk", flat=True)
    )
    before = service_counts(ids)
    call_command("load_demo", stdout=io.StringIO())
    assert service_counts(ids) == before
