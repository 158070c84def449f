"""按季通报: the quarterly bulletin ranking the departments (timeliness, commitments kept,
complaints), ranking them by the enterprises' satisfaction (好差评) and naming the
red-light projects.

"On time" is each record's own rule, the one its pages, the KPIs and the ledger read:
a case done on time is ``approvals.querysets.on_time_q``, a milestone kept
``agreements.querysets.milestone_kept_q``, a complaint answered late
``complaints.querysets.answered_late_q``.

A closed quarter's figures are those of its last day (issue 16 point 7): cases done by then,
findings recorded by then, answers late by then, and the red-light projects of that day from
the daily scan's history — never a status or finding written afterwards."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, DateField, F, Q
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.agreements.querysets import milestone_kept_q
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.querysets import on_time_q
from zhaoshang.complaints.choices import SUBSTANTIATED_OUTCOMES
from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.querysets import answered_late_q
from zhaoshang.core.history import field_on
from zhaoshang.core.lights import Light
from zhaoshang.monitoring.lights import project_light_on, project_reasons_on
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.querysets import light_q
from zhaoshang.org.models import Department
from zhaoshang.projects.models import Project
from zhaoshang.ratings.services import satisfaction, satisfaction_total
from zhaoshang.reports.choices import Period
from zhaoshang.reports.figures.common import (
    Progress,
    _noop,
    as_of,
    is_closed,
    rate,
    reason_text,
)

# The weights of the combined score (documented on the report).
WEIGHT_TIMELINESS = 40
WEIGHT_COMMITMENTS = 40
WEIGHT_COMPLAINTS = 20


def combined_score(timeliness, commitments, complaints, substantiated, late) -> float:
    """The bulletin's combined score (0–100), higher is better:

    40 × timeliness rate + 40 × commitments-kept rate + 20 × complaint score, where a rate
    with nothing to count is 1 (nothing was late) and the complaint score is
    1 − (substantiated + answered late) ÷ (2 × complaints), or 1 without complaints."""
    t = 1.0 if timeliness is None else timeliness
    c = 1.0 if commitments is None else commitments
    k = 1.0 - (substantiated + late) / (2 * complaints) if complaints else 1.0
    return round(WEIGHT_TIMELINESS * t + WEIGHT_COMMITMENTS * c + WEIGHT_COMPLAINTS * k, 1)


def formula_text() -> str:
    return _(
        "Combined score = 40 × timeliness (cases done on time ÷ cases done in the quarter) "
        "+ 40 × commitments kept (milestones due in the quarter done by their due date ÷ "
        "milestones due) + 20 × (1 − (substantiated + answered late) ÷ (2 × complaints)); a "
        "rate with nothing to count counts as 1. Equal scores share a rank."
    )


def rank_rows(rows: list, key) -> None:
    """Competition ranking (1, 2, 2, 4) by ``key`` descending; writes ``rank`` in place."""
    rows.sort(key=lambda r: -key(r))
    previous, rank = None, 0
    for position, row in enumerate(rows, 1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row["rank"] = rank


def _red_projects(period: Period, district) -> list[list]:
    """The red-light projects and why: today's signals for the current quarter; for a
    closed quarter, the lights of its last day from the daily scan's history."""
    if is_closed(period):
        rows = (
            Project.objects.filter(district=district)
            .annotate(light_then=project_light_on(period.end))
            .filter(light_then=Light.RED)
            .annotate(reasons_then=project_reasons_on(period.end))
            .order_by("code")
            .values_list("code", "name", "park__name", "reasons_then")
        )
        return [
            [code, name, park or "", len(why or []), "；".join(reason_text(r) for r in why or [])]
            for code, name, park, why in rows
        ]
    red = (
        Signal.objects.filter(light_q(Light.RED), district=district, project__isnull=False)
        .select_related("project__park", "department")
        .order_by("project__code", "due_on", "id")
    )
    named: dict[int, dict] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    for signal in red:
        project = signal.project
        named.setdefault(
            project.pk,
            {
                "code": project.code,
                "name": project.name,
                "park": project.park.name if project.park_id else "",
            },
        )
        reasons[project.pk].append(
            reason_text(
                {
                    "title": signal.title,
                    "department": signal.department.name if signal.department_id else "",
                    "due_on": f"{signal.due_on:%Y-%m-%d}" if signal.due_on else "",
                }
            )
        )
    return [
        [p["code"], p["name"], p["park"], len(reasons[pk]), "；".join(reasons[pk])]
        for pk, p in named.items()
    ]


def _milestones(period: Period, district, end) -> dict:
    """{owner department: {"due", "kept"}} of the milestones due in the quarter. For a
    closed quarter, by the due date each had at the quarter's end (its history): one
    rescheduled afterwards (an approved change) stays in the quarter it was due in, kept or
    not by that date (``milestone_kept_q``'s rule, against that date)."""
    qs = Milestone.objects.filter(commitment__district=district)
    if is_closed(period):
        qs = qs.annotate(due_then=field_on(Milestone, end, "due_on", DateField())).filter(
            due_then__gte=period.start, due_then__lte=end
        )
        kept = Q(done_on__isnull=False, done_on__lte=F("due_then"))
    else:
        qs, kept = qs.due(until=end, since=period.start), milestone_kept_q()
    rows = qs.order_by().values("owner_department_id")
    return {
        row["owner_department_id"]: row
        for row in rows.annotate(due=Count("pk"), kept=Count("pk", filter=kept))
    }


