"""The city's home: the districts side by side — their projects, signed, started and red,
and their signed investment — as two charts and the table behind them; each district opens
its registry, and the KPI comparison is one click away."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhaoshang.core import charts
from zhaoshang.core.templatetags.zs import wan
from zhaoshang.dashboard import tallies
from zhaoshang.dashboard.homes import list_url
from zhaoshang.org.models import District


def district_rows(user, counted: dict | None = None) -> list[dict]:
    """One row per district the user sees that has projects: its projects, signed, started,
    red and their investment from the districts' stored tallies (``dashboard.tallies``:
    read in one query, whatever the number of projects and lights). ``counted``: the user's
    tallies when already read."""
    counted = tallies.district_rows(tallies.of_user(user) if counted is None else counted)
    names = dict(District.objects.filter(pk__in=counted).values_list("pk", "name"))
    rows = []
    for pk in sorted(counted):
        row = counted[pk]
        rows.append(
            {
                "district_id": pk,
                "district__name": names[pk],
                "total": row["projects"],
                "signed": row["signed"],
                "started": row["started"],
                "red": row["red"],
                "investment": row["investment"],
                # (no signed project: no sum, as SQL gives none)
                "signed_investment": row["signed_investment"] if row["signed"] else None,
                "url": list_url("projects:list", {"district": pk}),
            }
        )
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
