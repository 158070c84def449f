"""The lights' history of the demo city (issue 16 point 7): the month-end rows the daily scan
would have written over the last year (``monitoring.services.record_lights``), so a closed
month's summary and a closed quarter's bulletin show the lights of their last day.

The demo's history is replayed part by part, not day by day, so no day's scan can be run as
it was; each month end's lights are read back from the dated records instead, as the scan
saw them then: an item lit today was lit from the day it turned (its ``since``: red once
past its due date, yellow before); an approval case, a milestone or a complaint finished
late was red from the day after its due date until it was finished; an obligation missed
at the month's end (``with_met`` as of that day) was red. Each project shows its worst light
and the items of that light. One bulk write per month end."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from zhaoshang.agreements.choices import ObligationStatus
from zhaoshang.agreements.models import Milestone, Obligation
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.complaints.models import Complaint
from zhaoshang.core.lights import Light
from zhaoshang.demo import days
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.services import record_lights
from zhaoshang.projects.models import Project

DAY = datetime.timedelta(days=1)
MONTHS = 12  # the month ends of the last year (a year boundary among them)


def month_ends(today: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    """The last days of the ``months`` months before today's, oldest first."""
    first = days.add_months(today, -months)
    return [days.month_end(m) for m in days.months(first, days.add_months(today, -1))]


def _reason(title, department, due_on) -> dict:
    return {
        "title": str(title)[:200],
        "department": department or "",
        "due_on": due_on.isoformat() if due_on else "",
    }


class LightsHistory:
    def __init__(self, builder):
        self.today = builder.today
        self.districts = [w.district.pk for w in builder.worlds]
        self.projects = Project.objects.filter(district__in=self.districts)
        self.signals = list(
            Signal.objects.filter(district__in=self.districts, project__isnull=False).values_list(
                "project_id", "light", "title", "department__name", "due_on", "since"
            )
        )

    def build(self) -> int:
        written = 0
        for end in month_ends(self.today):
            lights = self.lights_on(end)
            # the projects signed by then, and any lit then (a lead's case)
            scope = self.projects.filter(Q(signed_on__lte=end) | Q(pk__in=list(lights)))
            written += record_lights(end, lights, scope)
        return written

    def lights_on(self, end: datetime.date) -> dict:
        lit: dict[int, dict] = defaultdict(dict)  # project -> {(title, due): (light, reason)}

        def add(project_id, light, title, department, due_on):
            lit[project_id].setdefault(
                (str(title)[:200], due_on), (light, _reason(title, department, due_on))
            )

        for project_id, light, title, department, due_on, since in self.signals:
            if since <= end:
                overdue = due_on < end if due_on else light == Light.RED
                add(project_id, Light.RED if overdue else Light.YELLOW, title, department, due_on)
        late_then = {"due_on__lt": end, "done_on__gt": end}
        for row in ApprovalCase.objects.filter(
            district__in=self.districts, project__isnull=False, **late_then
        ).values_list("project_id", "item__name", "department__name", "due_on"):
            add(row[0], Light.RED, *row[1:])
        for row in Milestone.objects.filter(
            commitment__district__in=self.districts, **late_then
        ).values_list("commitment__project_id", "name", "owner_department__name", "due_on"):
            add(row[0], Light.RED, *row[1:])
        for row in Complaint.objects.filter(
            district__in=self.districts,
            project__isnull=False,
            answer_by__lt=end,
            answered_on__gt=end,
        ).values_list("project_id", "number", "department__name", "answer_by"):
            add(row[0], Light.RED, *row[1:])
        missed = (
            Obligation.objects.filter(district__in=self.districts)
            .with_met(end)
            .filter(status=ObligationStatus.MISSED)
            .select_related("agreement", "department")
        )
        for ob in missed:
            department = ob.department.name if ob.department_id else ""
            add(ob.agreement.project_id, Light.RED, ob.description, department, ob.due_on)
        out = {}
        for project_id, items in lit.items():
            worst = (
                Light.RED
                if any(light == Light.RED for light, _r in items.values())
                else Light.YELLOW
            )
            reasons = [r for light, r in items.values() if light == worst]
            out[project_id] = (worst, sorted(reasons, key=lambda r: (r["due_on"], r["title"])))
        return out
