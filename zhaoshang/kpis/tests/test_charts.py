"""The KPI charts (``kpis:charts``, ``kpis/charts.py``) against figures counted by hand.

Today is 2026-06-15 (the frozen clock), so 2026's months run to June and 2025 is closed.
District a, besides the world's project1_a (signed 2026-03-02, 50000, group a) and its lead
project2_a (8000):

- A1 signed 2026-01-10, 120000 (the "369" tier 3 band), funds 300 on 01-20 and 200 on 03-05;
- A2 signed 2026-03-20, 600000 (tier 2), park 2, registered 04-01;
- A3 signed 2025-03-15, 1000, funds 50 on 2025-01-02 and 100 on 2025-03-31;
- A4 signed 2025-06-01, 2000;
- T, terminated, 300;
- district a's 2026 target: signed investment 1,200,000, funds 12,000, the default tiers.

District b: B1 signed 2026-01-05, 99999, funds 777 on 01-06, and its target of 100000.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.kpis import charts
from zhaoshang.kpis.services import Period
from zhaoshang.kpis.tests.factories import D, add_funds, make_project, make_target
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.funnel import figures as stage_figures
from zhaoshang.projects.models import Project


@pytest.fixture
def data(world):
    a1 = make_project(world, signed_on=D(2026, 1, 10), total_investment=Decimal("120000"))
    add_funds(world, a1, "300", D(2026, 1, 20))
    add_funds(world, a1, "200", D(2026, 3, 5))
    a2 = make_project(
        world,
        signed_on=D(2026, 3, 20),
        total_investment=Decimal("600000"),
        park=world.park2_a,
        registered_on=D(2026, 4, 1),
    )
    a3 = make_project(world, signed_on=D(2025, 3, 15), total_investment=Decimal("1000"))
    add_funds(world, a3, "50", D(2025, 1, 2))
    add_funds(world, a3, "100", D(2025, 3, 31))
    a4 = make_project(world, signed_on=D(2025, 6, 1), total_investment=Decimal("2000"))
    make_project(world, stage=Stage.TERMINATED, total_investment=Decimal("300"))
    b1 = make_project(world, "b", signed_on=D(2026, 1, 5), total_investment=Decimal("99999"))
    add_funds(world, b1, "777", D(2026, 1, 6))
    target = make_target(
        world, signed_investment=Decimal("1200000"), funds_in_place=Decimal("12000")
    )
    make_target(world, "b")
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "target": target}


def _get(client, name="kpis:charts", **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content[:2000]
    return response


def _series(chart) -> list[list]:
    return [
        [p["value"] if isinstance(p, dict) else p for p in s["data"]]
        for s in chart.option["series"]
    ]


def _amounts(response) -> dict:
    return {c.key: c for c in response.context["amounts"]}


NONE6 = [None] * 6


def test_signed_investment_by_month_against_last_year_and_the_target(client_for, world, data):
    chart = _amounts(_get(client_for("bureau")))["signed-investment"]
    this, last, this_cum, last_cum, target = _series(chart)
    assert this == [120000, 0, 650000, 0, 0, 0, *NONE6]  # A1; project1_a + A2
    assert last == [0, 0, 1000, 0, 0, 2000, 0, 0, 0, 0, 0, 0]  # A3, A4
    assert this_cum == [120000, 120000, 770000, 770000, 770000, 770000, *NONE6]
    assert last_cum == [0, 0, 1000, 1000, 1000, 3000, 3000, 3000, 3000, 3000, 3000, 3000]
    # 序时: the target × months ÷ 12; June, counted to the 15th, at 5 + 15/30 months
    assert target == [100000.0 * m if m != 6 else 550000.0 for m in range(1, 13)]
    march = chart.table.rows[2]["cells"]
    # month, this, last, 同比, this cum., last cum., cum. 同比, target to date
    assert march == [
        charts.month_label(3),  # "M3" (3月)
        "650,000",
        "1,000",
        "64900.0%",
        "770,000",
        "1,000",
        "76900.0%",
        "300,000",
    ]
    assert chart.table.rows[0]["cells"][3] == "—"  # no base last January
    assert chart.table.rows[6]["cells"][1] == "—"  # July is after the cut-off
    # A month's bar opens the projects signed in the month: the figure is the bar's.
    url = chart.option["series"][0]["data"][2]["url"]
    assert "kpi=signed_investment" in url and "signed_to=2026-03-31" in url
    assert "signed_from=2026-03-01" in url and "as_of" not in url
    drill = client_for("bureau").get(url)
    assert drill.context["figure"] == Decimal("650000") == Decimal(this[2])
    assert {p.pk for p in drill.context["page"].object_list} == {
        data["a2"].pk,
        world.project1_a.pk,
    }
    cut = drill.content.decode().split('data-testid="drill-cut">')[1].split("</p>")[0]
    assert "2026-03-01" in cut and "2026-03-31" in cut  # the window, in the page's language
    url = chart.option["series"][1]["data"][5]["url"]  # last June's bar: A4
    drill = client_for("bureau").get(url)
    assert [p.pk for p in drill.context["page"].object_list] == [data["a4"].pk]
    assert drill.context["figure"] == Decimal("2000")
    # A cumulative point opens the projects signed by its end, this year's or last year's.
    url = chart.option["series"][2]["data"][2]["url"]
    assert "signed_to=2026-03-31" in url and "signed_from" not in url
    assert client_for("bureau").get(url).context["figure"] == Decimal("770000")
    url = chart.option["series"][3]["data"][5]["url"]
    assert "year=2025" in url and "signed_to=2025-06-30" in url
    drill = client_for("bureau").get(url)
    assert {p.pk for p in drill.context["page"].object_list} == {data["a3"].pk, data["a4"].pk}
    assert drill.context["figure"] == Decimal(last_cum[5])
    assert chart.table.rows[2]["url"] == chart.option["series"][0]["data"][2]["url"]
    assert chart.option["series"][0]["data"][6] is None  # July: no bar, no link


def test_the_month_the_cut_off_falls_in_is_labelled_and_compared_with_the_same_days(
    client_for, world, data, english
):
    """Today is 15 June: June is counted to the 15th, so its year on year compares with
    1–15 June 2025 (A4, signed on the 1st: 2000), not with the whole of June 2025 (A5,
    signed on the 20th, counts in the month's bar but not in the base)."""
    make_project(world, signed_on=D(2025, 6, 20), total_investment=Decimal("6000"))
    chart = _amounts(_get(client_for("bureau")))["signed-investment"]
    june = chart.table.rows[5]["cells"]
    assert june[0] == "M6 (to day 15)"
    assert chart.option["xAxis"]["data"][5] == "M6\n(to day 15)"  # two lines on the axis
    assert chart.option["xAxis"]["axisLabel"]["interval"] == 0  # every month labelled
    assert chart.option["xAxis"]["data"][4] == "M5"
    assert june[1:4] == ["0", "8,000", "-100.0%"]
    # 770000 against 1000 + 2000 (the same days), not 9000 (the whole of June: 8455.6%)
    assert june[5:7] == ["9,000", "25566.7%"]
    assert "M6 (to day 15) is counted to 2026-06-15" in chart.note
    assert "2025-06-01 to 2025-06-15 (2,000)" in chart.note
    body = _get(client_for("bureau")).content.decode()
    assert 'data-testid="chart-signed-investment-note"' in body
    # A closed year has no partial month and no note.
    chart = _amounts(_get(client_for("bureau"), year=2025))["signed-investment"]
    assert chart.note == "" and chart.table.rows[5]["cells"][0] == "M6"


def test_a_month_opens_its_projects_at_the_investment_the_chart_counts(client_for, data):
    """A2's investment, revised today (600000 → 700000), counts at 700000 in March's bar
    and its cumulative point: so do the rows they open (not the 600000 of 31 March)."""
    a2 = data["a2"]
    signed = timezone.make_aware(datetime.datetime(2026, 3, 20, 9))
    a2.history.update(history_date=signed)  # recorded when signed, at 600000
    a2.total_investment = Decimal("700000")
    a2.save()
    drill = client_for("bureau").get(
        reverse("kpis:drill"), {"year": 2026, "kpi": "signed_investment", "as_of": "2026-03-31"}
    )
    assert drill.context["figure"] == Decimal("770000")  # as of 31 March: 600000
    chart = _amounts(_get(client_for("bureau")))["signed-investment"]
    client = client_for("bureau")
    for series in (0, 2):  # the bar and the cumulative point
        item = chart.option["series"][series]["data"][2]
        drill = client.get(item["url"])
        assert drill.context["figure"] == Decimal(str(item["value"])), series
    assert chart.option["series"][0]["data"][2]["value"] == 750000


def test_funds_in_place_by_month_agree_with_the_targets_progress(client_for, data):
    chart = _amounts(_get(client_for("bureau")))["funds-in-place"]
    this, last, this_cum, last_cum, target = _series(chart)
    assert this == [300, 0, 200, 0, 0, 0, *NONE6]
    assert last[:3] == [50, 0, 100] and last_cum[-1] == 150
    assert chart.table.rows[2]["cells"][6] == "233.3%"  # (500 − 150) ÷ 150
    assert target[11] == 12000
    progress = (
        type(data["target"]).objects.filter(pk=data["target"].pk).with_progress(D(2026, 6, 15))
    )
    assert this_cum[5] == progress.get().funds_done == 500


def test_a_month_of_funds_in_place_opens_the_entries_behind_its_bar(client_for, world, data):
    chart = _amounts(_get(client_for("bureau")))["funds-in-place"]
    client = client_for("bureau")
    # March 2026: A1's 200; last March: A3's 100; district b's 777 never appears.
    for series, index, entries, total in ((0, 2, [200], 200), (1, 2, [100], 100)):
        item = chart.option["series"][series]["data"][index]
        assert item["value"] == total
        response = client.get(item["url"])
        assert response.status_code == 200
        assert response.context["total"] == total
        assert [f.amount for f in response.context["page"].object_list] == (entries)
    assert chart.table.rows[0]["url"] == chart.option["series"][0]["data"][0]["url"]
    assert not isinstance(chart.option["series"][2]["data"][2], dict)  # cumulative: no page
    # The current month is counted to today; a month not begun has no entry.
    june = client.get(reverse("kpis:funds"), {"year": 2026})
    assert june.context["cut"] == D(2026, 6, 15) and june.context["total"] == 0
    later = client.get(reverse("kpis:funds"), {"year": 2026, "month": 9})
    assert later.status_code == 200 and later.context["total"] == 0
    # The city over district b only, and bad input named.
    city = client_for("city").get(
        reverse("kpis:funds"), {"year": 2026, "month": 1, "district": world.district_b.pk}
    )
    assert city.context["total"] == 777
    bad = client.get(reverse("kpis:funds"), {"year": 2026, "month": 13})
    assert bad.status_code == 400 and "month" in bad.context["form"].errors


def test_the_monthly_helpers():
    period = Period.of(2026, D(2026, 6, 15))
    ends = charts.month_ends(period)
    assert ends[0] == D(2026, 1, 31) and ends[1] == D(2026, 2, 28)
    assert ends[5] == D(2026, 6, 15) and ends[6:] == NONE6
    assert charts.share(Decimal("150"), Decimal("100")) == Decimal("50.0")
    assert charts.share(Decimal("1"), 0) is None and charts.share(None, 5) is None
    assert charts.share(Decimal("50"), Decimal("-100")) is None  # a negative base
    assert charts.share(Decimal("-20"), Decimal("100")) == Decimal("-120.0")


def test_the_funnel_counts_and_sums_each_stage_and_opens_the_registry(client_for, world, data):
    response = _get(client_for("bureau"))
    funnel = {c.key: c for c in response.context["funnel"]}["funnel"]
    data_ = funnel.option["series"][0]["data"]
    # The width: the projects that reached the stage — project2_a a lead, project1_a, A1,
    # A3 and A4 signed, A2 registered (the terminated one reaches nothing).
    assert [d["value"] for d in data_] == [6, 5, 5, 5, 1, 0, 0, 0, 0, 0]
    items = {d["name"]: d for d in data_}
    assert items[str(Stage.SIGNED.label)]["url"] == reverse("projects:list") + "?stage=signed"
    rows = {r["cells"][0]: r for r in funnel.table.rows}
    # Stage, at the stage, reached, investment (万元): 50000 + 120000 + 1000 + 2000.
    assert rows[str(Stage.SIGNED.label)]["cells"][1:] == [4, 5, "173,000"]
    assert rows[str(Stage.REGISTERED.label)]["cells"][1:] == [1, 1, "600,000"]
    assert rows[str(Stage.LEAD.label)]["cells"][1:3] == [1, 6]
    assert rows[str(Stage.TERMINATED.label)]["cells"][1:] == [1, "—", "300"]
    exits = {e["stage"]: e for e in response.context["exits"]}
    assert exits["terminated"]["count"] == 1 and exits["exited"]["count"] == 0
    # Filtered: the park goes with the link to the registry.
    response = _get(client_for("bureau"), park=world.park2_a.pk)
    funnel = response.context["funnel"][0]
    items = {d["name"]: d for d in funnel.option["series"][0]["data"]}
    rows = {r["cells"][0]: r for r in funnel.table.rows}
    assert rows[str(Stage.REGISTERED.label)]["cells"][1:3] == [1, 1]  # A2
    assert rows[str(Stage.SIGNED.label)]["cells"][1:3] == [0, 1]  # A2 went further on
    assert items[str(Stage.LEAD.label)]["value"] == 2  # project2_a (a lead in park 2) and A2
    assert f"park={world.park2_a.pk}" in items[str(Stage.SIGNED.label)]["url"]


def test_the_369_tiers_against_the_target_and_their_projects(client_for, data):
    client = client_for("bureau")
    chart = _get(client).context["tiers"]
    target, reached = _series(chart)
    assert target == [3, 6, 9]
    assert reached == [0, 1, 1]  # A2 (600000), A1 (120000); project1_a is below tier 3
    url = chart.option["series"][1]["data"][1]["url"]
    assert "tier_min=500000" in url and "tier_below=1000000" in url
    drill = client.get(url)
    assert drill.status_code == 200
    assert [p.pk for p in drill.context["page"].object_list] == [data["a2"].pk]
    assert drill.context["figure"] == 1
    tier3 = client.get(chart.option["series"][1]["data"][2]["url"])
    assert [p.pk for p in tier3.context["page"].object_list] == [data["a1"].pk]
    # A tier no project reached opens an empty list that still says its figure (0).
    tier1 = client.get(chart.option["series"][1]["data"][0]["url"])
    assert tier1.status_code == 200 and tier1.context["figure"] == 0
    body = tier1.content.decode()
    assert 'data-figure="numerator"' in body and 'data-testid="drill-cut"' in body


def test_each_kpi_month_by_month_opens_its_projects_at_that_month_end(client_for, data):
    client = client_for("bureau")
    totals, rates = _get(client, "kpis:trends").context["trends"]
    counts, investment = _series(totals)
    assert counts == [1, 1, 3, 3, 3, 3]  # A1; project1_a and A2 in March
    assert investment == [120000, 120000, 770000, 770000, 770000, 770000]
    registered = _series(rates)[0]
    assert registered == [0, 0, 0, pytest.approx(33.33), pytest.approx(33.33), pytest.approx(33.33)]
    april = rates.option["series"][0]["data"][3]["url"]
    assert "kpi=registered_rate" in april and "as_of=2026-04-30" in april
    drill = client.get(april)
    assert [p.pk for p in drill.context["page"].object_list] == [data["a2"].pk]
    march = client.get(rates.option["series"][0]["data"][2]["url"])
    assert list(march.context["page"].object_list) == []
    # A closed year has its twelve months.
    totals, _rates = _get(client, "kpis:trends", year=2025).context["trends"]
    assert _series(totals)[0] == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]


