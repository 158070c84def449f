"""The chart contract (core/charts.py and templates/core/_chart.html): options are plain
JSON, drill-down links ride on the data items or the series, the table is rendered with the
chart, and the option reaches the page as JSON (no inline script)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.template.loader import render_to_string

from zhaoshang.core import charts


def test_bar_line_makes_json_ready_series_with_their_links():
    option = charts.bar_line(
        ["1月", "2月"],
        [
            {"name": "签约", "data": [Decimal("1.234"), {"value": Decimal("2"), "url": "/x/"}]},
            {"name": "目标", "type": "line", "data": [3, 4], "dashed": True, "url": "/t/"},
        ],
    )
    json.dumps(option)  # no Decimal left
    assert option["xAxis"]["data"] == ["1月", "2月"]
    assert option["series"][0]["data"] == [1.23, {"value": 2.0, "url": "/x/"}]
    assert option["series"][1]["lineStyle"]["type"] == "dashed"
    assert option["zsSeriesUrls"] == [None, "/t/"]


def test_horizontal_percent_bars_put_the_categories_on_the_y_axis():
    option = charts.bar_line(
        ["甲", "乙"], [{"name": "率", "data": [90, 80]}], horizontal=True, percent=True
    )
    assert option["yAxis"]["data"] == ["甲", "乙"] and option["yAxis"]["inverse"] is True
    assert option["xAxis"]["max"] == 100
    assert "zsSeriesUrls" not in option


def test_funnel_keeps_the_items_order_and_links():
    option = charts.funnel(
        [{"name": "签约", "value": 5, "url": "/a/"}, {"name": "开工", "value": 9}]
    )
    data = option["series"][0]["data"]
    assert [d["name"] for d in data] == ["签约", "开工"]
    assert option["series"][0]["sort"] == "none"
    assert data[0]["url"] == "/a/" and "url" not in data[1]


def test_the_include_renders_canvas_json_and_table():
    table = charts.Table(["阶段", "项目数"])
    table.add("签约", 5, url="/registry/?stage=signed")
    chart = charts.Chart("funnel", "项目漏斗", charts.funnel([{"name": "签约", "value": 5}]), table)
    html = render_to_string("core/_chart.html", {"chart": chart})
    assert 'data-source="chart-funnel-option"' in html
    assert '<script id="chart-funnel-option" type="application/json">' in html
    assert 'href="/registry/?stage=signed"' in html
    assert 'data-png-name="项目漏斗"' in html


def test_pngs_are_named_after_their_context_and_title_without_unsafe_characters():
    first = charts.Chart("a", "逐月签约投资（万元）", {})
    second = charts.Chart("b", 'A/B: "x"?', {})
    charts.name_pngs([first, None, second], "东城区", "", "2026年")
    assert first.png_name == "东城区 2026年 逐月签约投资（万元）"
    assert second.png_name == "东城区 2026年 A B x"


def test_a_chart_note_is_shown_under_its_title():
    chart = charts.Chart("a", "标题", {}, note="12月统计至2026-12-06。")
    html = render_to_string("core/_chart.html", {"chart": chart})
    assert 'data-testid="chart-a-note"' in html and "12月统计至2026-12-06。" in html
    html = render_to_string("core/_chart.html", {"chart": charts.Chart("b", "标题", {})})
    assert "chart-b-note" not in html
