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

    def __post_init__(self) -> None:
        self.png_name = self.png_name or str(self.title)

    @property
    def source_id(self) -> str:
        return f"chart-{self.key}-option"


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
        option["legend"] = {"top": 0, "left": 0, "type": "scroll", "right": 60}
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