def test_a_working_group_is_charted_against_its_own_target(client_for, world, data):
    make_target(
        world,
        working_group=world.group_a,
        signed_investment=Decimal("24000"),
        funds_in_place=Decimal("1200"),
    )
    response = _get(client_for("bureau"), working_group=world.group_a.pk)
    this, _last, this_cum, _lc, target = _series(_amounts(response)["signed-investment"])
    assert this[:3] == [0, 0, 50000]  # project1_a alone
    assert target[0] == 2000  # 24000 ÷ 12
    # A park (or industry, or level) has no target: the chart says so.
    response = _get(client_for("bureau"), park=world.park2_a.pk)
    assert len(_amounts(response)["signed-investment"].option["series"]) == 4
    assert response.context["tiers"] is None
    assert 'data-testid="no-target"' in response.content.decode()


def test_a_district_user_sees_only_their_district(client_for, world, data):
    response = _get(client_for("bureau"), district=world.district_b.pk)  # not a field for them
    this = _series(_amounts(response)["funds-in-place"])[0]
    assert this[0] == 300  # not B1's 777
    assert _series(response.context["tiers"])[0] == [3, 6, 9]  # district a's target alone
    body = response.content.decode()
    assert "99,999" not in body


def test_a_city_user_sees_the_city_or_the_district_chosen(client_for, world, data):
    client = client_for("city")
    everything = _amounts(_get(client))
    assert _series(everything["funds-in-place"])[0][0] == 1077  # 300 + 777
    assert _series(everything["signed-investment"])[4][11] == 1300000  # both targets
    only_b = _get(client, district=world.district_b.pk)
    assert _series(_amounts(only_b)["funds-in-place"])[0][0] == 777
    assert _series(_amounts(only_b)["signed-investment"])[0][0] == 99999
    assert _series(only_b.context["tiers"])[1] == [0, 0, 0]  # 99999 is below tier 3
    # Over both districts, whose tier 1 minima differ, tier 1 has no one band: no link.
    type(data["target"]).objects.filter(district=world.district_b).update(tier1_min=800000)
    tiers = _get(client).context["tiers"]
    assert not isinstance(tiers.option["series"][1]["data"][0], dict)
    assert tiers.table.rows[0]["url"] is None
    assert "tier_min=" in tiers.option["series"][1]["data"][2]["url"]  # tier 3: the same


