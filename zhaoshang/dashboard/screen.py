"""The big screen's figures (驾驶舱, issue 18 point 4): one district's screen (its map, its
funnel, its year's targets, its red list and this week's changes) or the city's (the
districts side by side instead of the map, the city's funnel, each district's targets).

``build(user, district_id)`` returns every panel as plain JSON-ready data: the page renders
it (the tables read without JavaScript) and ``/screen/data/`` serves it again to the
screen's script every minute (the red list and the week's changes are built by
``screen_lists``). Everything starts from what the viewer may see
(``visible_to``), with a fixed number of queries whatever the number of projects: counts
and sums are grouped in SQL, lists are capped."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import charts, clock, roles
from zhaoshang.core.lights import Light
from zhaoshang.dashboard import screen_lists
from zhaoshang.dashboard.homes.park import parks_name
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.monitoring import district_map
from zhaoshang.monitoring.lights import project_light
from zhaoshang.org.models import District
from zhaoshang.projects import funnel
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import FundsEntry, Project

ENDED = (Stage.TERMINATED, Stage.EXITED)
YI = Decimal("10000")  # 万元 per 亿元
AXIS_TEXT = "#c4d4ec"


class ScreenForm(forms.Form):
    """The city's choice of a district (absent: the whole city)."""

    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.order_by("id"), required=False
    )


def may_view(user) -> bool:
    """Government users with a district, and the city; not enterprise contacts."""
    if not roles.is_staff_user(user):
        return False
    return roles.sees_all_districts(user) or bool(user.district_id)


def yi(amount) -> float:
    """万元 as 亿元, two places."""
    return round(float((amount or Decimal(0)) / YI), 2)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


# --- the figures -----------------------------------------------------------------------


def _by_district(projects, today: datetime.date) -> dict:
    """{district id: figures} of the visible projects (one query) and their funds of the
    year (one query)."""
    live = ~Q(stage__in=ENDED)
    signed = Q(signed_on__year=today.year, signed_on__lte=today)
    rows = (
        projects.annotate(light=project_light())
        .order_by()
        .values("district_id")
        .annotate(
            projects=Count("id", filter=live),
            investment=Sum("total_investment", filter=live),
            signed=Count("id", filter=signed),
            signed_investment=Sum("total_investment", filter=signed),
            red=Count("id", filter=live & Q(light=Light.RED)),
        )
    )
    out = {row.pop("district_id"): row for row in rows}
    funds = (
        FundsEntry.objects.filter(
            project__in=projects.order_by().values("pk"),
            received_on__year=today.year,
            received_on__lte=today,
        )
        .order_by()
        .values("project__district_id")
        .annotate(total=Sum("amount"))
    )
    for row in funds:
        out.setdefault(row["project__district_id"], {})["funds"] = row["total"]
    return out


def _tiles(figures: dict) -> list[dict]:
    def total(key):
        return sum((f.get(key) or 0) for f in figures.values())

    return [
        {"key": "projects", "label": _("Projects in the pipeline"), "value": total("projects")},
        {
            "key": "investment",
            "label": _("Their investment (100M yuan)"),
            "value": _number(yi(total("investment"))),
        },
        {"key": "signed", "label": _("Signed this year"), "value": total("signed")},
        {
            "key": "signed_investment",
            "label": _("Signed investment this year (100M yuan)"),
            "value": _number(yi(total("signed_investment"))),
        },
        {
            "key": "funds",
            "label": _("Funds in place this year (100M yuan)"),
            "value": _number(yi(total("funds"))),
        },
        {"key": "red", "label": _("Red lights"), "value": total("red"), "alert": True},
    ]


def _funnel(user, projects, district_id: int | None) -> dict:
    """The projects along the main line (``projects.funnel``, one query), drawn dark: the
    width is the projects that reached the stage, each stage opens the registry on it."""
    figures = funnel.figures(projects)
    city = {"district": district_id} if district_id and roles.sees_all_districts(user) else {}

    def url(stage: str) -> str:
        return f"{reverse('projects:list')}?{urlencode({'stage': stage, **city})}"

    chart = funnel.chart(figures, url, dark=True)
    rows = [
        {"stage": f.label, "count": f.count, "amount": f.amount_yi, "reached": f.reached}
        for f in figures.main
    ]
    return {"option": chart.option, "rows": rows}


def _pace(done, target, elapsed: float) -> tuple[float | None, str]:
    """(percent done, colour): green at or ahead of the year's time, yellow within a fifth
    of it, red further behind."""
    if not target:
        return None, charts.GREY
    percent = round(float(done or 0) / float(target) * 100, 1)
    if percent >= elapsed:
        return percent, charts.GREEN
    if percent >= elapsed * 0.8:
        return percent, charts.YELLOW
    return percent, charts.RED


def _year_elapsed(today: datetime.date) -> float:
    start = datetime.date(today.year, 1, 1)
    days = (datetime.date(today.year + 1, 1, 1) - start).days
    return round(((today - start).days + 1) / days * 100, 1)


