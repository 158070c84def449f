"""Charts that steer (SPEC §12, the work plan's 挂图作战): the server builds each chart's
whole ECharts option here, the page draws it with ``static/zs/charts.js`` (vendored
ECharts, no CDN, no inline script) and shows the table behind it.

A chart is a ``Chart``: a key (unique on the page), a title, the option, and the table of
the same figures (headers and rows; a row may link to the rows behind it). Drill-down: a
data item ``{"value": v, "url": "..."}`` opens ``url`` on click; ``zsSeriesUrls`` (one per
series) does the same for a whole series. Every chart exports as PNG from its toolbox.

Include a chart with ``{% include "core/_chart.html" with chart=c %}`` and load the two
scripts once per page: ``{% include "core/_chart_scripts.html" %}`` in the scripts block.

This module builds options only from plain numbers and labels: it imports no domain app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The product's palette: the lights and the series (Bootstrap's tones, readable on white and
# on the big screen's dark blue).
GREEN, YELLOW, RED, GREY = "#198754", "#e0a800", "#dc3545", "#adb5bd"
SERIES = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#0dcaf0", "#d63384", "#6c757d"]


def plain(value: Any) -> Any:
    """A JSON-ready number: Decimals as floats (rounded to 2 places), None stays None."""
    if isinstance(value, Decimal):
        return round(float(value), 2)
    return value


@dataclass
class Table:
    headers: list[str]
    rows: list[dict] = field(default_factory=list)  # {"cells": [...], "url": optional}

    def add(self, *cells: Any, url: str | None = None) -> None:
        self.rows.append({"cells": list(cells), "url": url})


@dataclass
class Chart:
    key: str
    title: str
    option: dict
    table: Table | None = None
    height: int = 320
    png_name: str = ""
    theme: str = ""  # "dark" on the big screen
    hide_title: bool = False
    hide_table: bool = False
    open_table: bool = False
    note: str = ""  # a line under the title (e.g. what a partial month compares with)

    def __post_init__(self) -> None:
        self.png_name = self.png_name or str(self.title)

    @property
    def source_id(self) -> str:
        return f"chart-{self.key}-option"


UNSAFE_IN_FILE_NAMES = str.maketrans(dict.fromkeys('/\\:*?"<>|', " "))


def name_pngs(charts: list[Chart | None], *context: str) -> None:
    """Name each chart's PNG after what it shows: the context (e.g. the district and the
    year) then its title — "东城区 2026年 逐月签约投资（万元）" — without the characters a file
    name may not hold."""
    prefix = [str(part) for part in context if part]
    for chart in charts:
        if chart is not None:
            name = " ".join([*prefix, str(chart.title)]).translate(UNSAFE_IN_FILE_NAMES)
            chart.png_name = " ".join(name.split())


def base_option(*, legend: bool = True, grid_right: int = 24) -> dict:
    """The options every cartesian chart shares: a tooltip on the axis, the legend on top
    and room for the axis labels."""
    option: dict = {
        "color": SERIES,
        "backgroundColor": "transparent",
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": grid_right, "top": 40, "bottom": 8, "containLabel": True},
    }
    if legend:
        # right: room for the PNG button (charts.js makes it the legend's width)
        option["legend"] = {"top": 0, "left": 0, "type": "scroll", "right": 36}
    return option


def bar_line(
    categories: list[str],
    series: list[dict],
    *,
    horizontal: bool = False,
    percent: bool = False,
) -> dict:
    """Bars and lines over the same categories. Each series: {"name", "type" ("bar" or
    "line"), "data" (numbers or {"value", "url"} items), optional "color", "stack",
    "dashed", "label", "url" (the whole series' drill-down)}."""
    option = base_option()
    category_axis = {
        "type": "category",
        "data": [str(c) for c in categories],
        "axisLabel": {"hideOverlap": True},
    }
    value_axis: dict = {"type": "value"}
    if percent:
        value_axis.update({"max": 100, "axisLabel": {"formatter": "{value}%"}})
    if horizontal:
        category_axis["inverse"] = True
        option.update(xAxis=value_axis, yAxis=category_axis)
    else:
        option.update(xAxis=category_axis, yAxis=value_axis)
    built, urls = [], []
    for s in series:
        item: dict = {
            "name": str(s["name"]),
            "type": s.get("type", "bar"),
            "data": [_item(v) for v in s["data"]],
        }
        if s.get("color"):
            item["itemStyle"] = {"color": s["color"]}
            item["lineStyle"] = {"color": s["color"]}
        if s.get("stack"):
            item["stack"] = s["stack"]
        if s.get("dashed"):
            item["lineStyle"] = {**item.get("lineStyle", {}), "type": "dashed"}
        if item["type"] == "line":
            item["symbolSize"] = 6
        if s.get("label"):
            item["label"] = {"show": True, "position": "right" if horizontal else "top"}
        built.append(item)
        urls.append(s.get("url"))
    option["series"] = built
    if any(urls):
        option["zsSeriesUrls"] = urls
    return option


def funnel(items: list[dict], *, name: str = "") -> dict:
    """A funnel in the items' order. Each item: {"name", "value", optional "url",
    "color"}."""
    data = []
    for it in items:
        entry: dict = {"name": str(it["name"]), "value": plain(it["value"])}
        if it.get("url"):
            entry["url"] = it["url"]
        if it.get("color"):
            entry["itemStyle"] = {"color": it["color"]}
        data.append(entry)
    return {
        "color": SERIES,
        "backgroundColor": "transparent",
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "name": str(name),
                "type": "funnel",
                "sort": "none",
                "left": "8%",
                "right": "8%",
                "top": 30,
                "bottom": 8,
                "minSize": "12%",
                "gap": 2,
                "label": {"show": True, "position": "inside", "formatter": "{b} {c}"},
                "data": data,
            }
        ],
    }


