"""The demo city's complaints (SPEC §9, §18): complaints of every status over the last
nine months, consistent with their time limits; one late, red on the complaint desk;
substantiated ones in the ledger once; the demo department account has complaints against
its department; nothing dated after today."""

from __future__ import annotations

from collections import Counter as Tally

from django.urls import reverse
from django.utils import timezone

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.complaints.choices import SUBSTANTIATED_OUTCOMES, ComplaintStatus
from zhaoshang.complaints.models import Complaint
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.org.models import District, User
from zhaoshang.workdays import services as workdays


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_complaints_of_every_status_and_consistent(today):
    complaints = Complaint.objects.filter(district=_district())
    statuses = Tally(complaints.values_list("status", flat=True))
    assert set(statuses) == set(ComplaintStatus.values), statuses
    assert statuses[ComplaintStatus.CLOSED] >= 10
    assert complaints.filter(reopened=True, status=ComplaintStatus.CLOSED).exists()
    assert len(set(complaints.values_list("category", flat=True))) >= 7
    for c in complaints:
        assert c.received_on <= today and c.created_at.date() <= today
        if c.status == ComplaintStatus.RECEIVED:
            assert c.dispatched_on is None and c.due_on is None
            continue
        assert c.received_on <= c.dispatched_on
        assert c.accept_by == workdays.add_workdays(c.dispatched_on, c.accept_workdays).date
        assert c.answer_by == workdays.add_workdays(c.answer_from, c.answer_workdays).date
        if not c.reopened:
            assert c.answer_from == c.dispatched_on
        expected = 10 if c.category == "policy" else 5
        if hasattr(c, "extension") and c.extension.approved:
            expected = 15
        assert c.answer_workdays == expected, c.number
        if c.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED):
            assert c.outcome and c.answer and c.accepted_on <= c.answered_on <= today
            assert c.due_on is None
        if c.status == ComplaintStatus.CLOSED:
            assert c.rating and c.answered_on <= c.rated_on <= today
    numbers = list(complaints.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) and all(n.startswith("TS-") for n in numbers)
    assert Complaint.objects.filter(district=_district(SECOND_CODE)).count() >= 3


def test_the_districts_limits_were_set_before_the_complaints(today):
    from zhaoshang.complaints.models import ComplaintLimit

    (limit,) = ComplaintLimit.objects.filter(district=_district())
    assert (limit.category, limit.answer_workdays) == ("policy", 10)
    first = limit.history.earliest("history_date")
    assert first.history_user.username == "admin"
    complaints = Complaint.objects.filter(district=_district())
    assert first.history_date < complaints.earliest("created_at").created_at


def test_extensions_and_reports_of_unapproved_visits(today):
    from zhaoshang.complaints.models import ComplaintExtension

    extensions = ComplaintExtension.objects.filter(complaint__district=_district())
    assert extensions.filter(approved=True).exists()
    assert extensions.filter(approved__isnull=True).exists()  # waiting for the supervisor
    flagged = Complaint.objects.filter(district=_district(), reports_unapproved_visit=True)
    assert set(flagged.values_list("category", flat=True)) == {"inspections", "fees"}
    assert LedgerEntry.objects.filter(
        rule_code=RuleCode.UNAPPROVED_INSPECTION, evidence_id__in=flagged.values("pk")
    ).exists()


def test_lights_on_the_desk(today, client):
    """One complaint is late, and it has its story: the department asked for more time and
    the supervision office refused; a few are due soon."""
    complaints = Complaint.objects.filter(district=_district()).with_days_left(today)
    lights = Tally(complaints.values_list("light", flat=True))
    assert lights["red"] == 1 and 1 <= lights["yellow"] <= 3 and lights["green"] >= 1, lights
    late = complaints.get(light="red")
    assert late.extension.approved is False and late.extension.decision_reason
    client.force_login(User.objects.get(username="supervisor"))
    html = client.get(reverse("complaints:list")).content.decode()
    for light in ("red", "yellow", "green"):
        assert f'data-light="{light}"' in html, light


def test_substantiated_complaints_are_in_the_ledger_once(today):
    complaints = Complaint.objects.filter(
        district__in=[_district(), _district(SECOND_CODE)], outcome__in=SUBSTANTIATED_OUTCOMES
    )
    assert complaints.count() >= 5
    entries = LedgerEntry.objects.filter(
        rule_code__in=(RuleCode.SUBSTANTIATED_COMPLAINT, RuleCode.UNAPPROVED_INSPECTION),
        evidence_id__in=complaints.values("pk"),
    )
    assert Tally(entries.values_list("evidence_id", flat=True)) == Tally(
        complaints.values_list("pk", flat=True)
    )
    assert not LedgerEntry.objects.filter(created_at__gt=timezone.now()).exists()


