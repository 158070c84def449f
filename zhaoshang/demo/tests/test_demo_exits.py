"""The demo city's exit warnings (SPEC §11, §18; issue 16): the four rules in each
district; the district's late start (its agreement's date passed) taken to land recovery; a
held interval (an open problem) shown on a late start's warning and confirmed; a project
whose agreement defers the warning the default rule would have raised; a later late start
under a rectification notice still running (and the second district's); a built project
past its agreement's production date under a notice; the government's own warning for a
signed project without land, and for each whose land came after its agreement's date
(raised the day after, cleared when the land came: the desk's first page full, the next
one begun); most projects still green; consistent with the clock; what the daily scan
leaves behind (running it again changes nothing); nothing dated after today."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from zhaoshang.agreements.choices import ObligationKind, Party, Term
from zhaoshang.agreements.models import Obligation
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.exits import exit_counts
from zhaoshang.exits import services
from zhaoshang.exits.choices import RuleCode, StepKind, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.exits.views import upcoming_clocks
from zhaoshang.monitoring.lights import project_light
from zhaoshang.org.models import District, User
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
from zhaoshang.projects.models import Project
from zhaoshang.workdays.services import add_workdays


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_the_rules_in_each_district(today):
    for code in (DEMO_CODE, SECOND_CODE):
        rules = ExitRule.objects.filter(district=_district(code)).order_by("months")
        assert [(r.code, r.months) for r in rules] == [
            (RuleCode.NOT_STARTED, 3),
            (RuleCode.NO_LAND, 6),
            (RuleCode.NOT_PRODUCING, 24),
            (RuleCode.NO_BENEFIT, 36),
        ]


def test_the_late_start_went_to_land_recovery(today):
    # The demo's agreements set each start term after the project's start but for the
    # district's one late start: its warning went through every step.
    warnings = ExitWarning.objects.filter(district=_district())
    recovered = warnings.get(status=WarningStatus.LAND_RECOVERED)
    assert recovered.rule.code == RuleCode.NOT_STARTED
    assert list(recovered.steps.values_list("kind", flat=True)) == [
        StepKind.NOTICE,
        StepKind.CLEARANCE,
        StepKind.LAND_RECOVERY,
    ]
    for step in ExitStep.objects.filter(warning__district=_district()).select_related("warning"):
        assert step.warning.raised_on <= step.occurred_on <= today
        assert step.document.read().startswith(b"%PDF")


def test_warnings_are_consistent_with_the_rules(today):
    for warning in ExitWarning.objects.filter(
        district__in=[_district(), _district(SECOND_CODE)]
    ).select_related("project", "rule"):
        assert warning.effective_due_on < warning.raised_on <= today
        if warning.status == WarningStatus.CLEARED:
            assert warning.raised_on <= warning.cleared_on <= today
            continue
        found = services.exit_clock(warning.project, warning.rule, today)
        assert (warning.due_source, warning.due_on) == (found.source, found.due_on)
        assert warning.effective_due_on == found.effective_due_on
        assert warning.delay_workdays == found.held_workdays and found.held_since is None


def test_a_held_interval_on_a_warning(today):
    # A problem assigned to a department stayed open across the late start's date: the
    # clock was held those days, the due date moved out by them, the office confirmed.
    # (Other warnings have held days too, from their own blockers: this one was confirmed.)
    warning = ExitWarning.objects.get(
        district=_district(), delay_workdays__gt=0, delay_confirmed_on__isnull=False
    )
    assert warning.rule.code == RuleCode.NOT_STARTED and warning.delay_reason
    assert warning.delay_confirmed_on is not None
    assert warning.effective_due_on == add_workdays(warning.due_on, warning.delay_workdays).date
    moved = warning.effective_due_on.isoformat()
    assert warning.effective_due_on > warning.due_on
    assert any(
        c["kind"] == "problem" and c["url"] and not c["open"] and c["start"] < moved
        for c in warning.delay_causes
    )


def test_a_contract_date_defers_a_warning(today):
    # A project whose land came more than 3 months ago and has not started: the default
    # rule would have warned; its agreement's start date is still ahead, so no warning, and
    # its page shows the agreement's date beside the default's.
    rule = ExitRule.objects.get(district=_district(), code=RuleCode.NOT_STARTED)
    deferred = [
        p
        for p in Project.objects.filter(
            district=_district(),
            kind=ProjectKind.INVESTMENT,
            land_delivered_on__lt=services.add_months(today, -3),
            started_on__isnull=True,
        ).exclude(stage__in=EXIT_STAGES)
        if services.exit_clock(p, rule, today).source == "contract"
    ]
    assert deferred
    project = deferred[0]
    assert not ExitWarning.objects.filter(project=project, rule=rule).exists()
    [row, *_later] = upcoming_clocks(project, set())
    assert row["clock"].effective_due_on >= today
    assert row["default_due"] < today


def test_the_governments_own_warning(today):
    warning = ExitWarning.objects.filter(district=_district(), rule__code=RuleCode.NO_LAND).first()
    assert warning is not None and not warning.steps.exists()
    if warning.status == WarningStatus.CLEARED:
        assert warning.project.land_delivered_on is not None


def test_the_desk_pages_a_history_of_late_land(today):
    # 签约未供地 the most of them: each signed project whose land came after the date its
    # agreement owed it was warned the day after that date and cleared when the land came
    # (the land department's breach); the enterprises' own stories beside them. More than
    # the desk's page (25) in the demo district: its first page full, a second begun.
    warnings = ExitWarning.objects.filter(district=_district()).select_related("project")
    no_land = warnings.filter(rule__code=RuleCode.NO_LAND)
    assert warnings.count() > 25 and no_land.count() > warnings.count() / 2
    assert warnings.exclude(rule__code=RuleCode.NO_LAND).count() >= 3
    for warning in no_land:
        project = warning.project
        [owed] = Obligation.objects.filter(
            agreement__project=project, party=Party.DEPARTMENT, kind=ObligationKind.STAGE
        )
        assert warning.due_source == "contract" and warning.due_on == owed.due_on
        assert owed.due_on < warning.raised_on <= project.land_delivered_on
        assert warning.status == WarningStatus.CLEARED
        assert warning.cleared_on == project.land_delivered_on + datetime.timedelta(days=1)
        assert Obligation.objects.filter(pk=owed.pk, breach__isnull=False).exists()


def test_the_scan_finds_nothing_left_to_do(today):
    ours = ExitWarning.objects.filter(district__in=[_district(), _district(SECOND_CODE)])
    before = sorted(ours.values_list("pk", "status", "version"))
    counts = services.scan(today)  # (the test world's districts get their rules now)
    assert (counts["cleared"], counts["held"], counts["reopened"]) == (0, 0, 0)
    assert sorted(ours.values_list("pk", "status", "version")) == before
    # (The test world's signed projects without land get the government's warning.)
    assert counts["raised"] == ExitWarning.objects.exclude(pk__in=ours.values("pk")).count()


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
    # 2 in the demo district before (the land recovered, 签约未供地), now a second late
    # start, a late production and the second district's late start: at least 5
    assert counts["exit rules"] == 8 and counts["exit warnings"] >= 5
    # 3 steps on the land recovered + one notice on each of the three new ones = 6
    assert counts["exit steps"] >= 6


def _noticed(code, rule_code, today) -> list[ExitWarning]:
    """The district's warnings under ``rule_code`` whose only step is a rectification
    notice whose deadline is still ahead (限期整改, not yet due)."""
    found = []
    warnings = ExitWarning.objects.filter(district=_district(code), rule__code=rule_code)
    for warning in warnings.select_related("project", "rule"):
        steps = list(warning.steps.all())
        if [s.kind for s in steps] == [StepKind.NOTICE] and steps[0].deadline > today:
            assert warning.status == WarningStatus.NOTICE
            assert warning.raised_on <= steps[0].occurred_on <= today
            found.append(warning)
    return found


def test_a_late_start_under_a_rectification_notice(today):
    # A later late start in each district: its agreement's start date passed without a
    # start, warned the day after, a notice in the last week with 20 days to rectify.
    for code in (DEMO_CODE, SECOND_CODE):
        [warning] = _noticed(code, RuleCode.NOT_STARTED, today)
        assert warning.due_source == "contract"
        assert warning.project.started_on is None
        [step] = warning.steps.all()
        assert (step.deadline - step.occurred_on).days == 20
        assert (today - step.occurred_on).days <= 10  # issued within the last week or so


def test_a_late_production_under_its_agreement(today):
    # Built, but not producing by the agreement's production date (no 补充协议): 两年不投产
    # under the contract's date, a notice soon after with 90 days to start production.
    [warning] = _noticed(DEMO_CODE, RuleCode.NOT_PRODUCING, today)
    project = warning.project
    assert warning.due_source == "contract"
    assert project.completed_on is not None and project.production_on is None
    owed = Obligation.objects.get(
        agreement__project=project, party=Party.ENTERPRISE, term=Term.PRODUCTION
    )
    assert warning.due_on == owed.due_on < warning.raised_on
    [step] = warning.steps.all()
    assert (step.deadline - step.occurred_on).days == 90
    assert "投产" in step.note


def test_most_projects_stay_green(today):
    lights = dict.fromkeys(Light.values, 0)
    projects = Project.objects.filter(district__in=[_district(), _district(SECOND_CODE)])
    for light in projects.annotate(light=project_light()).values_list("light", flat=True):
        lights[light] = lights.get(light, 0) + 1
    assert lights[Light.RED] <= 15 and lights[Light.GREEN] > sum(lights.values()) / 2, lights