def test_a_city_user_over_a_district_without_target_has_no_target_line(
    client_for, world, data, english
):
    """With district b's target gone, a's alone would stand for the whole city: no line,
    and the page says to choose a district (which keeps its own target)."""
    type(data["target"]).objects.filter(district=world.district_b).delete()
    client = client_for("city")
    response = _get(client)
    assert len(_amounts(response)["signed-investment"].option["series"]) == 4  # no target
    assert response.context["tiers"] is None
    assert "Not every district has set its targets for 2026" in response.content.decode()
    only_a = _get(client, district=world.district_a.pk)
    assert _series(_amounts(only_a)["signed-investment"])[4][11] == 1200000


def test_each_png_is_named_after_the_district_the_filters_and_the_year(client_for, world, data):
    response = _get(client_for("bureau"), level="major")
    district = world.district_a.name
    names = {c.key: c.png_name for c in [*response.context["amounts"], *response.context["funnel"]]}
    assert names["signed-investment"].startswith(f"{district} ")
    assert "2026" in names["signed-investment"] and "重大" in names["signed-investment"]
    assert names["funnel"].startswith(f"{district} ") and "2026-06-15" in names["funnel"]
    assert f'data-png-name="{names["funds-in-place"]}"' in response.content.decode()
    fragment = _get(client_for("city"), "kpis:trends", district=world.district_b.pk)
    assert all(c.png_name.startswith(world.district_b.name) for c in fragment.context["trends"])
    assert not any(ch in names["signed-investment"] for ch in '/\\:*?"<>|')