def test_the_supervision_office_records_the_findings_once_overruling(today, client):
    """Each department answered with the facts and its view; the supervision office
    recorded every finding. Once it overruled the department: 建设局 said 不属实, the office
    found 属实 from the review records, and the ledger entry is dated that finding's day.
    One complaint waits for the office's verification, green: its days are the office's,
    not a signal against the department."""
    from zhaoshang.core.roles import Role
    from zhaoshang.monitoring.models import Signal

    complaints = Complaint.objects.filter(district=_district()).select_related("found_by")
    found = complaints.exclude(outcome="")
    assert found.count() >= 15
    for c in found:
        assert c.department_view and c.account and c.finding_reason and c.answer, c.number
        assert c.answered_on <= c.found_on <= today, c.number
        assert c.found_by.groups.filter(name=Role.SUPERVISOR).exists(), c.number
        assert c.overruled == (c.department_view != c.outcome), c.number
    (overruled,) = complaints.filter(overruled=True)
    assert (overruled.department_view, overruled.outcome) == ("unfounded", "substantiated")
    department = User.objects.get(username="department")  # of 建设局
    assert overruled.overrule_reason and overruled.department_id == department.department_id
    entry = LedgerEntry.objects.get(
        rule_code=RuleCode.SUBSTANTIATED_COMPLAINT, evidence_id=overruled.pk
    )
    assert (entry.department_id, entry.occurred_on) == (
        overruled.department_id,
        overruled.found_on,
    )
    client.force_login(department)
    html = client.get(overruled.get_absolute_url()).content.decode()
    assert 'data-testid="overruled"' in html and overruled.overrule_reason in html
    (waiting,) = complaints.filter(status=ComplaintStatus.VERIFYING).with_days_left(today)
    assert waiting.outcome == "" and waiting.light == "green" and waiting.verify_by > today
    assert not Signal.objects.filter(subject="complaint", object_id=waiting.pk).exists()


def test_the_department_account_has_complaints_against_it(today, client):
    user = User.objects.get(username="department")
    mine = Complaint.objects.filter(department_id=user.department_id)
    assert mine.filter(status__in=(ComplaintStatus.DISPATCHED, ComplaintStatus.ACCEPTED)).exists()
    assert mine.filter(status=ComplaintStatus.CLOSED).exists()
    assert user.notifications.filter(verb="complaint.dispatched").exists()
    client.force_login(user)
    c = mine.first()
    assert client.get(c.get_absolute_url()).status_code == 200


def test_pages_and_record(today, client):
    client.force_login(User.objects.get(username="supervisor"))
    for c in Complaint.objects.filter(district=_district())[:5]:
        assert client.get(c.get_absolute_url()).status_code == 200
        verbs = set(DomainEvent.objects.for_object(c).values_list("verb", flat=True))
        assert "complaint.received" in verbs
    assert not DomainEvent.objects.filter(occurred_at__gt=timezone.now()).exists()


def test_the_morning_scan_has_lit_the_city(today, client):
    """The demo ends with the daily scan's lights: red and yellow signals of every kind of
    timed thing, the old ones taken up the chain; running the scan again changes nothing."""
    from zhaoshang.monitoring.choices import Level
    from zhaoshang.monitoring.models import Signal
    from zhaoshang.monitoring.services import escalate, refresh_signals

    signals = Signal.objects.filter(district=_district())
    subjects = set(signals.values_list("subject", flat=True))
    assert {"case", "need", "action_item", "complaint", "obligation", "milestone"} <= subjects
    assert signals.filter(light="red").exists() and signals.filter(light="yellow").exists()
    levels = set(signals.values_list("level", flat=True))
    assert {Level.SECRETARY, Level.MEETING} <= levels
    assert refresh_signals(today).changed == 0 and escalate(today) == 0
    client.force_login(User.objects.get(username="leader"))
    html = client.get(reverse("monitoring:board")).content.decode()
    assert 'data-light="red"' in html
    html = client.get(reverse("monitoring:board"), {"light": "yellow"}).content.decode()
    assert 'data-light="yellow"' in html and 'data-light="red"' not in html


def test_inspection_requests_follow_their_rules(today, client):
    from collections import defaultdict

    from zhaoshang.inspections.choices import RequestStatus
    from zhaoshang.inspections.models import (
        InspectionRequest,
        InspectionSettings,
        InspectionVisit,
        JointInspection,
        UnapprovedVisitReport,
    )

    requests = InspectionRequest.objects.filter(district=_district())
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(requests.values_list("kind", flat=True)) == {"inspection", "rating", "fee"}
    settings = InspectionSettings.for_district(_district().pk)
    per_year = defaultdict(int)
    for r in requests.prefetch_related("visits"):
        assert r.legal_basis and r.filed_on <= today
        if r.is_emergency:
            assert r.filed_on <= workdays.add_workdays(r.planned_on, 1).date
        elif r.is_visit and settings.is_quiet(r.planned_on):
            assert r.quiet_day_reason or r.status == RequestStatus.REJECTED
        for v in r.visits.all():
            assert bool(v.code) == (r.status in (RequestStatus.APPROVED, RequestStatus.CANCELLED))
            if v.rating:
                assert v.carried_out_on and v.carried_out_on <= v.rated_on <= today
            if r.is_visit and not r.is_emergency and r.status in ("filed", "approved"):
                per_year[(r.department_id, v.enterprise_id, r.planned_on.year)] += 1
    assert max(per_year.values()) <= settings.yearly_cap
    assert requests.filter(is_emergency=True).count() >= 2
    joint = JointInspection.objects.get(district=_district())
    assert joint.visits.count() == 3 and joint.visit_on > today
    reports = UnapprovedVisitReport.objects.filter(district=_district())
    assert reports.count() == 2 and all(r.complaint.reports_unapproved_visit for r in reports)
    # The public page answers for an upcoming visit's code, without logging in.
    upcoming = InspectionVisit.objects.filter(
        request__district=_district(), request__status="approved", visit_on__gt=today
    ).first()
    page = client.get(reverse("verify:code", args=[upcoming.code]))
    assert page.status_code == 200 and upcoming.enterprise.name in page.content.decode()
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get(reverse("inspections:list")).status_code == 200
    assert client.get(upcoming.request.get_absolute_url()).status_code == 200
