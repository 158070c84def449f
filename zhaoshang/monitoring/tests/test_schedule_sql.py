"""The investment schedule's signals (序时进度) written by the daily scan — the gaps of the
agreements without a point to interpolate between computed by the database in integers,
the others in Python (``schedule_sql.fill``) — are those every agreement's
``Decimal`` gap computed in Python gives (``sources._schedules``): half-even ties, the
yellow and red bounds, gaps at zero and below, no funds, several points, waived points,
both measures, days before, inside and after the schedules, two districts and their
rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from zhaoshang.agreements import services as agreements
from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Agreement, Obligation
from zhaoshang.agreements.tests.conftest import header, standard_terms
from zhaoshang.kpis.tests.factories import make_project
from zhaoshang.monitoring import schedule_sql, sources
from zhaoshang.monitoring.choices import Subject
from zhaoshang.monitoring.models import LightRule, Signal
from zhaoshang.monitoring.refresh import refresh_subject
from zhaoshang.projects.models import FundsEntry, MonthlyReport

D = datetime.date
M = Decimal
FIELDS = sources.COLUMNS  # (a lit row's columns, as the refresh writes them)

# (contracted investment, funds points [(due, amount)], funds received [(day, amount)],
#  investment points, cumulative investment reported [(month, amount)])
CASES = [
    # one point, gaps at the half-even ties of the bounds (10 and 30 points; b: 5 and 20)
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("300.50"))], [], []),  # 9.95
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("301.50"))], [], []),  # 9.85
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("99.50"))], [], []),  # 30.05
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("98.50"))], [], []),  # 30.15
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("177.50"))], [], []),  # 22.25
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("349.50"))], [], []),  # 5.05
    (M("1000"), [(D(2026, 3, 31), M("400"))], [(D(2026, 2, 1), M("348.50"))], [], []),  # 5.15
    # uneven cents, a gap of exactly the bound, at zero and below, no funds
    (M("333.33"), [(D(2026, 1, 31), M("200"))], [(D(2026, 1, 5), M("100"))], [], []),
    (M("50000"), [(D(2026, 1, 31), M("15000"))], [(D(2026, 1, 5), M("0.01"))], [], []),
    (M("700"), [(D(2026, 1, 31), M("210"))], [(D(2026, 1, 5), M("140"))], [], []),  # 10.0
    (M("700"), [(D(2026, 1, 31), M("210"))], [(D(2026, 1, 5), M("210"))], [], []),  # 0
    (M("700"), [(D(2026, 1, 31), M("210"))], [(D(2026, 1, 5), M("900"))], [], []),  # < 0
    (M("12345.67"), [(D(2026, 4, 30), M("9876.54"))], [], [], []),
    (M("0.03"), [(D(2026, 4, 30), M("0.02"))], [], [], []),
    # several funds points: before the first, between two (interpolated), after the last,
    # funds received in several entries, some after the day
    (
        M("20000"),
        [(D(2026, 5, 31), M("1000")), (D(2026, 12, 31), M("20000"))],
        [(D(2026, 5, 1), M("100.10")), (D(2026, 6, 1), M("200.20")), (D(2027, 1, 2), M("5"))],
        [],
        [],
    ),
    (
        M("3000"),
        [(D(2026, 2, 28), M("500")), (D(2026, 8, 31), M("1500")), (D(2027, 2, 28), M("3000"))],
        [(D(2026, 2, 1), M("333.33"))],
        [],
        [],
    ),
    # both measures: the worse counts; investment alone; investment between two points
    (
        M("10000"),
        [(D(2026, 2, 28), M("2000"))],
        [(D(2026, 2, 1), M("1500"))],
        [(D(2026, 3, 31), M("4000"))],
        [(D(2026, 5, 1), M("1234.56"))],
    ),
    (M("10000"), [], [], [(D(2026, 3, 31), M("4000"))], [(D(2026, 5, 1), M("3650"))]),
    (
        M("10000"),
        [(D(2026, 2, 28), M("2000"))],
        [],
        [(D(2026, 3, 31), M("4000")), (D(2027, 3, 31), M("9000"))],
        [(D(2026, 5, 1), M("100"))],
    ),
]

DAYS = [D(2026, 1, 15), D(2026, 7, 3), D(2026, 9, 1), D(2027, 6, 1), D(2028, 1, 1)]


def _build(world) -> None:
    for tag in ("a", "b"):
        user = world.user_bureau if tag == "a" else world.user_bureau_b
        for n, (total, funds, received, invest, reported) in enumerate(CASES):
            project = make_project(world, tag, signed_on=D(2026, 1, 2), name=f"进度{tag}{n}")
            agreement = agreements.save_agreement(
                user,
                project,
                fields=header(project, number=f"SCH-{tag}-{n}", contracted_investment=total),
                terms=standard_terms(),
                schedule=funds or [(D(2030, 1, 1), M("1"))],
            )
            if not funds:
                agreement.obligations.filter(kind=ObligationKind.FUNDS).delete()
            template = agreement.obligations.first()
            for due, amount in invest:
                template.pk = None
                template.kind, template.due_on, template.target_amount = (
                    ObligationKind.INVESTMENT,
                    due,
                    amount,
                )
                template.term = ""
                template.save()
            for day, amount in received:
                FundsEntry.objects.create(
                    project=project,
                    received_on=day,
                    amount=amount,
                    origin="in_city",
                    use="fixed_assets",
                    recorded_by=user,
                )
            for month, amount in reported:
                MonthlyReport.objects.create(
                    project=project,
                    month=month,
                    investment_this_month=amount,
                    investment_cumulative=amount,
                    funds_this_month=0,
                    image_progress="施工中",
                    submitted_by=user,
                    submitted_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC),
                )
    # a waived point is no point; a point without a target stops the schedule
    last = Agreement.objects.filter(district=world.district_a).order_by("-pk").first()
    Obligation.objects.filter(agreement=last, kind=ObligationKind.INVESTMENT).update(
        waived_on=D(2026, 1, 10)
    )
    middle = Obligation.objects.filter(
        agreement__district=world.district_b, due_on=D(2026, 8, 31), kind=ObligationKind.FUNDS
    )
    assert middle.update(target_amount=None) == 1
    LightRule.objects.update_or_create(
        district=world.district_b,
        subject=Subject.SCHEDULE,
        defaults={"yellow_gap": 5, "red_gap": 20},
    )


def _stored() -> dict:
    names = ("object_id", *FIELDS[1:])
    return {
        row[0]: row for row in Signal.objects.filter(subject=Subject.SCHEDULE).values_list(*names)
    }


@pytest.mark.django_db
def test_the_schedules_gaps_in_sql_are_the_decimal_gaps(world, monkeypatch):
    _build(world)
    in_python = []
    lit_schedules = sources._lit_schedules

    def counted(today, rows):
        rows = list(rows)
        in_python.extend(rows)
        return lit_schedules(today, rows)

    monkeypatch.setattr(sources, "_lit_schedules", counted)
    seen_sql = seen_python = 0
    lights = set()
    for today in DAYS:
        in_python.clear()
        refresh_subject(Subject.SCHEDULE, today)
        stored = _stored()
        computed_in_python = len(in_python)
        python_rows = list(sources.SOURCES[Subject.SCHEDULE](today))  # every agreement
        assert stored == {row[0]: tuple(row) for row in python_rows}, today
        seen_python += computed_in_python
        seen_sql += len(stored)
        lights |= {row[-1] for row in stored.values()}
        # a second refresh on the day writes nothing
        assert refresh_subject(Subject.SCHEDULE, today) == (0, 0, 0)
    # both ways were used, and lit both colours
    assert seen_python > 0 and seen_sql > seen_python
    assert lights == {"yellow", "red"}


def test_the_integer_gap_rounds_as_decimal(db):
    """``_tenths`` in the database against ``Decimal.quantize`` for many amounts."""
    from django.db import connection

    cases = []
    for total in (1, 3, 7, 100, 333, 1000, 33333, 99999999, 10**13):
        for planned in (0, 1, 5, 49, 50, 51, 150, 250, 12345, 10**12, 10**13 - 1):
            for done in (0, 1, 25, 50, 12345):
                cases.append((planned, done, total))
    sql = " UNION ALL ".join(
        f"SELECT {p} AS p, {d} AS d, {t} AS t, {schedule_sql.tenths(str(p), str(d), str(t))} AS g"
        for p, d, t in cases
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        got = {(p, d, t): g for p, d, t, g in cursor.fetchall()}
    checked = 0
    for p, d, t in cases:
        gap = ((M(p) / 100 - M(d) / 100) / (M(t) / 100) * 100).quantize(M("0.1"))
        if p <= d or (p - d) // t >= 10**6:
            assert got[(p, d, t)] is None
        else:
            assert M(got[(p, d, t)]) / 10 == gap, (p, d, t)
            checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_each_agreement_takes_its_districts_gaps_written_into_the_statement(world):
    """The schedule's yellow and red gaps are each district's (its 亮灯规则, else the
    defaults), read once and written into the statement: no lookup of the rule per
    agreement."""
    from zhaoshang.core.lights import DEFAULT_RED_GAP, DEFAULT_YELLOW_GAP

    _build(world)
    a, b = world.district_a.pk, world.district_b.pk
    LightRule.objects.filter(district_id=a, subject=Subject.SCHEDULE).delete()
    base = sources._schedule_base(DAYS[0])
    gaps = {(d, y, r) for d, y, r in base.values_list("district_id", "yellow", "red")}
    assert gaps == {(a, DEFAULT_YELLOW_GAP, DEFAULT_RED_GAP), (b, 5, 20)}
    assert {d for d, *_ in sources._schedule_base(DAYS[0], [b]).values_list("district_id")} == {b}
    assert "monitoring_lightrule" not in str(base.query)


@pytest.mark.django_db
def test_the_schedules_table_reads_each_point_by_its_key(world):
    """The daily scan's table of the schedules reads each measure's last and next point by
    its key (one lookup of the key, then the row by it), not one lookup of the point for
    each of its date and amount; the test above checks the rows are the same."""
    from django.db import connection

    _build(world)
    with connection.cursor() as cursor:
        sql, _params = schedule_sql.schedule_table(connection, cursor, DAYS[1], None)
    table = connection.ops.quote_name("agreements_obligation")
    assert sql.count(f"FROM {table}") == 4  # the key of each measure's two points
    assert sql.count(f"LEFT JOIN {table}") == 4  # each point's row by its key
