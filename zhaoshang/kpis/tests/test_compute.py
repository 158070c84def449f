"""Each KPI of SPEC §12 on a small hand-built world, against hand-computed values.

The cohort of 2025 (today is 2026-06-15, so the cut-off is 2025-12-31):

- P1 signed 2025-01-01 (the first day counts), park 1, major, 1000: registered 02-01,
  started 05-01, in production 10-01, at capacity 12-31 (the last day counts); agreement
  of 1000 with "started by 2025-06-30" (met); funds 300 on 2025-03-01 and 200 on
  2026-01-05 (after the year); two cases done: 03-01 due 03-10 (on time), 04-10 due 04-01
  (late);
- P2 signed 2025-12-31, park 2, 500: registered 2026-01-10 (after the year: not counted);
  agreement of 500 with "funds of 1000 by 2025-12-30" (missed); funds 100 on 2025-12-31;
- P3 signed 2025-06-01, park 1, 2000: registered 07-01, started 08-01, in production
  2026-02-01 (after the year); no agreement; cases done 2025-09-01 due 09-01 (on time, the
  due date counts) and 2026-01-10 (after the year);
- P4 signed 2024-12-31 and P5 signed 2026-01-01 are outside the cohort; P6 is a lead.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhaoshang.kpis import services
from zhaoshang.kpis.tests.factories import (
    D,
    add_agreement,
    add_case,
    add_funds,
    funds_of,
    make_project,
    started_by,
)
from zhaoshang.projects.models import Project


@pytest.fixture
def hand(world):
    p1 = make_project(
        world,
        signed_on=D(2025, 1, 1),
        level="major",
        total_investment=Decimal("1000"),
        registered_on=D(2025, 2, 1),
        started_on=D(2025, 5, 1),
        production_on=D(2025, 10, 1),
        capacity_on=D(2025, 12, 31),
        working_group=world.group_a,
    )
    add_agreement(world, p1, "1000", obligations=[started_by(D(2025, 6, 30))])
    add_funds(world, p1, "300", D(2025, 3, 1))
    add_funds(world, p1, "200", D(2026, 1, 5))
    add_case(world, p1, world.item_works_a, due_on=D(2025, 3, 10), done_on=D(2025, 3, 1))
    add_case(world, p1, world.item_land_a, due_on=D(2025, 4, 1), done_on=D(2025, 4, 10))
    p2 = make_project(
        world,
        signed_on=D(2025, 12, 31),
        park=world.park2_a,
        total_investment=Decimal("500"),
        registered_on=D(2026, 1, 10),
    )
    add_agreement(world, p2, "500", obligations=[funds_of("1000", D(2025, 12, 30))])
    add_funds(world, p2, "100", D(2025, 12, 31))
    p3 = make_project(
        world,
        signed_on=D(2025, 6, 1),
        industry=world.industry2_a,
        total_investment=Decimal("2000"),
        registered_on=D(2025, 7, 1),
        started_on=D(2025, 8, 1),
        production_on=D(2026, 2, 1),
    )
    add_case(world, p3, world.item_works_a, due_on=D(2025, 9, 1), done_on=D(2025, 9, 1))
    add_case(world, p3, world.item_land_a, due_on=D(2026, 1, 20), done_on=D(2026, 1, 10))
    p4 = make_project(world, signed_on=D(2024, 12, 31), registered_on=D(2025, 1, 5))
    p5 = make_project(world, signed_on=D(2026, 1, 1))
    p6 = make_project(world)
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6}


def _mine():
    return Project.objects.filter(code__startswith="KPI-")


def R(text):
    return Decimal(text)


def test_every_kpi_of_the_year(hand):
    k = services.compute(_mine(), 2025)
    assert k.period.cutoff == D(2025, 12, 31)
    assert k.signed_count == 3
    assert k.signed_investment == R("3500")
    assert (k.registered, k.registered_rate) == (2, R("0.6667"))
    assert (k.started, k.start_rate) == (2, R("0.6667"))
    assert (k.in_production, k.production_rate) == (1, R("0.3333"))
    assert (k.at_capacity, k.capacity_rate) == (1, R("1.0000"))
    assert (k.performing, k.performance_rate) == (1, R("0.3333"))
    assert (k.funds_in_place, k.contracted_investment) == (R("400"), R("1500"))
    assert k.funds_in_place_rate == R("0.2667")
    assert (k.cases_on_time, k.cases_done, k.on_time_rate) == (2, 3, R("0.6667"))


def test_as_of_earlier_than_the_year_end(hand):
    """As of 2025-06-30: P2 is not signed yet, P3 not registered yet, no case of P3 done."""
    k = services.compute(_mine(), 2025, as_of=D(2025, 6, 30))
    assert k.period.cutoff == D(2025, 6, 30)
    assert (k.signed_count, k.signed_investment) == (2, R("3000"))
    assert k.registered_rate == R("0.5")
    assert k.start_rate == R("0.5")
    assert k.production_rate == R("0")
    assert k.capacity_rate is None  # nothing in production: no rate, not 0 %
    assert k.performance_rate == R("0.5")
    assert k.funds_in_place_rate == R("0.3")
    assert k.on_time_rate == R("0.5")


def test_the_next_year_starts_on_1_january(hand):
    k = services.compute(_mine(), 2026)
    assert k.signed_count == 1  # P5 only
    assert k.period.cutoff == D(2026, 6, 15)  # today


def test_zero_denominators_are_none(hand):
    k = services.compute(_mine(), 2020)
    assert (k.signed_count, k.signed_investment) == (0, R("0"))
    for name in services.RATE_NAMES:
        assert getattr(k, name) is None, name


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"park": "park1_a"}, {"signed_count": 2, "signed_investment": R("3000")}),
        ({"park": "park2_a"}, {"signed_count": 1, "funds_in_place_rate": R("0.2")}),
        ({"industry": "industry2_a"}, {"signed_count": 1, "start_rate": R("1")}),
        ({"working_group": "group_a"}, {"signed_count": 1, "performance_rate": R("1")}),
        ({"level": "major"}, {"signed_count": 1, "on_time_rate": R("0.5")}),
        ({"level": "key"}, {"signed_count": 0, "registered_rate": None}),
    ],
)
def test_filters(world, hand, filters, expected):
    values = {k: (getattr(world, v) if k != "level" else v) for k, v in filters.items()}
    k = services.compute(services.filter_projects(_mine(), **values), 2025)
    for name, value in expected.items():
        assert getattr(k, name) == value, name


def test_grouped_by_district_matches_the_single_figures(world, hand):
    make_project(world, "b", signed_on=D(2025, 3, 1), registered_on=D(2025, 4, 1))
    grouped = services.compute_by(_mine(), 2025, "district")
    assert set(grouped) == {world.district_a.pk, world.district_b.pk}
    single = services.compute(_mine().filter(district=world.district_a), 2025)
    assert grouped[world.district_a.pk] == single
    assert grouped[world.district_b.pk].registered_rate == R("1")


def test_the_number_of_queries_does_not_depend_on_the_projects(
    world, hand, django_assert_num_queries
):
    with django_assert_num_queries(5):
        services.compute(_mine(), 2025)
    for _i in range(10):
        make_project(world, signed_on=D(2025, 5, 5), started_on=D(2025, 6, 1))
    with django_assert_num_queries(5):
        services.compute(_mine(), 2025)


@pytest.mark.parametrize("kpi", services.KPI_NAMES)
def test_drill_down_lists_match_the_figures(hand, kpi):
    k = services.compute(_mine(), 2025)
    numerator, denominator = k.parts(kpi)
    rows = list(services.drill(_mine(), 2025, kpi, "numerator"))
    if kpi == "signed_investment":
        assert sum(p.investment_then for p in rows) == numerator
    elif kpi == "funds_in_place_rate":
        assert sum(p.funds_to_cutoff for p in rows) == numerator
    elif kpi == "on_time_rate":
        assert sum(p.cases_on_time for p in rows) == numerator
    else:
        assert len(rows) == numerator
    if denominator is None:
        return
    rows = list(services.drill(_mine(), 2025, kpi, "denominator"))
    if kpi == "funds_in_place_rate":
        assert sum(p.contracted for p in rows) == denominator
    elif kpi == "on_time_rate":
        assert sum(p.cases_done for p in rows) == denominator
    else:
        assert len(rows) == denominator


def test_a_term_cohort_counts_the_projects_signed_from_since_to_the_year(hand):
    """2024–2026, as of today (2026-06-15): P4, P1, P2, P3 and P5. P3 went into production
    in 2026: not counted in the 2025 cohort (cut off at 2025-12-31), counted here."""
    k = services.compute(_mine(), 2026, since=2024)
    assert (k.period.start, k.period.cutoff, k.period.label) == (
        D(2024, 1, 1),
        D(2026, 6, 15),
        "2024–2026",
    )
    assert k.signed_count == 5
    assert (k.registered, k.registered_rate) == (4, R("0.8"))  # P4, P1, P2 (2026), P3
    assert (k.started, k.start_rate) == (2, R("0.4"))
    assert (k.in_production, k.production_rate) == (2, R("0.4"))
    assert (k.at_capacity, k.capacity_rate) == (1, R("0.5"))
    rows = services.drill(_mine(), 2026, "production_rate", "numerator", since=2024)
    assert set(rows.values_list("pk", flat=True)) == {hand["p1"].pk, hand["p3"].pk}


def test_a_term_of_one_year_is_that_year(hand):
    assert services.compute(_mine(), 2025, since=2025) == services.compute(_mine(), 2025)
    assert services.Period.of(2025, since=2025).label == "2025"
    with pytest.raises(ValueError):
        services.Period.of(2025, since=2026)
