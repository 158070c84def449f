"""The Gantt chart of a reverse schedule, laid out on the server and drawn as inline SVG
(no script): one bar per milestone from its planned start to its due date, its progress
inside, the day it was done, today and the target date as lines, days off shaded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from zhaoshang.workdays.models import Day

ONE_DAY = datetime.timedelta(days=1)
LABEL_WIDTH = 260
CHART_WIDTH = 860
ROW_HEIGHT = 34
HEADER_HEIGHT = 42
BAR_HEIGHT = 16
# Days off are shaded when a day is at least this wide (else the chart is all stripes).
SHADE_FROM_PX = 3.0


@dataclass
class Row:
    milestone: object
    y: float
    bar_x: float
    bar_width: float
    progress_width: float
    done_x: float | None
    label_y: float
    css: str

    @property
    def progress_y(self) -> float:
        return round(self.y + 5, 2)

    @property
    def center_y(self) -> float:
        return round(self.y + BAR_HEIGHT / 2, 2)


@dataclass
class Gantt:
    width: int
    height: int
    chart_x: int
    chart_width: int
    first: datetime.date
    last: datetime.date
    rows: list[Row] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    days_off: list[tuple[float, float]] = field(default_factory=list)
    today_x: float | None = None
    target_x: float | None = None
    start_x: float | None = None
    day_width: float = 0.0

    @property
    def body_height(self) -> int:
        return self.height - 24

    @property
    def today_label_x(self) -> float | None:
        return None if self.today_x is None else round(self.today_x + 3, 2)

    @property
    def target_label_x(self) -> float | None:
        return None if self.target_x is None else round(self.target_x + 3, 2)


def layout(commitment, milestones, today: datetime.date) -> Gantt:
    """Geometry of the chart; ``milestones`` carry ``state`` (``with_state``)."""
    dates = [commitment.start_on, commitment.target_on]
    if getattr(commitment, "completed_on", None) is None:
        dates.append(today)  # a running schedule is read against today; a finished one is not
    for m in milestones:
        dates += [m.planned_start_on, m.due_on] + ([m.done_on] if m.done_on else [])
    first = min(dates) - ONE_DAY
    # Room on the right for the labels of the lines drawn at the last day.
    last = max(dates) + max(ONE_DAY, (max(dates) - first) / 16)
    days = (last - first).days + 1
    day_width = CHART_WIDTH / days
    chart_x = LABEL_WIDTH

    def x(day: datetime.date) -> float:
        return round(chart_x + (day - first).days * day_width, 2)

    height = HEADER_HEIGHT + ROW_HEIGHT * max(len(milestones), 1) + 8
    gantt = Gantt(
        width=LABEL_WIDTH + CHART_WIDTH,
        height=height,
        chart_x=chart_x,
        chart_width=CHART_WIDTH,
        first=first,
        last=last,
        day_width=round(day_width, 3),
    )
    # Month ticks (or weekly ones on a short chart).
    tick = first.replace(day=1)
    if days <= 62:
        tick = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
        while tick <= last:
            gantt.ticks.append((x(tick), tick.strftime("%m-%d")))
            tick += datetime.timedelta(days=7)
    else:
        step = 1 if days <= 400 else 3
        while tick <= last:
            if tick >= first:
                gantt.ticks.append((x(tick), tick.strftime("%Y-%m")))
            month = tick.month - 1 + step
            tick = datetime.date(tick.year + month // 12, month % 12 + 1, 1)
    if day_width >= SHADE_FROM_PX:
        off = Day.objects.filter(date__range=(first, last), is_workday=False).order_by("date")
        gantt.days_off = [(x(d), round(day_width, 2)) for d in off.values_list("date", flat=True)]
    for i, m in enumerate(milestones):
        y = HEADER_HEIGHT + i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        start, end = x(m.planned_start_on), x(m.due_on + ONE_DAY)
        width = max(end - start, 2.0)
        gantt.rows.append(
            Row(
                milestone=m,
                y=round(y, 2),
                bar_x=start,
                bar_width=round(width, 2),
                progress_width=round(width * (m.progress or 0) / 100, 2),
                done_x=x(m.done_on) + day_width / 2 if m.done_on else None,
                label_y=round(y + BAR_HEIGHT - 3, 2),
                css=f"zs-gantt-{getattr(m, 'state', 'open')}",
            )
        )
    if first <= today <= last:
        gantt.today_x = x(today) + day_width / 2
    gantt.target_x = x(commitment.target_on + ONE_DAY)
    gantt.start_x = x(commitment.start_on + ONE_DAY)
    return gantt
