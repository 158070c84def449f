"""The demo city's assessment (SPEC §12, §18): last year finished with base scores, hand
entries with their evidence PDFs, one objection upheld (its counter-entry) and one rejected;
this year open with one objection waiting; the rule entries of the scans count; every point
is traceable; the pages answer for the demo accounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import (
    LedgerEntry,
    Objection,
    ObjectionStatus,
    RuleCode,
    YearStatus,
)
from zhaoshang.demo.assessment import assessment_counts
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.meetings.models import ActionItem
from zhaoshang.org.models import District, User


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_last_year_is_finished_with_hand_and_rule_entries(today):
    district, last = _district(), today.year - 1
    settings = scoring.assessment_year(district, last)
    assert settings.status == YearStatus.FINISHED and settings.finished_by.username == "supervisor"
    assert settings.base_score == Decimal("100")
    entries = LedgerEntry.objects.filter(district=district, year=last)
    hand = entries.filter(rule_code="", corrects__isnull=True)
    assert hand.filter(points__lt=0).count() >= 3 and hand.filter(points__gt=0).count() >= 2
    for entry in hand:
        assert entry.evidence_file and entry.evidence_file.open("rb").read(4) == b"%PDF"
    assert entries.exclude(rule_code="").exists()  # the scans' entries count too
    assert not scoring.late_entries(district, last, settings).exists()
    rows = scoring.standings(district, last, settings)
    assert sum(s.entry_count for s in rows) == entries.count()
    for s in rows:
        assert s.score == s.base + s.deductions + s.additions


def test_objections_one_upheld_one_rejected_one_waiting(today):
    district = _district()
    last = Objection.objects.filter(district=district, year=today.year - 1)
    upheld = last.get(status=ObjectionStatus.UPHELD)
    assert upheld.counter_entry.points == -upheld.entry.points
    assert upheld.counter_entry.corrects == upheld.entry and upheld.answer
    assert last.get(status=ObjectionStatus.REJECTED).counter_entry is None
    waiting = Objection.objects.get(district=district, year=today.year)
    assert waiting.is_pending
    assert scoring.assessment_year(district, today.year).status == YearStatus.OPEN
    second = scoring.assessment_year(_district(SECOND_CODE), today.year)
    assert second is not None and second.status == YearStatus.OPEN
    counts = assessment_counts([district.pk])
    assert counts["objections"] == 3 and counts["assessment years"] == 2


def test_pages_answer_for_the_demo_accounts(today):
    department = User.objects.get(username="department").department
    for username in ("supervisor", "leader", "department", "city", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for year in (today.year - 1, today.year):
            for url in (
                reverse("assessment:rankings") + f"?year={year}",
                reverse("assessment:export") + f"?year={year}",
                reverse("assessment:ledger", args=[department.pk]) + f"?year={year}",
                f"/api/v1/assessment-standings/?year={year}",
                f"/api/v1/assessment-entries/?year={year}",
            ):
                assert client.get(url).status_code == 200, (username, url)
    supervisor = Client()
    supervisor.force_login(User.objects.get(username="supervisor"))
    for url in (
        reverse("assessment:objections"),
        reverse("assessment:entry_create"),
        reverse("assessment:year", args=[today.year]),
        reverse("assessment:year", args=[today.year - 1]),
    ):
        assert supervisor.get(url).status_code == 200, url


def test_a_breach_due_on_new_years_eve_belongs_to_last_year(today):
    """An action item of a December meeting due on 31 December, done in January: the
    nightly scan on the first working day of January (Sunday 4 January 2026, 调休) writes
    its entry dated that day, in last year's ledger; the late completion adds none."""
    district, last = _district(), today.year - 1
    item = ActionItem.objects.get(district=district, due_on=datetime.date(last, 12, 31))
    assert item.completed_on.year == today.year and item.closed_on is not None
    (entry,) = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_ACTION_ITEM, evidence_id=item.pk
    )
    assert entry.department == item.owner_department
    # 2025-12-31 → the first working day after it is Sunday 2026-01-04.
    assert (entry.year, entry.occurred_on) == (last, datetime.date(today.year, 1, 4))
    assert entry.occurred_on < item.completed_on
    assert timezone.localtime(entry.created_at).date() == entry.occurred_on  # written that night
    assert not scoring.late_entries(district, last, scoring.assessment_year(district, last))