def _progress_option(categories: list[str], series: list[dict], elapsed: float) -> dict:
    """Horizontal progress bars (percent of the target) with the year's time as a line."""
    option = charts.base_option(legend=len(series) > 1, grid_right=120)
    option.update(
        animation=False,
        tooltip={"show": False},
        xAxis={
            "type": "value",
            "max": _axis_end(series),
            "axisLabel": {"formatter": "{value}%", "color": AXIS_TEXT},
            "splitLine": {"lineStyle": {"color": "#1c3560"}},
        },
        yAxis={
            "type": "category",
            "inverse": True,
            "data": categories,
            "axisLabel": {"color": AXIS_TEXT, "fontSize": 15},
        },
    )
    option["grid"]["top"] = 44 if len(series) > 1 else 26
    built = []
    for n, s in enumerate(series):
        item = {
            "name": s["name"],
            "type": "bar",
            "barMaxWidth": 26,
            "data": s["data"],
            "label": {"show": True, "position": "right", "color": "#ffffff", "fontSize": 14},
        }
        if s.get("color"):
            item["itemStyle"] = {"color": s["color"]}
        if n == 0:
            item["markLine"] = {
                "silent": True,
                "symbol": "none",
                "data": [{"xAxis": elapsed}],
                "lineStyle": {"color": "#ffd166", "type": "dashed", "width": 2},
                "label": {
                    "formatter": _("Time %(percent)s%%") % {"percent": elapsed},
                    "color": "#ffd166",
                    "position": "start",
                },
            }
        built.append(item)
    option["series"] = built
    return option


