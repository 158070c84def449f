"""The signals and their escalation computed by the database (issue 19) write what the rows
compared one by one in Python write: ``refresh_signals`` (``monitoring.refresh``: the lit
rows by ``INSERT … SELECT``, the difference by ``DELETE``, ``UPDATE … FROM`` and
``INSERT … SELECT``) against the comparison it replaced, and the step each signal's age
reaches (``services._target``, in SQL) against the rule read in Python."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import services
from zhaoshang.monitoring.choices import Level, Subject
from zhaoshang.monitoring.models import EscalationRule, LightRule, Signal
from zhaoshang.monitoring.sources import SOURCES, content_type_of
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate
from zhaoshang.workdays import services as workdays

D = datetime.date
FIELDS = (
    "district_id",
    "project_id",
    "department_id",
    "title",
    "url",
    "due_on",
    "gap",
    "light",
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _refresh_in_python(today: datetime.date) -> tuple[int, int, int]:
    """The comparison ``refresh_signals`` made before (each subject's lit rows against the
    stored signals, in Python), writing with the ORM."""
    created = updated = removed = 0
    for subject, source in SOURCES.items():
        lit = {row[0]: row for row in source(today)}
        stored = {
            row[0]: row[1:]
            for row in Signal.objects.filter(subject=subject).values_list(
                "object_id", "pk", *FIELDS
            )
        }
        gone = [row[0] for object_id, row in stored.items() if object_id not in lit]
        removed += Signal.objects.filter(pk__in=gone).delete()[0]
        for object_id, row in sorted(lit.items()):
            values = dict(zip(FIELDS, row[1:], strict=True))
            signal = stored.get(object_id)
            if signal is None:
                due = values["due_on"]
                since = (
                    due + datetime.timedelta(days=1)
                    if values["light"] == Light.RED and due is not None and due < today
                    else today
                )
                Signal.objects.create(
                    subject=subject,
                    content_type=content_type_of(subject),
                    object_id=object_id,
                    since=since,
                    checked_on=today,
                    **values,
                )
                created += 1
            elif signal[1:] != row[1:]:
                Signal.objects.filter(pk=signal[0]).update(checked_on=today, **values)
                updated += 1
    return created, updated, removed


def _signals() -> list[tuple]:
    return sorted(
        Signal.objects.values_list(
            "subject",
            "content_type_id",
            "object_id",
            *FIELDS,
            "since",
            "checked_on",
            "level",
            "escalated_on",
            "unassigned",
        )
    )


def _both_ways(today: datetime.date):
    with transaction.atomic():
        counted = _refresh_in_python(today)
        expected = _signals()
        transaction.set_rollback(True)
    result = services.refresh_signals(today)
    assert (result.created, result.updated, result.removed) == counted
    assert _signals() == expected
    return expected


def test_the_refresh_in_sql_writes_what_the_rows_compared_in_python_write(world, _frozen_time):
    populate(world, _frozen_time)
    # a wider yellow window in one district, so the rule table is read per district
    LightRule.objects.create(district=world.district_b, subject=Subject.CASE, yellow_workdays=5)
    # a narrow schedule gap, so the investment schedule (rows computed in Python) is lit
    LightRule.objects.create(
        district=world.district_a, subject=Subject.SCHEDULE, yellow_gap=1, red_gap=5
    )
    ApprovalCase.objects.filter(pk=world.case_b.pk).update(due_on=D(2026, 7, 8))
    first = _both_ways(SCAN_DAY)
    subjects = {row[0] for row in first}
    assert {Subject.CASE, Subject.OBLIGATION, Subject.MILESTONE, Subject.ACTION_ITEM} <= subjects
    assert {Subject.SCHEDULE, Subject.CLEANUP} <= subjects
    assert any(row[-6] == Light.YELLOW for row in first) and any(
        row[-6] == Light.RED for row in first
    )
    # the next working day: days left move, a case is done (its light goes), another is
    # lit anew, a title changes
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status=CaseStatus.DONE, done_on=D(2026, 7, 3)
    )
    ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(due_on=D(2026, 7, 7))
    world.project1_b.__class__.objects.filter(pk=world.project1_b.pk).update(name="改名项目")
    second = _both_ways(D(2026, 7, 6))
    assert second != first
    assert services.refresh_signals(D(2026, 7, 6)).changed == 0  # the same day again


def test_the_step_a_signals_age_reaches_is_the_rule_read_in_python(world):
    """``_target`` (SQL) gives each signal the step ``escalation_steps`` gives its age in
    working days (weekends and the Dragon Boat holiday do not count), in a district with
    its own rule and in one with the defaults."""
    EscalationRule.objects.create(
        district=world.district_a, to_secretary=0, to_manager=2, to_leader=3, to_meeting=7
    )
    today = D(2026, 6, 29)
    since_days = [D(2026, 6, 29) - datetime.timedelta(days=n) for n in range(0, 40)]
    project = {world.district_a.pk: world.project1_a, world.district_b.pk: world.project1_b}
    signals = [
        Signal(
            district_id=district_id,
            subject=Subject.CASE,
            content_type=content_type_of(Subject.CASE),
            object_id=1000 * district_id + i,
            project=project[district_id],
            title="t",
            light=Light.RED,
            since=since,
            checked_on=today,
        )
        for district_id in project
        for i, since in enumerate(since_days)
    ]
    Signal.objects.bulk_create(signals)
    got = dict(
        Signal.objects.annotate(target=services._target(None, today)).values_list("pk", "target")
    )
    for signal in Signal.objects.all():
        steps = services.escalation_steps(signal.district_id)
        age = workdays.workdays_between(signal.since, today)
        expected = max((lvl for lvl, after in steps.items() if age >= after), default=Level.NONE)
        assert got[signal.pk] == expected, (signal.district_id, signal.since, age)
    assert set(got.values()) >= set(Level.values) - {Level.NONE}


def test_the_lit_rows_carry_each_districts_yellow_window_in_the_statement(world, _frozen_time):
    """The refresh writes each district's yellow window into its statements
    (``core.lights.windows_in_statement``): no lookup of the rule per row, the same lights
    (the test above compares them with a wider window in one district)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhaoshang.core.lights import windows_in_statement

    populate(world, _frozen_time)
    LightRule.objects.create(district=world.district_b, subject=Subject.CASE, yellow_workdays=5)
    with_query = [s for s, source in SOURCES.items() if source.query is not None]
    assert Subject.CASE in with_query
    for subject in with_query:
        query = SOURCES[subject].query
        with windows_in_statement():
            inside = str(query(SCAN_DAY, None).query)
        assert "monitoring_lightrule" not in inside, subject
    assert "monitoring_lightrule" in str(SOURCES[Subject.CASE].query(SCAN_DAY, None).query)
    with CaptureQueriesContext(connection) as ctx:
        services.refresh_signals(SCAN_DAY)
    filled = [q["sql"] for q in ctx.captured_queries if "INSERT INTO zs_lit" in q["sql"]]
    assert filled and not [sql for sql in filled if "monitoring_lightrule" in sql]
