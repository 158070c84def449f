"""The Gantt chart of the key projects' milestones, planned against actual (issue 18,
挂图作战): for every commitment of a key or major project (重点、重大项目, the levels
``services.agreements.KEY_LEVELS``) the user sees, one row with two bars — the plan (each
milestone from its planned start to its due date) and what happened (each milestone from
the day the one before it was done to the day it was done: green when kept, red when done
late; the running one up to today, red once past its due date, yellow when due soon, grey
before: the milestone's light on the commitments' pages). A bar opens
the project's page; the table behind the chart lists the same rows.

A milestone records no actual start: its actual span starts when the milestone before it
was done (the first one: at its planned start). Kept, late and missed are the querysets'
(``MilestoneQuerySet.with_state``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.agreements.choices import MilestoneState
from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.agreements.querysets import milestone_late_q
from zhaoshang.agreements.services.agreements import KEY_LEVELS
from zhaoshang.agreements.views.common import LIGHT_ORDER
from zhaoshang.core import charts, clock, roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.core.services import require
from zhaoshang.org.models import Industry, WorkingGroup

ONE_DAY = datetime.timedelta(days=1)
ROW_HEIGHT = 40  # px per commitment on the chart
MAX_ROWS = 200
# The span shown at first around today (the slider under the chart moves it).
WINDOW = datetime.timedelta(days=300)  # the chart stays readable; the filters narrow it


class KeyGanttFilterForm(BootstrapMixin, forms.Form):
    working_group = forms.ModelChoiceField(
        label=gettext_lazy("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )
    industry = forms.ModelChoiceField(
        label=gettext_lazy("Industry"), queryset=Industry.objects.none(), required=False
    )
    light = forms.ChoiceField(label=gettext_lazy("Light"), required=False)
    late = forms.BooleanField(label=gettext_lazy("With a late milestone only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = WorkingGroup.objects.visible_to(user).order_by(
            "district_id", "id"
        )
        self.fields["industry"].queryset = Industry.objects.visible_to(user).order_by(
            "district_id", "id"
        )
        for name in ("working_group", "industry"):
            self.fields[name].empty_label = _("All")
        self.fields["light"].choices = [
            ("", _("All")),
            (Light.RED.value, Light.RED.label),
            (Light.YELLOW.value, Light.YELLOW.label),
            (Light.GREEN.value, Light.GREEN.label),
        ]

    def error_list(self) -> list[str]:
        """Every error as "field label: message" (the 400 page names the field)."""
        return [
            f"{self.fields[name].label}：{message}" if name in self.fields else str(message)
            for name, errors in self.errors.items()
            for message in errors
        ]


@dataclass
class GanttRow:
    commitment: Commitment
    milestones: list = field(default_factory=list)

    @property
    def project(self):
        return self.commitment.project

    def label(self, show_district: bool = False) -> str:
        """The row's name: the project and the commitment (a city user also reads the
        district)."""
        name = f"{self.project.name} · {self.commitment.title}"
        return f"{self.commitment.district.name} · {name}" if show_district else name

    def count(self, *states) -> int:
        return sum(1 for m in self.milestones if m.state in states)


def key_commitments(user, today: datetime.date, data: dict | None = None):
    """The commitments of the key projects ``user`` sees, filtered, with their milestones
    (``with_state``) — two queries whatever their number."""
    data = data or {}
    qs = (
        Commitment.objects.visible_to(user)
        .filter(project__level__in=KEY_LEVELS)
        .with_progress(today)
        .select_related("project", "department", "district")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.with_state(today).order_by("seq", "id"),
                to_attr="states",
            )
        )
    )
    if data.get("working_group"):
        qs = qs.filter(project__working_group=data["working_group"])
    if data.get("industry"):
        qs = qs.filter(project__industry=data["industry"])
    if data.get("light"):
        qs = qs.filter(light=data["light"])
    if data.get("late"):
        late = Milestone.objects.filter(commitment=OuterRef("pk")).filter(milestone_late_q(today))
        qs = qs.filter(Exists(late))
    qs = qs.annotate(light_order=LIGHT_ORDER).order_by(
        "light_order", "project__code", "target_on", "id"
    )
    return [GanttRow(c, c.states) for c in qs[:MAX_ROWS]]


# ---------------------------------------------------------------------------------------
# The bars


def _d(day: datetime.date | None) -> str:
    return day.isoformat() if day else "—"


def actual_spans(milestones, today: datetime.date) -> list[dict]:
    """What happened, milestone by milestone: [{"milestone", "start", "end", "state"}] —
    each done one from the day after the one before it was done (the first: its planned
    start) to the day it was done; then the running one, if it has started, up to today.
    The milestones after the running one have no actual span yet."""
    spans, at = [], None
    for m in milestones:
        start = at or m.planned_start_on
        if m.done_on is not None:
            spans.append(
                {"milestone": m, "start": min(start, m.done_on), "end": m.done_on, "state": m.state}
            )
            at = m.done_on + ONE_DAY
            continue
        if start <= today:
            spans.append({"milestone": m, "start": start, "end": today, "state": m.state})
        break
    return spans


COLOURS = {
    MilestoneState.DONE: charts.GREEN,
    MilestoneState.DONE_LATE: charts.RED,
    MilestoneState.MISSED: charts.RED,
    MilestoneState.OPEN: charts.GREY,
}


def colour(span: dict) -> str:
    """A span's colour: its milestone's state (``COLOURS``), except that a running one due
    soon is yellow, as its light is on the commitments' pages (``with_state``)."""
    m = span["milestone"]
    if span["state"] == MilestoneState.OPEN and getattr(m, "light", None) == Light.YELLOW:
        return charts.YELLOW
    return COLOURS[span["state"]]


