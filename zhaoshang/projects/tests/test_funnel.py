"""The project funnel (projects/funnel.py) on projects built for the test: the projects at
each stage, their investment, the projects that reached each stage (at it or further on;
the terminated and exited reach nothing), one query whatever the number of projects; and
its chart: a true funnel whose labels give each stage's own figures, its items their links,
its table every stage."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.projects import funnel
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_ORDER, Stage
from zhaoshang.projects.models import Project
from zhaoshang.testing.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

# (stage, total investment in 万元) of the projects built for each test.
BUILT = [
    (Stage.LEAD, "800"),
    (Stage.LEAD, "200"),
    (Stage.NEGOTIATING, "3000"),
    (Stage.SIGNED, "50000"),
    (Stage.SIGNED, "25000"),
    (Stage.STARTED, "120000"),
    (Stage.TERMINATED, "300"),
    (Stage.EXITED, "7000"),
]


def _build(world, rows=BUILT):
    made = [
        ProjectFactory(
            district=world.district_b,
            enterprise=world.enterprise1_b,
            industry=world.industry_b,
            park=world.park1_b,
            stage=stage,
            total_investment=Decimal(amount),
            stage_changes=False,
        )
        for stage, amount in rows
    ]
    return Project.objects.filter(pk__in=[p.pk for p in made])


def test_the_figures_of_each_stage(world):
    figures = funnel.figures(_build(world))
    assert list(figures.stages) == [*STAGE_ORDER, *EXIT_STAGES]
    at = {s: f.count for s, f in figures.stages.items()}
    assert at == {
        **dict.fromkeys([*STAGE_ORDER, *EXIT_STAGES], 0),
        Stage.LEAD: 2,
        Stage.NEGOTIATING: 1,
        Stage.SIGNED: 2,
        Stage.STARTED: 1,
        Stage.TERMINATED: 1,
        Stage.EXITED: 1,
    }
    # Reached: at the stage or further along the main line; the exits are not counted.
    assert [f.reached for f in figures.main] == [6, 4, 3, 3, 1, 1, 1, 0, 0, 0]
    assert [f.reached for f in figures.exits] == [None, None]
    assert figures[Stage.LEAD].amount == Decimal("1000")
    assert figures[Stage.SIGNED].amount == Decimal("75000")
    assert figures[Stage.SIGNED].amount_yi == "7.5"
    assert figures[Stage.EXITED].amount == Decimal("7000")
    assert figures[Stage.CAPACITY].amount == 0
    assert figures.total == 8


def test_the_figures_are_one_query_whatever_the_number_of_projects(world):
    few = _build(world, BUILT[:2])
    many = _build(world, BUILT * 4)
    for projects in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            funnel.figures(projects.select_related("park").order_by("-id"))
        assert len(ctx.captured_queries) == 1


def test_no_project_is_an_empty_funnel(world):
    figures = funnel.figures(Project.objects.none())
    assert [f.reached for f in figures.main] == [0] * len(STAGE_ORDER)
    option = funnel.chart(figures).option
    assert option["series"][0]["max"] == 1  # no division by nothing


def test_the_amount_in_hundred_millions():
    assert funnel.yi(Decimal("50000")) == "5"
    assert funnel.yi(Decimal("8000")) == "0.8"
    assert funnel.yi(Decimal("300")) == "0.03"
    assert funnel.yi(Decimal("12345678")) == "1,234.57"
    assert funnel.yi(None) == "0"


def test_the_chart_is_a_true_funnel_with_each_stages_own_figures(world):
    figures = funnel.figures(_build(world))
    chart = funnel.chart(figures, lambda stage: f"/projects/?stage={stage}", key="k", title="T")
    json.dumps(chart.option)
    series = chart.option["series"][0]
    data = series["data"]
    assert [d["value"] for d in data] == [6, 4, 3, 3, 1, 1, 1, 0, 0, 0]
    assert (series["min"], series["max"]) == (0, 6)
    assert [d["url"] for d in data] == [f"/projects/?stage={s}" for s in STAGE_ORDER]
    signed = data[STAGE_ORDER.index(Stage.SIGNED)]
    assert signed["name"] == str(Stage.SIGNED.label)
    first, second = signed["label"]["formatter"].split("\n")  # two lines: fits a phone
    assert first.startswith(str(Stage.SIGNED.label)) and "2" in first
    assert "7.5" in second and "3" in second
    assert series["label"]["position"] == "inside"
    # The table: every stage, the exits too (reached: —), each opening its stage.
    rows = {r["cells"][0]: r for r in chart.table.rows}
    assert rows[str(Stage.SIGNED.label)] == {
        "cells": [str(Stage.SIGNED.label), 2, 3, "75,000"],
        "url": "/projects/?stage=signed",
    }
    assert rows[str(Stage.EXITED.label)]["cells"] == [str(Stage.EXITED.label), 1, "—", "7,000"]
    assert len(chart.table.rows) == len(STAGE_ORDER) + len(EXIT_STAGES)


def test_the_dark_variant_puts_one_line_labels_right_of_a_narrower_funnel(world):
    chart = funnel.chart(funnel.figures(_build(world)), dark=True)
    series = chart.option["series"][0]
    assert chart.theme == "dark"
    assert series["label"]["position"] == "right" and series["width"] == "46%"
    assert [d["itemStyle"]["color"] for d in series["data"]] == funnel.DARK_COLOURS
    assert "\n" not in series["data"][0]["label"]["formatter"]
    assert "url" not in series["data"][0]  # no url_for: no drill-down
