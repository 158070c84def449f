from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from zhaoshang.land.choices import Half
from zhaoshang.land.tests.factories import add_entry, make_campaign, make_parcel, make_supplied


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def parcels(world):
    """A parcel for each target of the scoping tests:

    - ``in``: district a, park 1 (the world's park committee), supplied to project1_a;
    - ``out``: district a, park 2, in the reserve;
    - ``other``: district b, park 1, in the reserve."""
    return {
        "in": make_supplied(world),
        "out": make_parcel(world, park=world.park2_a, code="DK-OUT"),
        "other": make_parcel(world, "b", code="DK-OTHER"),
    }


@pytest.fixture
def campaigns(world):
    """Open campaigns, each with an undecided entry: ``in`` (district a, 2026 H1, signed
    projects counted after 3 months and land held after 1: project1_a), ``out`` (district a,
    2025 H2) and ``other`` (district b)."""
    made = {
        "in": make_campaign(world, signed_months=3, delivered_months=1),
        "out": make_campaign(world, year=2025, half=Half.H2, as_of=datetime.date(2025, 12, 31)),
        "other": make_campaign(world, "b", signed_months=3),
    }
    if not made["out"].entries.exists():
        add_entry(made["out"], world.project1_a)
    return made


@pytest.fixture
def entries(world, campaigns):
    """An entry for each target: ``in`` (project1_a, park 1), ``out`` (project2_a, park 2)
    and ``other`` (district b)."""
    return {
        "in": campaigns["in"].entries.get(project=world.project1_a),
        "out": add_entry(campaigns["in"], world.project2_a),
        "other": campaigns["other"].entries.get(project=world.project1_b),
    }