def _tooltip(row: GanttRow, m, *lines: str) -> str:
    head = f"{escape(row.project.name)} · {escape(row.commitment.title)}"
    return "<br>".join([head, f"<b>{escape(m.name)}</b>", *(escape(x) for x in lines)])


def chart_rows(
    rows: list[GanttRow], today: datetime.date, show_district: bool = False
) -> list[dict]:
    """The rows of ``charts.gantt``: the planned lane and the actual lane of each
    commitment, every bar opening the project's page."""
    out = []
    for row in rows:
        url = reverse("projects:detail", args=[row.project.pk])
        planned = [
            {
                "start": m.planned_start_on,
                "end": m.due_on,
                "color": charts.GANTT_PLANNED,
                "url": url,
                "tooltip": _tooltip(
                    row,
                    m,
                    _("Planned: %(start)s to %(due)s")
                    % {"start": _d(m.planned_start_on), "due": _d(m.due_on)},
                    _("Done on: %(done)s") % {"done": _d(m.done_on)},
                    str(MilestoneState(m.state).label),
                ),
            }
            for m in row.milestones
        ]
        actual = [
            {
                "start": s["start"],
                "end": s["end"],
                "color": colour(s),
                "url": url,
                "tooltip": _tooltip(
                    row,
                    s["milestone"],
                    _("Actual: %(start)s to %(end)s")
                    % {"start": _d(s["start"]), "end": _d(s["end"])},
                    _("Due on: %(due)s") % {"due": _d(s["milestone"].due_on)},
                    str(MilestoneState(s["state"]).label),
                ),
            }
            for s in actual_spans(row.milestones, today)
        ]
        label = row.label(show_district)
        out.append({"label": label, "lanes": {"planned": planned, "actual": actual}})
    return out


def gantt_chart(
    rows: list[GanttRow], today: datetime.date, show_district: bool = False
) -> charts.Chart:
    option = charts.gantt(
        chart_rows(rows, today, show_district),
        lanes=[("planned", _("As planned")), ("actual", _("As done"))],
        today=today,
        today_label=_("Today"),
        window=(today - WINDOW, today + WINDOW),
        legend=[
            (_("As planned"), charts.GANTT_PLANNED),
            (_("Kept"), charts.GREEN),
            (_("Late or missed"), charts.RED),
            (Light.YELLOW.label, charts.YELLOW),
            (_("Running"), charts.GREY),
        ],
    )
    table = charts.Table(
        [
            _("Project · commitment"),
            _("Milestones"),
            _("Kept"),
            _("Done late"),
            _("Missed"),
            _("Running"),
            _("Target date"),
            _("Light"),
        ]
    )
    for row in rows:
        c = row.commitment
        table.add(
            row.label(show_district),
            len(row.milestones),
            row.count(MilestoneState.DONE),
            row.count(MilestoneState.DONE_LATE),
            row.count(MilestoneState.MISSED),
            row.count(MilestoneState.OPEN),
            _d(c.target_on),
            Light(c.light).label if c.light != Light.NONE else _("Commitment completed"),
            url=reverse("projects:detail", args=[row.project.pk]),
        )
    return charts.Chart(
        key="key-gantt",
        title=_("Key projects' milestones: planned and actual"),
        option=option,
        table=table,
        height=max(200, 110 + ROW_HEIGHT * len(rows)),
        hide_table=True,  # drawn below the chart's sideways scroll (_gantt_table.html)
    )


@login_required
def key_gantt(request):
    """The Gantt chart of the key projects' milestones the user sees, filtered."""
    user = request.user
    require(roles.is_staff_user(user))
    today = clock.today()
    form = KeyGanttFilterForm(request.GET or None, user=user)
    context: dict = {"form": form, "today": today}
    if request.GET and not form.is_valid():
        context["errors"] = form.error_list()
        return render(request, "agreements/key_gantt.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    rows = key_commitments(user, today, data)
    chart = gantt_chart(rows, today, roles.sees_all_districts(user))
    scope = _("The city") if roles.sees_all_districts(user) else getattr(user.district, "name", "")
    charts.name_pngs([chart], scope, today.isoformat())
    context.update(
        rows=rows,
        chart=chart,
        capped=len(rows) >= MAX_ROWS,
        show_district=roles.sees_all_districts(user),
    )
    return render(request, "agreements/key_gantt.html", context)
