"""Monitoring (SPEC §11): the signals follow each app's lights and the district's rule
table; the daily scan is idempotent; escalation climbs the chain secretary → manager →
leader in charge → joint meeting in working days; a project's light is its worst item;
the investment schedule (序时进度) is lit by the gap below plan."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import services
from zhaoshang.monitoring.admin import LightRuleForm
from zhaoshang.monitoring.choices import Level, Subject
from zhaoshang.monitoring.lights import project_light
from zhaoshang.monitoring.models import EscalationRule, LightRule, Signal
from zhaoshang.monitoring.sources import planned_to_date
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import Project

TODAY = datetime.date(2026, 6, 15)  # a Monday; 19–21 June is the Dragon Boat holiday


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _due(case, day: datetime.date | None, status=CaseStatus.ACCEPTED):
    ApprovalCase.objects.filter(pk=case.pk).update(
        status=status, due_on=day, accepted_on=datetime.date(2026, 6, 1)
    )


def _signal(case) -> Signal | None:
    return Signal.objects.filter(subject=Subject.CASE, object_id=case.pk).first()


def test_overdue_and_due_soon_cases_become_signals(world):
    _due(world.case_a, datetime.date(2026, 6, 12))  # overdue since Saturday
    _due(world.case_out_a, datetime.date(2026, 6, 16))  # due tomorrow: yellow
    result = services.refresh_signals(TODAY)
    assert result.created == 2
    red, yellow = _signal(world.case_a), _signal(world.case_out_a)
    assert (red.light, red.since) == (Light.RED, datetime.date(2026, 6, 13))
    assert (yellow.light, yellow.since) == (Light.YELLOW, TODAY)
    lefts = dict(Signal.objects.with_days_left(TODAY).values_list("object_id", "days_left"))
    assert (lefts[world.case_a.pk], lefts[world.case_out_a.pk]) == (-1, 1)
    assert red.project == world.project1_a and red.department == world.case_a.department
    assert red.url == world.case_a.get_absolute_url()


def test_a_second_refresh_changes_nothing_and_done_things_go(world):
    _due(world.case_a, datetime.date(2026, 6, 12))
    services.refresh_signals(TODAY)
    again = services.refresh_signals(TODAY)
    assert again.changed == 0
    _due(world.case_a, datetime.date(2026, 6, 12), status=CaseStatus.DONE)
    gone = services.refresh_signals(TODAY)
    assert gone.removed == 1 and _signal(world.case_a) is None


def test_a_green_case_has_no_signal(world):
    _due(world.case_a, datetime.date(2026, 6, 30))
    services.refresh_signals(TODAY)
    assert _signal(world.case_a) is None


def test_the_rule_table_moves_yellow_in_the_pages_and_the_signals_alike(world):
    _due(world.case_a, datetime.date(2026, 6, 18))  # 3 working days left
    services.refresh_signals(TODAY)
    assert _signal(world.case_a) is None
    annotated = ApprovalCase.objects.with_days_left(TODAY).get(pk=world.case_a.pk)
    assert annotated.light == Light.GREEN
    LightRule.objects.create(district=world.district_a, subject=Subject.CASE, yellow_workdays=3)
    annotated = ApprovalCase.objects.with_days_left(TODAY).get(pk=world.case_a.pk)
    assert annotated.light == Light.YELLOW
    services.refresh_signals(TODAY)
    assert _signal(world.case_a).light == Light.YELLOW
    # The other district keeps the default.
    _due(world.case_b, datetime.date(2026, 6, 18))
    assert ApprovalCase.objects.with_days_left(TODAY).get(pk=world.case_b.pk).light == Light.GREEN


def test_rule_table_validation(world):
    rule = LightRule(district=world.district_a, subject=Subject.SCHEDULE, yellow_gap=30, red_gap=20)
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "red_gap" in exc.value.message_dict
    steps = EscalationRule(district=world.district_a, to_manager=6, to_leader=3)
    with pytest.raises(ValidationError):
        steps.full_clean()


def _notified(user) -> int:
    return Notification.objects.filter(recipient=user, verb="signal.escalated").count()


def test_escalation_climbs_the_chain_in_working_days(world):
    _due(world.case_a, datetime.date(2026, 6, 12))  # red since Saturday 13 June
    services.refresh_signals(TODAY)
    # Monday 15 June: 1 working day red → the project secretary.
    assert services.escalate(TODAY) == 1
    assert _signal(world.case_a).level == Level.SECRETARY
    assert _notified(world.user_secretary) == 1 and _notified(world.user_manager) == 0
    assert services.escalate(TODAY) == 0  # told once
    # Tuesday: 2 working days → the project manager.
    assert services.escalate(datetime.date(2026, 6, 16)) == 1
    assert _signal(world.case_a).level == Level.MANAGER
    assert _notified(world.user_manager) == 1
    # The holiday (19–21 June) does not count: on Sunday it is still 4 working days.
    assert services.escalate(datetime.date(2026, 6, 21)) == 0
    # Monday 22 June: 5 working days → the leader in charge (the designated leader).
    assert services.escalate(datetime.date(2026, 6, 22)) == 1
    assert _signal(world.case_a).level == Level.LEADER
    # 10 working days → the joint meeting: its organisers are told.
    assert services.escalate(datetime.date(2026, 6, 29)) == 1
    signal = _signal(world.case_a)
    assert (signal.level, signal.escalated_on) == (Level.MEETING, datetime.date(2026, 6, 29))
    assert _notified(world.user_supervisor) == 1
    assert services.escalate(datetime.date(2026, 7, 30)) == 0


def test_the_districts_escalation_steps_are_used(world):
    EscalationRule.objects.create(
        district=world.district_a, to_secretary=0, to_manager=1, to_leader=1, to_meeting=30
    )
    _due(world.case_a, datetime.date(2026, 6, 12))
    services.refresh_signals(TODAY)
    services.escalate(TODAY)
    assert _signal(world.case_a).level == Level.LEADER


def test_project_light_is_the_worst_of_its_items(world):
    def light(project):
        return Project.objects.annotate(light=project_light()).get(pk=project.pk).light

    assert light(world.project1_a) == Light.GREEN
    _due(world.case_a, datetime.date(2026, 6, 16))
    services.refresh_signals(TODAY)
    assert light(world.project1_a) == Light.YELLOW
    _due(world.case_a, datetime.date(2026, 6, 12))
    services.refresh_signals(TODAY)
    assert light(world.project1_a) == Light.RED
    assert light(world.project2_a) == Light.GREEN


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 1, 1), Decimal("1000")),
        (datetime.date(2026, 7, 2), Decimal("2000")),  # half way: 182 of 364 days
        (datetime.date(2026, 12, 31), Decimal("3000")),
    ],
)
def test_planned_progress_is_linear_between_points(today, expected):
    planned = planned_to_date(
        today,
        datetime.date(2026, 1, 1),
        Decimal("1000"),
        datetime.date(2026, 12, 31),
        Decimal("3000"),
    )
    assert planned.quantize(Decimal("1")) == expected


def test_the_last_point_holds_when_there_is_no_next():
    planned = planned_to_date(
        datetime.date(2027, 3, 1), datetime.date(2026, 12, 31), Decimal("5"), None, None
    )
    assert planned == Decimal("5")


def test_daily_scan_twice_changes_nothing_the_second_time(world):
    _due(world.case_a, datetime.date(2026, 6, 12))
    _due(world.case_out_a, datetime.date(2026, 6, 16))
    first = io.StringIO()
    call_command("daily_scan", stdout=first)
    assert "signals: created 2, updated 0, removed 0" in first.getvalue()
    assert "escalation: escalated 2" in first.getvalue()
    notes = Notification.objects.count()
    second = io.StringIO()
    call_command("daily_scan", stdout=second)
    assert "signals: created 0, updated 0, removed 0" in second.getvalue()
    assert "escalation: escalated 0" in second.getvalue()
    assert Notification.objects.count() == notes


def test_daily_scan_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily_scan", "--date", "15/06/2026", stdout=io.StringIO())


def test_the_board_lists_red_before_yellow(world, client_for):
    from django.urls import reverse

    _due(world.case_a, datetime.date(2026, 6, 16))  # yellow
    _due(world.case_out_a, datetime.date(2026, 6, 12))  # red
    services.refresh_signals(TODAY)
    html = client_for("bureau").get(reverse("monitoring:board")).content.decode()
    assert html.index('data-light="red"') < html.index('data-light="yellow"')


@pytest.mark.parametrize("subject", [Subject.INSPECTION, Subject.WARNING])
def test_the_rule_table_takes_inspections_and_exit_warnings(world, subject):
    data = {
        "district": world.district_a.pk,
        "subject": subject,
        "yellow_workdays": 3,
        "yellow_gap": 10,
        "red_gap": 30,
    }
    form = LightRuleForm(data)
    assert form.is_valid(), form.errors
    form.save()
    assert LightRule.objects.get(district=world.district_a, subject=subject).yellow_workdays == 3
    assert not LightRuleForm(data).is_valid()  # one rule per subject and district


@pytest.mark.parametrize(
    "name",
    [
        "approvals:case",
        "service:need",
        "meetings:action_item",
        "complaints:detail",
        "inspections:detail",
        "exits:detail",
        "land:campaign",
        "agreements:obligation",
        "agreements:commitment",
        "agreements:project",
    ],
)
def test_a_sources_link_is_the_reversed_url(name):
    """The sources reverse each link once (``url_of``) and fill in the id: the same text
    as ``reverse`` gives for every id."""
    from django.urls import reverse

    from zhaoshang.core.links import url_of

    link = url_of(name)
    for pk in (1, 7, 42, 987654321, 10**12):
        assert link(pk) == reverse(name, args=[pk])


def test_the_obligations_source_reads_plain_rows_as_the_objects_read(world):
    """The obligations' source builds its rows from plain values (a blank title phrased on
    an unsaved obligation): the same rows as read off the obligations themselves."""
    from django.urls import reverse

    from zhaoshang.agreements.choices import ObligationKind, Party
    from zhaoshang.agreements.models import Agreement, Obligation
    from zhaoshang.monitoring.sources import LIT, obligations

    today = datetime.date(2026, 6, 15)
    project = world.project1_a
    agreement = Agreement.objects.create(
        district=project.district,
        project=project,
        number="XY-SRC",
        signed_on=datetime.date(2025, 1, 1),
        government_party="区人民政府",
        enterprise_party="投资方",
        contracted_investment=Decimal(10000),
        created_by=world.user_bureau,
    )
    for i, (kind, title, fields) in enumerate(
        [
            (ObligationKind.FUNDS, "", {"target_amount": Decimal(3000)}),
            (ObligationKind.STAGE, "", {"target_stage": "started"}),
            (ObligationKind.TAX, "", {"target_amount": Decimal(12)}),
            (ObligationKind.SERVICE, "", {"target_text": "三通一平"}),
            (ObligationKind.JOBS, "招工百人" * 30, {"target_amount": Decimal(100)}),
        ]
    ):
        for due in (today - datetime.timedelta(days=10 + i), today):
            Obligation.objects.create(
                district=project.district,
                agreement=agreement,
                party=Party.ENTERPRISE,
                kind=kind,
                title=title,
                due_on=due,
                **fields,
            )
    with translation.override("zh-hans"):
        rows = list(obligations(today))
        expected = [
            (
                ob.pk,
                ob.district_id,
                ob.agreement.project_id,
                ob.department_id,
                str(ob.description)[:200],
                reverse("agreements:obligation", args=[ob.pk]),
                ob.due_on,
                None,
                ob.light,
            )
            for ob in Obligation.objects.with_status(today)
            .filter(light__in=LIT)
            .select_related("agreement")
            .order_by("pk")
        ]
    assert len(expected) == 10
    assert rows == expected


def _target_by_age(district_ids, today: datetime.date):
    """The escalation's step as it was judged before (the signal's age in working days
    looked up in each step's condition): the reference ``services._target`` must match."""
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.lookups import GreaterThanOrEqual

    from zhaoshang.monitoring.choices import DEFAULT_ESCALATION
    from zhaoshang.workdays.querysets import workday_seq
    from zhaoshang.workdays.services import seq_of

    rules = {r.district_id: r.after() for r in EscalationRule.objects.all()}
    age = Value(seq_of(today)) - workday_seq("since")

    def reached(steps):
        return Case(
            *[
                When(GreaterThanOrEqual(age, Value(after)), then=Value(level))
                for level, after in sorted(steps.items(), reverse=True)
            ],
            default=Value(Level.NONE),
            output_field=IntegerField(),
        )

    return Case(
        *[When(district_id=d, then=reached(steps)) for d, steps in sorted(rules.items())],
        default=reached(dict(DEFAULT_ESCALATION)),
        output_field=IntegerField(),
    )


