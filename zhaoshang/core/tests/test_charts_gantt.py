"""``charts.gantt``: lanes of segments as stacked bars over days since the chart's first
day, a segment never overlapping the one before, today's line and the window shown."""

from __future__ import annotations

import datetime

from zhaoshang.core import charts

D = datetime.date


def _rows():
    return [
        {
            "label": "甲",
            "lanes": {
                "planned": [
                    {"start": D(2026, 1, 5), "end": D(2026, 1, 9), "color": "#111111"},
                    {"start": D(2026, 1, 8), "end": D(2026, 1, 20), "color": "#222222"},
                ],
                "actual": [
                    {
                        "start": D(2026, 1, 5),
                        "end": D(2026, 1, 12),
                        "color": "#333333",
                        "url": "/p/1/",
                    }
                ],
            },
        },
        {"label": "乙", "lanes": {"planned": [], "actual": []}},
    ]


def test_segments_are_stacked_end_to_end():
    option = charts.gantt(
        _rows(), lanes=[("planned", "计划"), ("actual", "实际")], today=D(2026, 1, 15)
    )
    assert option["xAxis"][1]["min"] == "2026-01-04"  # a day before the first start
    planned = [s for s in option["series"] if s.get("stack") == "planned"]
    gap0, bar0, gap1, bar1 = (s["data"] for s in planned)
    assert (gap0[0], bar0[0]["value"]) == (1, 5)  # 5 Jan – 9 Jan, both counted
    # the second starts where the first ends (10 Jan), not on 8 Jan
    assert (gap1[0], bar1[0]["value"]) == (0, 11)
    assert gap0[1] is None and bar0[1] is None  # 乙 has no bar
    actual = [s for s in option["series"] if s.get("stack") == "actual"]
    assert actual[1]["data"][0] == {
        "value": 8,
        "itemStyle": {"color": "#333333"},
        "url": "/p/1/",
    }
    line = option["series"][0]["markLine"]["data"][0]["xAxis"]
    assert line == (D(2026, 1, 15) - D(2026, 1, 4)).days + 0.5
    assert "dataZoom" not in option


def test_a_window_narrower_than_the_rows_adds_a_slider():
    option = charts.gantt(
        _rows(),
        lanes=[("planned", "计划")],
        window=(D(2026, 1, 10), D(2026, 1, 14)),
        legend=[("计划", "#111111")],
    )
    slider, inside = option["dataZoom"]
    assert slider["type"] == "slider" and inside["type"] == "inside"
    assert 0 < slider["start"] < slider["end"] < 100
    assert option["legend"]["data"] == ["计划"]
