"""Thresholds per park and industry (SPEC §11): park and industry > park > industry >
district default, per measure; a list loads the district's rows once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.exits.models import LandThreshold
from zhaoshang.exits.services import ThresholdBook, threshold_for


def _row(world, park=None, industry=None, **values):
    return LandThreshold.objects.create(
        district=world.district_a, park=park, industry=industry, **values
    )


def test_precedence_park_and_industry_over_park_over_industry_over_default(world):
    project = world.project1_a  # park 1, industry 装备制造
    assert threshold_for(project).min_intensity is None
    _row(world, min_intensity=Decimal("100"), min_tax_per_mu=Decimal("5"))
    assert threshold_for(project).min_intensity == Decimal("100")
    _row(world, industry=world.industry_a, min_intensity=Decimal("200"))
    assert threshold_for(project).min_intensity == Decimal("200")
    _row(world, park=world.park1_a, min_intensity=Decimal("300"))
    assert threshold_for(project).min_intensity == Decimal("300")
    _row(world, park=world.park1_a, industry=world.industry_a, min_intensity=Decimal("400"))
    threshold = threshold_for(project)
    assert threshold.min_intensity == Decimal("400")
    # A measure the specific rows leave empty comes from the next row that sets it.
    assert threshold.min_tax_per_mu == Decimal("5")
    assert threshold.min_plot_ratio is None
    # Another park of the same industry: the industry row.
    other = world.project2_a  # park 2, same industry
    assert threshold_for(other).min_intensity == Decimal("200")


def test_other_districts_rows_do_not_apply(world):
    LandThreshold.objects.create(district=world.district_b, min_intensity=Decimal("999"))
    assert threshold_for(world.project1_a).min_intensity is None


def test_below_compares_only_known_measures(world):
    _row(world, min_intensity=Decimal("250"), min_tax_per_mu=Decimal("10"))
    threshold = threshold_for(world.project1_a)
    assert threshold.below(Decimal("200"), None) == ["min_intensity"]
    assert threshold.below(Decimal("250"), Decimal("9.99")) == ["min_tax_per_mu"]
    assert threshold.below(None, None) == []


def test_a_book_answers_a_list_in_one_query(world):
    _row(world, min_intensity=Decimal("100"))
    _row(world, park=world.park2_a, min_intensity=Decimal("150"))
    projects = [world.project1_a, world.project2_a] * 10
    with CaptureQueriesContext(connection) as ctx:
        book = ThresholdBook.load([world.district_a.pk])
        values = [book.for_project(p).min_intensity for p in projects]
    assert len(ctx.captured_queries) == 1
    assert values[:2] == [Decimal("100"), Decimal("150")]


def test_one_row_per_scope(world):
    from django.db import IntegrityError, transaction

    _row(world, park=world.park1_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(world, park=world.park1_a)