def _satisfaction(period: Period, district, end) -> dict:
    """The departments ranked by the enterprises' satisfaction with them in the quarter
    (``ratings.services.satisfaction``: the ratings given from the quarter's first day to
    its end; a rating is dated and never changes, so a closed quarter's stay put)."""
    found = satisfaction(district.pk, period.start, end)
    rows = [
        {
            "department": s.department,
            "rate": rate(s.satisfied + s.fairly, s.rated),
            "cells": [s.rated, s.satisfied, s.fairly, s.dissatisfied],
        }
        for s in found
    ]
    rank_rows(rows, key=lambda r: r["rate"])
    total = satisfaction_total(found)
    return {
        "rows": [[r["rank"], r["department"], *r["cells"], r["rate"]] for r in rows],
        "total": rate(total.satisfied + total.fairly, total.rated),
    }


def quarterly(period: Period, district, *, progress: Progress = _noop) -> dict:
    end = as_of(period)
    cases = {
        row["department_id"]: row
        for row in ApprovalCase.objects.filter(district=district)
        .done(until=end, since=period.start)
        .order_by()
        .values("department_id")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=on_time_q()))
    }
    milestones = _milestones(period, district, end)
    complaints = {
        row["department_id"]: row
        for row in Complaint.objects.filter(district=district, department__isnull=False)
        .received(until=end, since=period.start)
        .order_by()
        .values("department_id")
        .annotate(
            n=Count("pk"),
            # as of the quarter's end: a finding recorded by then (one carried over from
            # before findings were dated, by its answer), lateness seen by then
            substantiated=Count(
                "pk",
                filter=Q(outcome__in=SUBSTANTIATED_OUTCOMES)
                & (Q(found_on__lte=end) | Q(found_on__isnull=True, answered_on__lte=end)),
            ),
            late=Count("pk", filter=answered_late_q(end) & Q(answer_by__lt=end)),
        )
    }
    progress(40)
    rows = []
    active = set(cases) | set(milestones) | set(complaints)
    for dept in Department.objects.filter(district=district, pk__in=active).order_by(
        "sort_order", "id"
    ):
        c = cases.get(dept.pk, {})
        m = milestones.get(dept.pk, {})
        k = complaints.get(dept.pk, {})
        done, on_time = c.get("done", 0), c.get("on_time", 0)
        due, kept = m.get("due", 0), m.get("kept", 0)
        n, sub, late = k.get("n", 0), k.get("substantiated", 0), k.get("late", 0)
        timeliness, commitments = rate(on_time, done), rate(kept, due)
        rows.append(
            {
                "department": dept.name,
                "cells": [
                    done,
                    on_time,
                    timeliness,
                    due,
                    kept,
                    commitments,
                    n,
                    sub,
                    late,
                    combined_score(timeliness, commitments, n, sub, late),
                ],
            }
        )
    rank_rows(rows, key=lambda r: r["cells"][-1])
    progress(60)
    satisfaction_rows = _satisfaction(period, district, end)
    red_rows = _red_projects(period, district)
    progress(90)
    return {
        "as_of": end.isoformat(),
        "project_count": len(red_rows),
        "summary": [
            [_("Departments ranked"), len(rows), "int"],
            [_("Approval cases done"), sum(r["cells"][0] for r in rows), "int"],
            [_("Milestones due"), sum(r["cells"][3] for r in rows), "int"],
            [_("Complaints"), sum(r["cells"][6] for r in rows), "int"],
            [_("Red-light projects"), len(red_rows), "int"],
            [_("Enterprise satisfaction"), satisfaction_rows["total"], "rate"],
        ],
        "formula": formula_text(),
        "sections": [
            {
                "heading": _("Departments ranked"),
                "note": formula_text(),
                "columns": [
                    [_("Rank"), "int"],
                    [_("Department"), "text"],
                    [_("Cases done"), "int"],
                    [_("Done on time"), "int"],
                    [_("Timeliness"), "rate"],
                    [_("Milestones due"), "int"],
                    [_("Kept"), "int"],
                    [_("Commitments kept"), "rate"],
                    [_("Complaints"), "int"],
                    [_("Substantiated"), "int"],
                    [_("Answered late"), "int"],
                    [_("Combined score"), "score"],
                ],
                "rows": [[r["rank"], r["department"], *r["cells"]] for r in rows],
                "total": None,
            },
            {
                "heading": _("Enterprise satisfaction per department"),
                "note": _(
                    "The enterprises' ratings (好差评) of each department given in the "
                    "quarter: satisfaction rate = (satisfied + fairly satisfied) ÷ ratings; "
                    "the best first, equal rates share a rank."
                ),
                "columns": [
                    [_("Rank"), "int"],
                    [_("Department"), "text"],
                    [_("Ratings"), "int"],
                    [_("Satisfied"), "int"],
                    [_("Fairly satisfied"), "int"],
                    [_("Dissatisfied"), "int"],
                    [_("Satisfaction rate"), "rate"],
                ],
                "rows": satisfaction_rows["rows"],
                "total": None,
            },
            {
                "heading": _("Red-light projects"),
                "note": _(
                    "Projects with an overdue item at the quarter's end (the daily scan's "
                    "record of that day; for the current quarter, today), and why."
                ),
                "columns": [
                    [_("Code"), "text"],
                    [_("Project"), "text"],
                    [_("Park"), "text"],
                    [_("Red items"), "int"],
                    [_("Why (red items)"), "text"],
                ],
                "rows": red_rows,
                "total": None,
            },
        ],
    }