def _axis_end(series: list[dict]) -> int:
    """The axis' end: 100% or the best progress beyond it (rounded up to ten)."""
    best = max(
        (d["value"] for s in series for d in s["data"] if d.get("value") is not None), default=0
    )
    return max(100, int(-(-best // 10) * 10))


def _district_targets(user, district_id: int, today: datetime.date) -> dict:
    """The district's own target of the year against its progress (one query)."""
    target = (
        AnnualTarget.objects.visible_to(user)
        .filter(
            district_id=district_id,
            year=today.year,
            working_group__isnull=True,
            department__isnull=True,
        )
        .with_progress(today)
        .first()
    )
    elapsed = _year_elapsed(today)
    if target is None:
        return {"option": None, "rows": [], "elapsed": elapsed}
    lines = [
        (
            _("Signed investment"),
            yi(target.signed_investment_done),
            yi(target.signed_investment),
            _("100M yuan"),
        ),
        (_("Funds in place"), yi(target.funds_done), yi(target.funds_in_place), _("100M yuan")),
    ]
    for number, minimum, count in target.tiers:
        done = getattr(target, f"tier{number}_done")
        lines.append(
            (
                _("369 tier %(n)s (≥%(min)s)") % {"n": number, "min": _number(yi(minimum))},
                done,
                count,
                _("projects"),
            )
        )
    data, rows = [], []
    for name, done, goal, unit in lines:
        percent, colour = _pace(done, goal, elapsed)
        text = f"{_number(done)} / {_number(goal)}"
        data.append(
            {
                "value": percent if percent is not None else 0,
                "itemStyle": {"color": colour},
                "label": {"formatter": f"{text} ({percent or 0}%)"},
            }
        )
        rows.append(
            {"name": str(name), "done": _number(done), "target": _number(goal), "unit": str(unit)}
        )
        rows[-1]["percent"] = percent
    option = _progress_option(
        [str(name) for name, *_rest in lines], [{"name": _("Done"), "data": data}], elapsed
    )
    return {"option": option, "rows": rows, "elapsed": elapsed}


def _city_targets(user, names: dict, today: datetime.date) -> dict:
    """Each district's signed investment and funds against its target (one query)."""
    targets = (
        AnnualTarget.objects.visible_to(user)
        .filter(year=today.year, working_group__isnull=True, department__isnull=True)
        .with_progress(today)
        .order_by("district_id")
    )
    elapsed = _year_elapsed(today)
    categories, signed, funds, rows = [], [], [], []
    for target in targets:
        name = names.get(target.district_id, str(target.district_id))
        categories.append(name)
        row = {"name": name}
        for key, bucket, done, goal in (
            ("signed", signed, target.signed_investment_done, target.signed_investment),
            ("funds", funds, target.funds_done, target.funds_in_place),
        ):
            percent, _colour = _pace(done, goal, elapsed)
            bucket.append(
                {
                    "value": percent if percent is not None else 0,
                    "label": {"formatter": f"{percent or 0}%"},
                }
            )
            row[key] = f"{_number(yi(done))} / {_number(yi(goal))}"
            row[f"{key}_percent"] = percent
        rows.append(row)
    if not rows:
        return {"option": None, "rows": [], "elapsed": elapsed}
    option = _progress_option(
        categories,
        [
            {"name": _("Signed investment"), "data": signed, "color": charts.SERIES[0]},
            {"name": _("Funds in place"), "data": funds, "color": charts.SERIES[1]},
        ],
        elapsed,
    )
    return {"option": option, "rows": rows, "elapsed": elapsed}


def _districts(names: dict, figures: dict) -> dict:
    """The city's districts side by side: four small bar charts and their table."""
    ids = list(names)
    categories = [names[i] for i in ids]

    def values(key, money=False):
        return [
            yi(figures.get(i, {}).get(key)) if money else (figures.get(i, {}).get(key) or 0)
            for i in ids
        ]

    panels = [
        ("projects", _("Projects in the pipeline"), values("projects"), charts.SERIES[0]),
        (
            "signed",
            _("Signed investment this year (100M yuan)"),
            values("signed_investment", True),
            charts.SERIES[1],
        ),
        ("funds", _("Funds in place this year (100M yuan)"), values("funds", True), "#0dcaf0"),
        ("red", _("Red lights"), values("red"), charts.RED),
    ]
    out = []
    for key, title, data, colour in panels:
        option = charts.bar_line(
            categories, [{"name": title, "data": data, "color": colour, "label": True}]
        )
        option.pop("legend", None)
        option["animation"] = False
        option["grid"]["top"] = 24
        option["series"][0]["barMaxWidth"] = 48
        option["series"][0]["label"]["color"] = "#ffffff"
        option["series"][0]["label"]["fontSize"] = 15
        option["xAxis"]["axisLabel"].update(
            color=AXIS_TEXT, fontSize=15, interval=0, rotate=30 if len(categories) > 6 else 0
        )
        option["yAxis"]["axisLabel"] = {"color": AXIS_TEXT}
        option["yAxis"]["splitLine"] = {"lineStyle": {"color": "#1c3560"}}
        out.append(
            {
                "key": key,
                "title": title,
                "option": option,
                "json_id": f"screen-districts-{key}-option",
            }
        )
    table = [
        {
            "id": i,
            "name": names[i],
            "projects": figures.get(i, {}).get("projects") or 0,
            "signed": _number(yi(figures.get(i, {}).get("signed_investment"))),
            "funds": _number(yi(figures.get(i, {}).get("funds"))),
            "red": figures.get(i, {}).get("red") or 0,
            "url": reverse("screen") + f"?district={i}",
        }
        for i in ids
    ]
    return {"charts": out, "rows": table}


def _map(user, district_id: int) -> dict:
    """The district map's data (``monitoring.district_map.build``) without the parcels and
    the page's labels: the screen draws the parks and the projects by their light."""
    form = district_map.MapFilterForm(
        {"district": district_id} if roles.sees_all_districts(user) else None, user=user
    )
    data = district_map.build(user, form)
    return {
        "map": data["map"],
        "zones": data["zones"],
        "parks": [
            {
                "key": p["key"],
                "name": p["name"],
                "drawn": p["drawn"],
                "anchor": p["anchor"],
                "projects": p["projects"],
                "lights": f"{p['red']} / {p['yellow']} / {p['green']}",
            }
            for p in data["parks"]
        ],
        "projects": [
            {
                "name": p["name"],
                "light": p["light"],
                "investment": p["investment"],
                "value": p["value"],
            }
            for p in data["projects"]
        ],
        "lights": data["lights"],
        "unplaced": data["unplaced"],
        "empty": data["labels"]["empty"],
    }


# --- the whole screen ------------------------------------------------------------------


def build(user, district_id: int | None) -> dict:
    """Every panel of the screen of ``district_id`` (None: the city's) as JSON-ready data."""
    today = clock.today()
    now = timezone.localtime(clock.now())
    projects = Project.objects.visible_to(user)
    if district_id is not None:
        projects = projects.filter(district_id=district_id)
    figures = _by_district(projects, today)
    if district_id is None:
        names = dict(District.objects.order_by("id").values_list("id", "name"))
        city = next(iter(District.objects.order_by("id").values_list("city", flat=True)), "")
        title = city or _("The city")
    else:
        names = dict(District.objects.filter(pk=district_id).values_list("id", "name"))
        title = names.get(district_id, "")
        if not roles.sees_all_districts(user) and not (
            roles.roles_of(user) & roles.DISTRICT_WIDE_ROLES
        ):
            # A park committee sees its parks' projects only: the title says whose they are.
            title = f"{title} · {parks_name(user)}"
    data = {
        "city": district_id is None,
        "district": district_id,
        "title": title,
        "year": today.year,
        "today": today.isoformat(),
        "refreshedAt": now.strftime("%H:%M:%S"),
        "tiles": _tiles(figures),
        "funnel": _funnel(user, projects, district_id),
        "redList": screen_lists.red_list(user, projects),
        "changes": screen_lists.changes(user, projects, today),
    }
    if district_id is None:
        data["targets"] = _city_targets(user, names, today)
        data["districts"] = _districts(names, figures)
        data["map"] = None
    else:
        data["targets"] = _district_targets(user, district_id, today)
        data["districts"] = None
        data["map"] = _map(user, district_id)
    return data
