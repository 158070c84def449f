"""The departments ranked (``reports/rankings.py``): the figures against hand-built cases
and ratings, the order, the scope (another district's departments never appear, a
department handler sees its own), the cases behind a bar, bad filters, and queries that do
not grow with the rows."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhaoshang.org.models import Department
from zhaoshang.ratings.choices import Score
from zhaoshang.reports import rankings
from zhaoshang.reports.tests.rankings_data import D, done_case, figures, rating

URL = "reports:rankings"


def _option(response, key):
    html = response.content.decode()
    start = html.index(">", html.index(f'id="chart-{key}-option"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_on_time_figures_rank_the_departments_best_first(world):
    figures(world)
    rows = rankings.on_time(world.district_a.pk, D(2026, 1, 1), D(2026, 12, 31))
    assert [(r.department_id, r.done, r.on_time) for r in rows] == [
        (world.dept_land_a.pk, 2, 2),
        (world.dept_works_a.pk, 3, 2),
        (world.dept_bureau_a.pk, 1, 0),
    ]
    assert [r.rate for r in rows] == [Decimal("1"), Decimal("0.6667"), Decimal("0")]
    total = rankings.on_time_total(rows)
    assert (total.done, total.on_time, total.late) == (6, 4, 2)


def test_a_date_range_counts_the_cases_done_in_it(world):
    figures(world)
    rows = rankings.on_time(world.district_a.pk, D(2026, 3, 1), D(2026, 3, 31))
    assert [(r.department_id, r.done, r.on_time) for r in rows] == [(world.dept_works_a.pk, 2, 2)]


def test_the_page_draws_both_charts_best_first_with_drill_down(world, client_for):
    figures(world)
    response = client_for("supervisor").get(reverse(URL), {"year": 2026})
    assert response.status_code == 200
    option = _option(response, "on-time")
    assert option["yAxis"]["data"] == ["区国土局", "区建设局", "区招商局"]
    data = option["series"][0]["data"]
    assert [d["value"] for d in data] == [100.0, 66.7, 0.0]
    assert f"department={world.dept_land_a.pk}" in data[0]["url"]
    satisfied = _option(response, "satisfaction")
    assert satisfied["yAxis"]["data"] == ["区建设局", "区国土局"]
    assert [d["value"] for d in satisfied["series"][0]["data"]] == [100.0, 50.0]
    assert satisfied["series"][0]["data"][1]["url"] == (
        f"{reverse('ratings:list')}?department={world.dept_land_a.pk}"
    )
    html = response.content.decode()
    assert 'data-testid="chart-on-time-table"' in html
    assert "66.7%" in html


def test_each_png_is_named_after_the_district_and_the_period(world, client_for):
    figures(world)
    client = client_for("supervisor")
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    html = client.get(reverse(URL), {"year": 2026}, **en).content.decode()
    name = world.district_a.name
    expected = f"{name} Year 2026 Approval cases done on time, by department"
    assert f'data-png-name="{expected}"' in html
    period = {"start": "2026-01-01", "end": "2026-03-31"}
    html = client.get(reverse(URL), period, **en).content.decode()
    expected = f"{name} 2026-01-01 to 2026-03-31 Enterprises&#x27; satisfaction, by department"
    assert f'data-png-name="{expected}"' in html


def test_another_district_never_appears(world, client_for):
    figures(world)
    response = client_for("supervisor").get(reverse(URL), {"year": 2026})
    names = _option(response, "on-time")["yAxis"]["data"]
    assert len(names) == 3  # district b's 建设局 (same name) is not among them
    html = response.content.decode()
    assert f"department={world.dept_works_b.pk}" not in html
    # district b's supervisor sees district b only
    other = client_for("supervisor_b").get(reverse(URL), {"year": 2026})
    assert [d["value"] for d in _option(other, "on-time")["series"][0]["data"]] == [0.0]
    assert [d["value"] for d in _option(other, "satisfaction")["series"][0]["data"]] == [0.0]


def test_a_city_user_picks_the_district(world, client_for):
    figures(world)
    client = client_for("city")
    response = client.get(reverse(URL), {"year": 2026, "district": world.district_b.pk})
    option = _option(response, "on-time")
    assert [
        d["url"].split("department=")[1].split("#")[0] for d in option["series"][0]["data"]
    ] == [str(world.dept_works_b.pk)]
    response = client.get(reverse(URL), {"year": 2026, "district": world.district_a.pk})
    assert len(_option(response, "on-time")["yAxis"]["data"]) == 3


def test_a_department_handler_sees_its_own_department(world, client_for):
    figures(world)
    response = client_for("department").get(reverse(URL), {"year": 2026})
    assert _option(response, "on-time")["yAxis"]["data"] == ["区建设局"]
    assert _option(response, "satisfaction")["yAxis"]["data"] == ["区建设局"]

    # The totals above the charts are the department's, and say so (not "District").
    def page(who):
        return (
            client_for(who)
            .get(reverse(URL), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )

    html = page("department")
    assert "Your department: 66.7% of 3 cases done" in html and "District:" not in html
    html = page("supervisor")
    assert "District: " in html and "Your department" not in html
    refused = client_for("department").get(
        reverse(URL), {"year": 2026, "department": world.dept_land_a.pk}
    )
    assert refused.status_code == 400


def test_the_cases_behind_a_bar(world, client_for):
    figures(world)
    response = client_for("supervisor").get(
        reverse(URL), {"year": 2026, "department": world.dept_works_a.pk}
    )
    html = response.content.decode()
    assert 'data-testid="cases"' in html
    assert html.count("data-late") == 1  # the one late for 建设局 (the other: the enterprise's)
    assert html.count('href="/approvals/cases/') == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "年度"),
        ({"year": "2031"}, "年度"),
        ({"start": "2026-05-01"}, "止"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "止"),
        ({"start": "2026-13-01", "end": "2026-04-01"}, "起"),
        ({"district": "99999"}, "行政区"),
    ],
)
def test_a_bad_filter_is_400_naming_the_field(world, client_for, params, field):
    with translation.override("zh-hans"):
        response = client_for("city").get(reverse(URL), params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="errors"' in html
    errors = html[html.index('data-testid="errors"') :]
    assert field in errors.split("</ul>")[0], errors[:400]


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):
    for i in range(n):
        department = Department.objects.create(
            district=world.district_a, name=f"测试部门{i}{n}", short_name=f"部门{i}{n}"
        )
        done_case(world, department, due=D(2026, 3, 10), done=D(2026, 3, 9 + i % 3))
        done_case(world, world.dept_works_a, due=D(2026, 3, 10), done=D(2026, 3, 11))
        rating(world, department, Score.SATISFIED, on=D(2026, 3, 1))


def test_queries_do_not_grow_with_the_departments_and_cases(world, client_for):
    client = client_for("supervisor")
    params = {"year": 2026, "department": world.dept_works_a.pk}
    _grow(world, 3)
    small = _queries(client, params)
    _grow(world, 30)
    assert _queries(client, params) == small
    print(f"queries reports:rankings: {small}")
    assert small <= 14


def test_the_tabs_of_the_assessment_link_the_charts(world, client_for):
    response = client_for("supervisor").get(reverse("assessment:rankings"))
    assert reverse(URL) in response.content.decode()
    page = client_for("supervisor").get(reverse(URL))
    assert page.status_code == 200
    assert 'data-testid="tab-charts"' in page.content.decode()
    assert datetime.date.today  # the default period: this year