def test_the_escalation_step_by_dates_is_the_step_by_age(world):
    """Each step judged by a date comparison (``_target``) reaches what the signal's age in
    working days reaches, across a holiday, weekends, a district's own rule, the first
    step at 0 days, and a ``since`` before the working-day index (no age: no step)."""
    EscalationRule.objects.create(
        district=world.district_a, to_secretary=1, to_manager=3, to_leader=4, to_meeting=7
    )
    _due(world.case_a, datetime.date(2026, 6, 12))
    _due(world.case_b, datetime.date(2026, 6, 11))  # another district: the default steps
    services.refresh_signals(TODAY)
    signals = Signal.objects.filter(subject=Subject.CASE)
    assert {s.district_id for s in signals} == {world.district_a.pk, world.case_b.district_id}
    assert world.case_b.district_id != world.district_a.pk
    sinces = [datetime.date(2026, 5, 25) + datetime.timedelta(days=i) for i in range(45)]
    sinces.append(datetime.date(1999, 1, 1))
    compared = 0
    for today in (TODAY, datetime.date(2026, 6, 21), datetime.date(2026, 6, 22)):
        for since in sinces:
            signals.update(since=since)
            rows = signals.annotate(
                new=services._target(None, today), old=_target_by_age(None, today)
            ).values_list("new", "old")
            for new, old in rows:
                assert new == old, (today, since)
                compared += 1
    assert compared == 3 * len(sinces) * signals.count()
