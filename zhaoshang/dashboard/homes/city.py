"""The city's home: the districts side by side — their projects, signed, started and red,
and their signed investment — as two charts and the table behind them; each district opens
its registry, and the KPI comparison is one click away."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from zhaoshang.core import charts
from zhaoshang.core.lights import Light
from zhaoshang.core.templatetags.zs import wan
from zhaoshang.dashboard.homes import list_url
from zhaoshang.monitoring.lights import project_light
from zhaoshang.projects.models import Project


def district_rows(user) -> list[dict]:
    """One row per district the user sees (one query, whatever the number of projects)."""
    rows = list(
        Project.objects.visible_to(user)
        .annotate(light=project_light())
        .values("district_id", "district__name")
        .annotate(
            total=Count("id"),
            signed=Count("id", filter=Q(signed_on__isnull=False)),
            started=Count("id", filter=Q(started_on__isnull=False)),
            red=Count("id", filter=Q(light=Light.RED)),
            investment=Sum("total_investment"),
            signed_investment=Sum("total_investment", filter=Q(signed_on__isnull=False)),
        )
        .order_by("district_id")
    )
    for row in rows:
        row["url"] = list_url("projects:list", {"district": row["district_id"]})
    return rows


def _linked(rows, key) -> list[dict]:
    return [{"value": charts.plain(r[key] or 0), "url": r["url"]} for r in rows]


def district_charts(rows: list[dict]) -> list[charts.Chart]:
    names = [r["district__name"] for r in rows]
    counts = charts.bar_line(
        names,
        [
            {"name": _("Projects"), "data": _linked(rows, "total"), "label": True},
            {"name": _("Signed"), "data": _linked(rows, "signed"), "label": True},
            {"name": _("Started"), "data": _linked(rows, "started"), "label": True},
            {
                "name": _("Projects with a red light"),
                "data": _linked(rows, "red"),
                "color": charts.RED,
                "label": True,
            },
        ],
    )
    table = charts.Table(
        [_("District"), _("Projects"), _("Signed"), _("Started"), _("Projects with a red light")]
    )
    for r in rows:
        table.add(
            r["district__name"], r["total"], r["signed"], r["started"], r["red"], url=r["url"]
        )
    money = charts.bar_line(
        names,
        [
            {
                "name": _("Signed investment (10k yuan)"),
                "data": _linked(rows, "signed_investment"),
                "color": charts.SERIES[1],
                "label": True,
            }
        ],
    )
    money_table = charts.Table(
        [_("District"), _("Signed investment (10k yuan)"), _("Total investment (10k yuan)")]
    )
    for r in rows:
        money_table.add(
            r["district__name"], wan(r["signed_investment"]), wan(r["investment"]), url=r["url"]
        )
    return [
        charts.Chart(
            key="home-districts",
            title=_("Projects by district"),
            option=counts,
            table=table,
            hide_table=True,  # the page's table below the charts shows these figures
        ),
        charts.Chart(
            key="home-districts-money",
            title=_("Signed investment by district (10k yuan)"),
            option=money,
            table=money_table,
            hide_table=True,
        ),
    ]