def test_bad_filters_are_400_naming_the_field(client_for, world, english):
    client = client_for("bureau")
    response = client.get(reverse("kpis:charts"), {"year": "x"})
    assert response.status_code == 400 and "year" in response.context["form"].errors
    response = client.get(reverse("kpis:charts"), {"park": world.park1_b.pk})
    assert response.status_code == 400 and "park" in response.context["form"].errors
    response = client.get(reverse("kpis:trends"), {"year": "x"})
    assert response.status_code == 400
    assert response.content.decode().startswith("Year: Enter a whole number.")
    response = client.get(
        reverse("kpis:drill"), {"year": 2026, "kpi": "start_rate", "as_of": "2025-12-31"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"] == [
        "The cut-off (2025-12-31) must be in the year 2026."
    ]
    # The hidden fields' errors are on the page, named.
    assert "Cut-off: The cut-off (2025-12-31) must be in the year 2026." in (
        response.content.decode()
    )
    drill = reverse("kpis:drill")
    bad = {
        "signed_from": (
            {"signed_from": "2025-03-01", "kpi": "signed_investment"},
            "Signed from: The first day of signing (2025-03-01) must be in the year 2026.",
        ),
        "signed_from ": (
            {"signed_from": "2026-04-01", "as_of": "2026-03-31", "kpi": "signed_investment"},
            "Signed from: The first day of signing (2026-04-01) cannot be after the cut-off "
            "(2026-03-31).",
        ),
        "signed_to": (
            {"signed_from": "2026-03-02", "signed_to": "2026-03-01", "kpi": "signed_count"},
            "Signed to: The last day of signing (2026-03-01) cannot be before the first "
            "(2026-03-02).",
        ),
        "kpi": (
            {"signed_from": "2026-03-01", "kpi": "start_rate"},
            "KPI: A first day of signing or an investment band applies to the signed "
            "projects only.",
        ),
    }
    for params, message in bad.values():
        response = client.get(drill, {"year": 2026, **params})
        assert response.status_code == 400
        assert message in response.content.decode().replace("&#x27;", "'")


def test_the_kpi_page_and_the_charts_load_the_trends_and_link_to_the_charts(client_for, data):
    client = client_for("bureau")
    body = _get(client, "kpis:index", year=2026).content.decode()
    assert f'data-kpi-trends="{reverse("kpis:trends")}?year=2026"' in body
    assert f'href="{reverse("kpis:charts")}?year=2026"' in body
    body = _get(client, "kpis:charts", year=2026, level="major").content.decode()
    assert f'data-kpi-trends="{reverse("kpis:trends")}?year=2026&amp;level=major"' in body
    fragment = _get(client, "kpis:trends", year=2026)
    assert [c.key for c in fragment.context["trends"]] == ["trend-totals", "trend-rates"]
    assert 'id="chart-trend-rates-option"' in fragment.content.decode()


def test_the_charts_cost_a_fixed_number_of_queries(data):
    """Twelve months of KPIs are five queries each (``services.compute``); the amounts by
    month three, the funnel one (test_query_counts: the same on 3 and on 30 projects)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    projects = Project.objects.filter(district=data["a1"].district)
    with CaptureQueriesContext(connection) as ctx:
        trend = charts.kpi_trend(projects, {"year": 2025, "since": None})
    assert len(trend) == 12 and len(ctx.captured_queries) == 60
    with CaptureQueriesContext(connection) as ctx:
        charts.monthly_amounts(projects, Period.of(2025))
        stage_figures(projects)
    assert len(ctx.captured_queries) == 4
    # The month the cut-off falls in (15 June) adds its same days a year before (two).
    with CaptureQueriesContext(connection) as ctx:
        charts.monthly_amounts(projects, Period.of(2026))
    assert len(ctx.captured_queries) == 5


def test_a_year_not_begun_has_no_month_yet(client_for, data, english):
    response = _get(client_for("bureau"), year=2027)
    assert _series(_amounts(response)["signed-investment"])[0] == [None] * 12
    fragment = _get(client_for("bureau"), "kpis:trends", year=2027)
    assert fragment.context["trends"] == []
    assert "No month of the year has begun yet." in fragment.content.decode()