def _item(value: Any) -> Any:
    if isinstance(value, dict):
        return {**value, "value": plain(value.get("value"))}
    return plain(value)


# ---------------------------------------------------------------------------------------
# A Gantt chart of planned and actual spans (stacked bars: no script of its own)

GANTT_PLANNED = "#9ec5fe"  # a light blue: the plan under the actual bars
ONE_DAY = datetime.timedelta(days=1)


def gantt(
    rows: list[dict],
    *,
    lanes: list[tuple[str, str]],
    today: datetime.date | None = None,
    today_label: str = "",
    legend: list[tuple[str, str]] = (),
    window: tuple[datetime.date, datetime.date] | None = None,
) -> dict:
    """A Gantt chart: one category per row (top to bottom), in each row one bar per lane
    (e.g. planned and actual), each lane a run of segments in date order.

    Each row: {"label", "lanes": {lane key: [segment, …]}}; a segment: {"start", "end"
    (dates, both included), "color", optional "tooltip" (HTML-escaped text, "<br>"
    between lines), "url" (drill-down)}. ``lanes``: [(key, name)] in the order drawn.
    ``legend``: [(name, colour)] shown as the legend; ``today`` is drawn as a dashed red
    line labelled ``today_label``. ``window`` (first, last day) is the span shown at first
    when the rows span more: a slider under the chart (and dragging the chart) moves it.

    ECharts draws no date ranges on a value axis without a script, so each lane is a
    stack of bars on a hidden axis of days since the chart's first day — a transparent
    gap, then the segment, then the next gap … — and a time axis over the same days shows
    the dates. A segment starting before its predecessor ends starts where it ends."""
    days = [
        day
        for row in rows
        for segments in row["lanes"].values()
        for s in segments
        for day in (s["start"], s["end"])
    ]
    if today is not None:
        days.append(today)
    if not days:
        days = [today or datetime.date.today()]
    first = min(days) - ONE_DAY
    last = max(days) + max(ONE_DAY * 2, (max(days) - first) / 20)
    span = (last - first).days
    series: list[dict] = []
    for key, _name in lanes:
        runs = []
        for row in rows:
            run, at = [], 0
            for s in row["lanes"].get(key, []):
                start = max((s["start"] - first).days, at)
                end = max((s["end"] - first).days + 1, start)
                run.append((start - at, end - start, s))
                at = end
            runs.append(run)
        for k in range(max((len(r) for r in runs), default=0)):
            gaps, bars = [], []
            for run in runs:
                if k >= len(run):
                    gaps.append(None)
                    bars.append(None)
                    continue
                gap, width, s = run[k]
                gaps.append(gap)
                item: dict = {"value": width, "itemStyle": {"color": s["color"]}}
                if s.get("url"):
                    item["url"] = s["url"]
                if s.get("tooltip"):
                    item["tooltip"] = {"formatter": s["tooltip"]}
                bars.append(item)
            common = {"type": "bar", "stack": key, "xAxisIndex": 0, "barMaxWidth": 14}
            series.append(
                {
                    **common,
                    "name": f"{key}-gap-{k}",
                    "data": gaps,
                    "silent": True,
                    "itemStyle": {"color": "transparent"},
                    "tooltip": {"show": False},
                }
            )
            series.append(
                {
                    **common,
                    "name": f"{key}-{k}",
                    "data": bars,
                    "itemStyle": {"borderColor": "#ffffff", "borderWidth": 1},
                }
            )
    # The legend's entries: empty series in a lane's stack (no room taken in the rows).
    stack = lanes[0][0] if lanes else "lane"
    for name, colour in legend:
        series.append(
            {
                "type": "bar",
                "stack": stack,
                "name": str(name),
                "data": [],
                "itemStyle": {"color": colour},
            }
        )
    if today is not None and first <= today <= last and series:
        series[0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"color": RED, "type": "dashed", "width": 1.5},
            "label": {"formatter": str(today_label), "position": "start", "color": RED},
            "data": [{"xAxis": (today - first).days + 0.5}],
        }
    zoom: list[dict] = []
    if window is not None:
        shown_first, shown_last = max(window[0], first), min(window[1], last)
        if (shown_first, shown_last) != (first, last) and shown_first < shown_last:
            at = {
                "xAxisIndex": [0, 1],
                "filterMode": "none",
                "start": round(100 * (shown_first - first).days / span, 2),
                "end": round(100 * (shown_last - first).days / span, 2),
            }
            zoom = [
                {**at, "type": "slider", "height": 18, "bottom": 4, "labelFormatter": ""},
                {**at, "type": "inside", "zoomOnMouseWheel": False, "moveOnMouseWheel": False},
            ]
    return {
        "color": SERIES,
        "backgroundColor": "transparent",
        "animation": False,
        **({"dataZoom": zoom} if zoom else {}),
        "tooltip": {"trigger": "item", "confine": True},
        "legend": {
            "top": 0,
            "left": 0,
            "right": 60,
            "selectedMode": False,
            "data": [str(name) for name, _colour in legend],
        },
        "grid": {
            "left": 8,
            "right": 24,
            "top": 56,
            "bottom": 32 if zoom else 8,
            "containLabel": True,
        },
        "xAxis": [
            {"type": "value", "min": 0, "max": span, "show": False},
            {
                "type": "time",
                "position": "top",
                "min": first.isoformat(),
                "max": last.isoformat(),
                "splitLine": {"show": True, "lineStyle": {"color": "#e9ecef"}},
                "axisLabel": {
                    "hideOverlap": True,
                    "formatter": {"year": "{yyyy}", "month": "{yyyy}-{MM}", "day": "{MM}-{dd}"},
                },
            },
        ],
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [str(r["label"]) for r in rows],
            "axisLabel": {"width": 180, "overflow": "truncate"},
            "axisTick": {"show": False},
        },
        "series": series,
    }
