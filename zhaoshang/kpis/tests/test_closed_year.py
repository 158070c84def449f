"""A closed year's KPIs are those of its last day (issue 16 point 7): an obligation met or
waived after the year, or an agreement signed after it, does not move the year's figures.

Today is 2026-06-15; the cohort of 2025 (cut-off 2025-12-31):

- P1 signed 2025-03-01, agreement of 1000 signed then: "started by 2025-09-30"; it has
  not started at first (missed at the cut-off); later it starts on 2026-02-10 (met late);
- P2 signed 2025-05-01, agreement of 500: "funds of 100 by 2025-11-30", 100 arrived on
  2025-11-20 (met);
- P3 signed 2025-06-01, agreement of 200: "funds of 50 by 2025-10-31", none arrived
  (missed at the cut-off); waived on 2026-03-01;
- P4 signed 2025-12-20, its agreement of 300 signed only on 2026-01-05 (no obligation);
  50 arrived on 2025-12-25.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhaoshang.agreements.models import Agreement, Obligation
from zhaoshang.kpis import services
from zhaoshang.kpis.tests.factories import (
    D,
    add_agreement,
    add_funds,
    funds_of,
    make_project,
    started_by,
)
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project


@pytest.fixture
def closed(world):
    p1 = make_project(world, signed_on=D(2025, 3, 1))
    add_agreement(world, p1, "1000", obligations=[started_by(D(2025, 9, 30))])
    p2 = make_project(world, signed_on=D(2025, 5, 1))
    add_agreement(world, p2, "500", obligations=[funds_of("100", D(2025, 11, 30))])
    add_funds(world, p2, "100", D(2025, 11, 20))
    p3 = make_project(world, signed_on=D(2025, 6, 1))
    add_agreement(world, p3, "200", obligations=[funds_of("50", D(2025, 10, 31))])
    p4 = make_project(world, signed_on=D(2025, 12, 20))
    add_agreement(world, p4, "300")
    Agreement.objects.filter(project=p4).update(signed_on=D(2026, 1, 5))
    add_funds(world, p4, "50", D(2025, 12, 25))
    return p1, p2, p3, p4


def _projects(world):
    return Project.objects.filter(district=world.district_a, code__startswith="KPI-")


def _the_late_obligations_are_settled(p1, p3):
    Project.objects.filter(pk=p1.pk).update(stage=Stage.STARTED, started_on=D(2026, 2, 10))
    Obligation.objects.filter(agreement__project=p3).update(waived_on=D(2026, 3, 1))


def test_a_closed_years_performance_rate_does_not_move_when_a_late_obligation_is_met(world, closed):
    p1, _p2, p3, _p4 = closed
    before = services.compute(_projects(world), 2025)
    # performing at 2025-12-31: P2 only (P1 and P3 missed; P4's agreement came in 2026)
    assert (before.performing, before.signed_count) == (1, 4)
    assert before.performance_rate == Decimal("0.2500")  # 1 ÷ 4
    _the_late_obligations_are_settled(p1, p3)
    after = services.compute(_projects(world), 2025)
    assert (after.performing, after.performance_rate) == (1, Decimal("0.2500"))
    # The same cohort as of today: P1 met late and P3 waived are no longer missed, and P4
    # has its agreement: 4 ÷ 4.
    today = services.compute(_projects(world), 2026, since=2025)
    assert (today.performing, today.signed_count) == (4, 4)
    # … and the drill-down of the closed year lists the same one project.
    assert list(services.drill(_projects(world), 2025, "performance_rate", "numerator")) == [
        closed[1]
    ]


def test_a_closed_years_funds_rate_counts_agreements_signed_by_its_end(world, closed):
    kpis = services.compute(_projects(world), 2025)
    # agreements signed by 2025-12-31: P1 1000 + P2 500 + P3 200 = 1700; funds by then on
    # them: P2's 100 (P4's 50 has no agreement yet) → 100 ÷ 1700 = 0.05882…
    assert (kpis.funds_in_place, kpis.contracted_investment) == (Decimal("100"), Decimal("1700"))
    assert kpis.funds_in_place_rate == Decimal("0.0588")
    now = services.compute(_projects(world), 2026, since=2025)
    # as of today P4's agreement counts: 150 ÷ 2000 = 0.075
    assert now.funds_in_place_rate == Decimal("0.0750")


def test_a_closed_years_signed_investment_is_the_investment_of_its_end(world):
    """P signed 2025-03-01 with 100 (recorded then), revised to 300 on 2026-06-15: 2025's
    signed investment stays 100; the 2025–2026 term as of today counts 300."""
    from zhaoshang.core import clock

    with clock.at(D(2025, 3, 1)):
        p = make_project(world, signed_on=D(2025, 3, 1), total_investment=Decimal("100"))
    p.total_investment = Decimal("300")
    p.save()
    assert services.compute(_projects(world), 2025).signed_investment == Decimal("100")
    rows = services.drill(_projects(world), 2025, "signed_investment", "numerator")
    assert [r.investment_then for r in rows] == [Decimal("100")]
    assert services.compute(_projects(world), 2026, since=2025).signed_investment == Decimal("300")


def test_a_closed_years_funds_rate_reads_the_contract_of_its_end(world):
    """An agreement of 1000 recorded on 2025-03-01, amended to 2000 on 2026-02-01; 250
    arrived in 2025: 2025's funds rate is 250 ÷ 1000; as of today 250 ÷ 2000."""
    from zhaoshang.core import clock

    p = make_project(world, signed_on=D(2025, 3, 1))
    with clock.at(D(2025, 3, 1)):
        agreement = add_agreement(world, p, "1000")
    with clock.at(D(2026, 2, 1)):
        agreement.contracted_investment = Decimal("2000")
        agreement.save()
    add_funds(world, p, "250", D(2025, 7, 1))
    closed = services.compute(_projects(world), 2025)
    assert (closed.contracted_investment, closed.funds_in_place_rate) == (
        Decimal("1000"),
        Decimal("0.2500"),
    )
    rows = services.drill(_projects(world), 2025, "funds_in_place_rate", "denominator")
    assert [r.contracted for r in rows] == [Decimal("1000")]
    now = services.compute(_projects(world), 2026, since=2025)
    assert now.funds_in_place_rate == Decimal("0.1250")  # 250 ÷ 2000


