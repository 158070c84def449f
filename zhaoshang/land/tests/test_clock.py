"""The idle-land clock (闲置土地处置办法): idle one year after the agreed start of
construction, recoverable without compensation after two; the same dates in Python and
in SQL, at month ends and across 29 February; the land contract's agreed start is the date
the rule counts from, the investment agreement's start term when the parcel has none; the
clock stops once the project has started."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from zhaoshang.land.choices import Clock
from zhaoshang.land.clock import add_months, add_years
from zhaoshang.land.models import LandParcel
from zhaoshang.land.tests.factories import make_supplied

D = datetime.date


@pytest.mark.parametrize(
    ("start", "idle", "recoverable"),
    [
        (D(2024, 11, 30), D(2025, 11, 30), D(2026, 11, 30)),
        (D(2024, 8, 31), D(2025, 8, 31), D(2026, 8, 31)),
        (D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28)),
        (D(2023, 2, 28), D(2024, 2, 28), D(2025, 2, 28)),
        (D(2025, 12, 31), D(2026, 12, 31), D(2027, 12, 31)),
    ],
)
def test_thresholds_in_python_and_in_sql(world, start, idle, recoverable):
    assert add_years(start, 1) == idle and add_years(start, 2) == recoverable
    parcel = make_supplied(world, agreed_start_on=start)
    row = LandParcel.objects.with_clock(D(2026, 6, 15)).get(pk=parcel.pk)
    assert (row.idle_from, row.recoverable_from) == (idle, recoverable)
    fresh = LandParcel.objects.get(pk=parcel.pk)  # without the annotations: Python
    assert fresh.clock(D(2026, 6, 15)) == row.clock(D(2026, 6, 15))


def test_add_months_keeps_month_ends():
    assert add_months(D(2026, 8, 31), -6) == D(2026, 2, 28)
    assert add_months(D(2024, 8, 31), -6) == D(2024, 2, 29)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "state", "to_idle", "to_recoverable"),
    [
        (D(2025, 2, 27), Clock.RUNNING, 1, 366),
        (D(2025, 2, 28), Clock.IDLE, 0, 365),
        (D(2026, 2, 27), Clock.IDLE, -364, 1),
        (D(2026, 2, 28), Clock.RECOVERABLE, -365, 0),
    ],
)
def test_leap_day_start_days_left_and_over(world, today, state, to_idle, to_recoverable):
    parcel = make_supplied(world, agreed_start_on=D(2024, 2, 29), land_price=Decimal("1234.5"))
    row = LandParcel.objects.with_clock(today).get(pk=parcel.pk)
    assert row.clock_code == state
    clock = row.clock(today)
    assert clock.state == state
    assert (clock.days_to_idle, clock.days_to_recoverable) == (to_idle, to_recoverable)
    assert clock.idle_fee == Decimal("246.90")


def test_idle_on_the_anniversary_itself(world):
    parcel = make_supplied(world, agreed_start_on=D(2025, 6, 15))
    clock = LandParcel.objects.with_clock(D(2026, 6, 15)).get(pk=parcel.pk).clock(D(2026, 6, 15))
    assert clock.state == Clock.IDLE and clock.days_to_idle == 0


def test_land_contract_first_then_the_agreements_start_term(world):
    from zhaoshang.agreements.choices import ObligationKind, Party, Term
    from zhaoshang.agreements.models import Agreement, Obligation

    project = world.project1_a
    agreement = Agreement.objects.create(
        district=project.district,
        project=project,
        number="XY-1",
        signed_on=D(2026, 3, 2),
        government_party="区政府",
        enterprise_party="企业",
        contracted_investment=Decimal("50000"),
        created_by=world.user_bureau,
    )
    Obligation.objects.create(
        district=project.district,
        agreement=agreement,
        term=Term.START,
        party=Party.ENTERPRISE,
        kind=ObligationKind.STAGE,
        title="开工",
        target_stage="started",
        due_on=D(2024, 11, 30),
    )
    with_contract = make_supplied(world, agreed_start_on=D(2025, 8, 31))
    row = LandParcel.objects.with_clock(D(2026, 6, 15)).get(pk=with_contract.pk)
    assert row.agreement_start_on == D(2024, 11, 30)
    assert row.idle_from == D(2026, 8, 31) and row.clock_code == Clock.RUNNING
    without = make_supplied(world, agreed_start_on=None)
    row = LandParcel.objects.with_clock(D(2026, 6, 15)).get(pk=without.pk)
    assert row.idle_from == D(2025, 11, 30) and row.clock_code == Clock.IDLE
    assert LandParcel.objects.get(pk=without.pk).clock(D(2026, 6, 15)).idle_on == D(2025, 11, 30)


def test_clock_stops_once_the_project_has_started(world):
    parcel = make_supplied(world, agreed_start_on=D(2024, 1, 1))
    project = world.project1_a
    project.started_on = D(2026, 5, 1)
    project.save()
    row = LandParcel.objects.with_clock(D(2026, 6, 15)).get(pk=parcel.pk)
    assert row.clock_code == Clock.NONE and not row.clock(D(2026, 6, 15)).running
    assert not LandParcel.objects.with_clock(D(2026, 6, 15)).filter(clock_code=Clock.IDLE).exists()
