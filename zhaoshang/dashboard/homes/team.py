"""The project manager's and secretary's home (项目经理制/项目秘书制): the projects they
hold, each with its monthly report of last month when one is due and missing (the stages
that report: ``REPORTING_STAGES``) and its next open milestone of the reverse schedule."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from zhaoshang.agreements.models import Milestone
from zhaoshang.core import clock
from zhaoshang.dashboard.homes import Section
from zhaoshang.projects.choices import REPORTING_STAGES, TeamRole
from zhaoshang.projects.models import MonthlyReport, Project

SHOWN = 12


def last_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def section(request) -> Section | None:
    user = request.user
    month = last_month(clock.today())
    next_milestone = Milestone.objects.open().filter(commitment__project=OuterRef("pk"))
    projects = list(
        Project.objects.visible_to(user)
        .filter(
            pk__in=Project.objects.filter(
                team_members__user=user,
                team_members__role__in=(TeamRole.MANAGER, TeamRole.SECRETARY),
            ).values("pk")
        )
        .annotate(
            reported=Exists(MonthlyReport.objects.filter(project=OuterRef("pk"), month=month)),
            next_due_on=Subquery(next_milestone.order_by("due_on", "id").values("due_on")[:1]),
            next_name=Subquery(next_milestone.order_by("due_on", "id").values("name")[:1]),
        )
        .order_by("name", "id")[:SHOWN]
    )
    if not projects:
        return None
    for project in projects:
        project.report_missing = project.stage in REPORTING_STAGES and not project.reported
    projects.sort(key=lambda p: (not p.report_missing, p.next_due_on or datetime.date.max))
    return Section(
        "team",
        _("The projects I manage or serve as secretary"),
        [],
        template="dashboard/homes/team.html",
        extra={"projects": projects, "month": month, "today": clock.today()},
    )
