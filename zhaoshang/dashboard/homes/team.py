"""The project manager's and secretary's home (项目经理制/项目秘书制): the receipts to file
(the open approval cases of the projects they serve that no receipt records a visit for yet:
the worklist's own filter), and the projects they hold, each with its monthly report of last
month when one is due and missing (the stages that report: ``REPORTING_STAGES``) and its
next open milestone of the reverse schedule."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.approvals.views import filtered_cases
from zhaoshang.core import clock
from zhaoshang.dashboard.homes import Section, counted
from zhaoshang.projects.choices import REPORTING_STAGES, TeamRole
from zhaoshang.projects.models import MonthlyReport, Project

SHOWN = 12
# The worklist's query string of the receipts to file.
TO_FILE = {"mine": "on", "no_receipt": "on"}


def last_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def section(request) -> Section | None:
    user = request.user
    month = last_month(clock.today())
    next_milestone = Milestone.objects.open().filter(commitment__project=OuterRef("pk"))
    held = (
        Project.objects.visible_to(user)
        .filter(
            pk__in=Project.objects.filter(
                team_members__user=user,
                team_members__role__in=(TeamRole.MANAGER, TeamRole.SECRETARY),
            ).values("pk")
        )
        .annotate(
            reported=Exists(MonthlyReport.objects.filter(project=OuterRef("pk"), month=month)),
            report_missing=Case(
                When(Q(stage__in=REPORTING_STAGES, reported=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    counts = held.aggregate(total=Count("pk"), missing=Count("pk", filter=Q(report_missing=True)))
    if not counts["total"]:
        return None
    # The missing reports first, then the nearest deadline: the first rows are today's work.
    projects = list(
        held.annotate(
            next_due_on=Subquery(next_milestone.order_by("due_on", "id").values("due_on")[:1]),
            next_name=Subquery(next_milestone.order_by("due_on", "id").values("name")[:1]),
        ).order_by("-report_missing", F("next_due_on").asc(nulls_last=True), "name", "id")[:SHOWN]
    )
    to_file = counted(
        request,
        "approvals:worklist",
        filtered_cases,
        TO_FILE,
        _("Receipts to file: open cases with no receipt yet"),
        "warning",
    )
    return Section(
        "team",
        _("The projects I manage or serve as secretary"),
        [to_file],
        template="dashboard/homes/team.html",
        extra={
            "projects": projects,
            "month": month,
            "today": clock.today(),
            "missing": counts["missing"],
            "total": counts["total"],
        },
    )
