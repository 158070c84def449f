"""The project funnel by stage: the one place its figures and its chart are built (the
bureau's home, the KPI charts page, the big screen and the home's side card read it).

- ``figures(projects)``: per stage of ``STAGE_ORDER`` and of the exit stages, the projects
  at the stage, their total investment (万元) and the projects that reached it — at that
  stage or further along ``STAGE_ORDER`` (terminated and exited projects reach nothing:
  where they left the line is not recorded on the project). One grouped query.
- ``chart(figures, url_for)``: a true funnel on ``core.charts.funnel``, narrowing from the
  leads to capacity (the width is the projects that reached the stage), each stage labelled
  with its own projects and investment in 亿元 and opening ``url_for(stage)``; the table
  behind it gives every stage (exits too) with the projects at it, reached, investment.
  ``dark=True`` is the big screen's variant: a narrower funnel with its labels on the right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from zhaoshang.core import charts
from zhaoshang.core.querysets import joined
from zhaoshang.core.templatetags.zs import wan
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_ORDER, Stage
from zhaoshang.projects.models import Project

ZERO = Decimal("0")
YI = Decimal("10000")  # 万元 per 亿元
# The big screen's stages from the lead (deep blue) to capacity (green).
DARK_COLOURS = [
    "#1f5fbf",
    "#2470d6",
    "#2b83e8",
    "#2f96f0",
    "#20a9e0",
    "#17b8c8",
    "#1fc3a8",
    "#2cc98a",
    "#47c96d",
    "#6fcf4f",
]
DARK_TEXT = "#c4d4ec"


@dataclass(frozen=True)
class StageFigures:
    stage: str
    count: int  # the projects at the stage now
    amount: Decimal  # their total investment (万元)
    reached: int | None  # at the stage or further along STAGE_ORDER; None for an exit

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def amount_yi(self) -> str:
        return yi(self.amount)


@dataclass(frozen=True)
class Funnel:
    stages: dict[str, StageFigures]  # STAGE_ORDER, then EXIT_STAGES

    def __getitem__(self, stage: str) -> StageFigures:
        return self.stages[stage]

    @property
    def main(self) -> list[StageFigures]:
        return [self.stages[s] for s in STAGE_ORDER]

    @property
    def exits(self) -> list[StageFigures]:
        return [self.stages[s] for s in EXIT_STAGES]

    @property
    def total(self) -> int:
        """Every project counted, the exits included."""
        return sum(f.count for f in self.stages.values())


def figures(projects) -> Funnel:
    """The funnel of ``projects`` (a queryset the caller has scoped and filtered): one
    grouped query, whatever joins or annotations the queryset carries. A plain filter of
    the projects (a district's, a park's) is grouped as it is, off the index on district,
    stage and investment; anything else is matched on its keys first."""
    query = projects.query
    plain = not (query.annotations or query.distinct or query.is_sliced or query.combinator)
    if not plain or joined(query):
        projects = Project.objects.filter(pk__in=projects.order_by().values("pk"))
    rows = (
        projects.order_by()
        .values_list("stage")
        .annotate(n=Count("pk"), amount=Sum("total_investment"))
    )
    return of_counts({stage: (n, amount) for stage, n, amount in rows})


def of_counts(found: dict) -> Funnel:
    """The funnel of {stage: (projects at the stage, their total investment)} counted
    elsewhere (e.g. a district's stored tallies, ``dashboard.tallies``)."""
    found = {stage: (n, amount or ZERO) for stage, (n, amount) in found.items()}
    stages: dict[str, StageFigures] = {}
    reached = 0
    for stage in reversed(STAGE_ORDER):  # cumulative from capacity back to the lead
        n, amount = found.get(stage, (0, ZERO))
        reached += n
        stages[stage] = StageFigures(stage, n, amount, reached)
    stages = {s: stages[s] for s in STAGE_ORDER}
    for stage in EXIT_STAGES:
        n, amount = found.get(stage, (0, ZERO))
        stages[stage] = StageFigures(stage, n, amount, None)
    return Funnel(stages)


def yi(amount) -> str:
    """万元 as 亿元: up to two places, no trailing zeros ("5", "0.8", "0.03")."""
    value = (Decimal(amount or 0) / YI).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if not value:
        return "0"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _one_line(f: StageFigures) -> str:
    return _("%(stage)s: %(count)s, %(amount)s (%(reached)s reached)") % {
        "stage": f.label,
        "count": f.count,
        "amount": f.amount_yi,
        "reached": f.reached,
    }


def _two_lines(f: StageFigures) -> str:
    """Short enough inside the funnel's narrowest stage on a 390 px phone."""
    first = _("%(stage)s: %(count)s") % {"stage": f.label, "count": f.count}
    second = _("%(amount)s (100m yuan), %(reached)s reached") % {
        "amount": f.amount_yi,
        "reached": f.reached,
    }
    return f"{first}\n{second}"


def chart(
    funnel: Funnel,
    url_for: Callable[[str], str] | None = None,
    *,
    key: str = "funnel",
    title: str | None = None,
    dark: bool = False,
    height: int = 420,
) -> charts.Chart:
    """The funnel's chart and the table behind it (see the module's docstring)."""
    main = funnel.main
    items = []
    for index, f in enumerate(main):
        item = {"name": f.label, "value": f.reached}
        if url_for is not None:
            item["url"] = url_for(f.stage)
        if dark:
            item["color"] = DARK_COLOURS[index % len(DARK_COLOURS)]
        items.append(item)
    option = charts.funnel(items, name=_("Projects by stage"))
    series = option["series"][0]
    # The width: the projects reached, from none to all those at the first stage.
    series.update(min=0, max=max(main[0].reached, 1))
    for f, item in zip(main, series["data"], strict=True):
        item["label"] = {"formatter": _one_line(f) if dark else _two_lines(f)}
        item["tooltip"] = {"formatter": _one_line(f)}
    if dark:
        series.update(left=0, width="46%", top=6, bottom=6, minSize="4%")
        series["label"] = {
            "show": True,
            "position": "right",
            "color": DARK_TEXT,
            "fontSize": 15,
        }
        series["labelLine"] = {"show": True, "length": 10}
        option["animation"] = False
    else:
        # Wide enough at the narrowest for its two lines, on a 390 px phone too.
        series.update(left="2%", right="2%", minSize="40%", gap=1)
        series["label"].update(lineHeight=14, fontSize=11)
    table = charts.Table(
        [
            _("Stage"),
            _("Projects at the stage"),
            _("Reached the stage"),
            _("Total investment (10k yuan)"),
        ]
    )
    for f in funnel.stages.values():
        table.add(
            f.label,
            f.count,
            "—" if f.reached is None else f.reached,
            wan(f.amount, 0),
            url=url_for(f.stage) if url_for is not None else None,
        )
    return charts.Chart(
        key=key,
        title=title or _("Projects by stage"),
        option=option,
        table=table,
        height=height,
        theme="dark" if dark else "",
    )
