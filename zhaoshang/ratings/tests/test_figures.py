"""The satisfaction figures where they are read: the KPI page's 企业满意度 (its card and the
table per department) and the quarterly bulletin's ranking, each over the ratings given
in its period up to its end."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import translation

from zhaoshang.ratings.tests.factories import make_rating
from zhaoshang.reports import figures
from zhaoshang.reports.choices import Kind, Period


def _rate(world):
    for score, day in (
        ("satisfied", datetime.date(2026, 2, 3)),
        ("dissatisfied", datetime.date(2026, 4, 8)),
        ("fairly", datetime.date(2026, 5, 9)),
    ):
        make_rating(world, score=score, rated_on=day)
    make_rating(
        world,
        score="satisfied",
        department=world.dept_land_a,
        project=world.project2_a,
        rated_on=datetime.date(2026, 5, 10),
    )
    make_rating(world, "b", score="dissatisfied", rated_on=datetime.date(2026, 5, 10))


def test_the_kpi_page_shows_the_districts_satisfaction_and_each_departments(client_for, world):
    _rate(world)
    response = client_for("leader").get(reverse("kpis:index"), {"year": 2026})
    assert response.status_code == 200
    total = response.context["satisfaction"]
    assert (total.rated, total.satisfied + total.fairly) == (4, 3)
    rows = {r.department: (r.rated, r.dissatisfied) for r in response.context["satisfaction_rows"]}
    assert rows == {world.dept_works_a.name: (3, 1), world.dept_land_a.name: (1, 0)}
    html = response.content.decode()
    assert 'data-kpi="satisfaction_rate"' in html and "75.0%" in html


def test_a_city_user_picks_the_district(client_for, world):
    _rate(world)
    response = client_for("city").get(reverse("kpis:index"), {"year": 2026})
    assert response.context["satisfaction_rows"] is None
    response = client_for("city").get(
        reverse("kpis:index"), {"year": 2026, "district": world.district_b.pk}
    )
    assert response.context["satisfaction"].rated == 1


def test_the_quarterly_bulletin_ranks_the_departments_by_satisfaction(world):
    _rate(world)
    with translation.override("en"):
        data = figures.build(Kind.QUARTERLY, Period(Kind.QUARTERLY, "2026-Q2"), world.district_a)
    section = next(
        s for s in data["sections"] if s["heading"] == "Enterprise satisfaction per department"
    )
    assert section["rows"] == [
        [1, world.dept_land_a.name, 1, 1, 0, 0, 1.0],
        [2, world.dept_works_a.name, 2, 0, 1, 1, 0.5],  # Q2 only: the February one is Q1's
    ]
    summary = {label: value for label, value, _kind in data["summary"]}
    assert summary["Enterprise satisfaction"] == round(2 / 3, 4)