def test_a_closed_years_obligation_keeps_the_due_date_it_had_then(world):
    """P signed 2025-03-01, its agreement recorded that day: "funds of 100 by 2025-10-31",
    none arrived by 2025-12-31 (missed at the cut-off). On 2026-02-01 the due date is moved
    to 2026-10-31 (then due_on > the cut-off: read as of today, it would be pending and P
    performing). 2025's performance rate keeps the due date of 2025-12-31: 0 performing ÷ 1
    = 0; the 2025–2026 term as of today (2026-06-15) reads the moved date: 1 ÷ 1."""
    from zhaoshang.core import clock

    p = make_project(world, signed_on=D(2025, 3, 1))
    with clock.at(D(2025, 3, 1)):
        add_agreement(world, p, "1000", obligations=[funds_of("100", D(2025, 10, 31))])
    ob = Obligation.objects.get(agreement__project=p)
    with clock.at(D(2026, 2, 1)):
        ob.due_on = D(2026, 10, 31)
        ob.save()
    closed = services.compute(_projects(world), 2025)
    assert (closed.performing, closed.signed_count) == (0, 1)
    assert closed.performance_rate == Decimal("0")
    rows = services.drill(_projects(world), 2025, "performance_rate", "denominator")
    assert [(r.is_performing, r.obligations_missed) for r in rows] == [(False, 1)]
    now = services.compute(_projects(world), 2026, since=2025)
    assert (now.performing, now.performance_rate) == (1, Decimal("1.0000"))
    then = Obligation.objects.filter(pk=ob.pk).as_then(D(2025, 12, 31)).get()
    assert (then.due_then, then.department_then) == (D(2025, 10, 31), None)
