"""The demo city's exit warnings (SPEC §11, §18): the three rules in each district;
warnings at every step in the demo district — warning, rectification notice, clearance
decision, land recovery — cleared where the project met the condition late, one
excluded for a government delay (an overdue approval case in the window); consistent with
the rules; what the daily scan leaves behind (running it again changes nothing); nothing
dated after today."""

from __future__ import annotations

from collections import Counter as Tally

from django.urls import reverse
from django.utils import timezone

from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.exits import exit_counts
from zhaoshang.exits import services
from zhaoshang.exits.choices import RuleCode, StepKind, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.org.models import District, User


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_the_three_rules_in_each_district(today):
    for code in (DEMO_CODE, SECOND_CODE):
        rules = ExitRule.objects.filter(district=_district(code)).order_by("months")
        assert [(r.code, r.months) for r in rules] == [
            (RuleCode.NOT_STARTED, 3),
            (RuleCode.NOT_PRODUCING, 24),
            (RuleCode.NO_BENEFIT, 36),
        ]


def test_warnings_at_every_step(today):
    warnings = ExitWarning.objects.filter(district=_district())
    statuses = Tally(warnings.values_list("status", flat=True))
    assert set(statuses) == set(WarningStatus.values), statuses
    assert statuses[WarningStatus.EXCLUDED] == 1
    assert statuses[WarningStatus.CLEARED] >= 1
    assert statuses[WarningStatus.WARNING] >= 1
    recovered = warnings.get(status=WarningStatus.LAND_RECOVERED)
    assert list(recovered.steps.values_list("kind", flat=True)) == [
        StepKind.NOTICE,
        StepKind.CLEARANCE,
        StepKind.LAND_RECOVERY,
    ]
    for step in ExitStep.objects.filter(warning__district=_district()).select_related("warning"):
        assert step.warning.raised_on <= step.occurred_on <= today
        assert step.document.read().startswith(b"%PDF")
    notices = warnings.filter(status=WarningStatus.NOTICE)
    assert notices.filter(notice_deadline__lt=today).exists()
    assert notices.filter(notice_deadline__gt=today).exists()


def test_warnings_are_consistent_with_the_rules(today):
    for warning in ExitWarning.objects.filter(
        district__in=[_district(), _district(SECOND_CODE)]
    ).select_related("project", "rule"):
        assert warning.anchor_on == warning.project.land_delivered_on
        assert warning.due_on == services.add_months(warning.anchor_on, warning.rule.months)
        assert warning.due_on < warning.raised_on <= today
        if warning.status == WarningStatus.CLEARED:
            assert warning.raised_on <= warning.cleared_on <= today


def test_one_excluded_for_government_delay(today):
    warning = ExitWarning.objects.get(district=_district(), status=WarningStatus.EXCLUDED)
    assert warning.rule.code == RuleCode.NOT_STARTED
    assert warning.delay_workdays > 0 and warning.delay_reason
    assert warning.effective_due_on > today
    assert any(c["kind"] == "case" for c in warning.delay_causes)


def test_the_scan_finds_nothing_left_to_do(today):
    counts = services.scan(today)  # (the test world's districts get their rules now)
    assert (counts["raised"], counts["cleared"], counts["reopened"]) == (0, 0, 0)


def test_pages_of_the_demo_answer(today, client):
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get(reverse("exits:list")).status_code == 200
    assert client.get(reverse("exits:list"), {"status": "excluded"}).status_code == 200
    for warning in ExitWarning.objects.filter(district=_district()).order_by("status")[:10]:
        assert client.get(warning.get_absolute_url()).status_code == 200


def test_nothing_after_today_and_counts(today):
    districts = [_district(), _district(SECOND_CODE)]
    assert not DomainEvent.objects.filter(
        district__in=districts, occurred_at__gt=timezone.now()
    ).exists()
    assert not ExitWarning.objects.filter(raised_on__gt=today).exists()
    counts = exit_counts([d.pk for d in districts])
    assert counts["exit rules"] == 6 and counts["exit warnings"] >= 6
    assert counts["exit steps"] >= 6
