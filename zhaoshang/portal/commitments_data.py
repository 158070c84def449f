"""The commitments of both sides for an enterprise's projects (the service hall's
commitments page and its API): the obligations of its investment agreements — its own and
the departments' — with their status derived by ``agreements`` (``with_status``: met,
met late, missed, not due yet, waived; days left and light by the district's rule), and
the departments' service commitments (服务承诺) with their reverse schedules
(``with_progress``, ``with_state``; a milestone's due date is 暂定 while the holiday
arrangement of its year is unpublished). Nothing is recomputed here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from zhaoshang.agreements.choices import Party
from zhaoshang.agreements.models import Agreement, Commitment, Milestone, Obligation
from zhaoshang.agreements.views.common import days_left_text
from zhaoshang.portal.access import own_projects


def obligations_of(user, today: datetime.date):
    """The obligations of the enterprise's agreements (both parties), status in SQL."""
    return (
        Obligation.objects.filter(agreement__project__enterprise_id=user.enterprise_id)
        .with_status(today)
        .select_related("department", "agreement")
        .order_by("due_on", "id")
    )


def commitments_of(user, today: datetime.date):
    """The departments' service commitments to the enterprise's projects, with their
    milestones (state, days left and light in SQL)."""
    milestones = (
        Milestone.objects.with_state(today).select_related("owner_department").order_by("seq", "id")
    )
    return (
        Commitment.objects.filter(project__enterprise_id=user.enterprise_id)
        .with_progress(today)
        .select_related("department")
        .prefetch_related(Prefetch("milestones", queryset=milestones))
        .order_by("target_on", "id")
    )


@dataclass
class ProjectCommitments:
    """One project's agreement and the commitments of both sides."""

    project: object
    agreement: object = None
    own: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    commitments: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.agreement or self.own or self.departments or self.commitments)


def by_project(user, today: datetime.date) -> list[ProjectCommitments]:
    """The enterprise's projects that have an agreement or a commitment, newest first,
    each with its obligations (its own, the departments') and commitments — four queries
    and the milestones' prefetch, whatever the number of rows."""
    projects = {
        p.pk: ProjectCommitments(p)
        for p in own_projects(user).select_related("park").order_by("-id")
    }
    for agreement in Agreement.objects.filter(project_id__in=list(projects)):
        projects[agreement.project_id].agreement = agreement
    for o in obligations_of(user, today):
        o.days_left_text = days_left_text(o)
        group = projects[o.agreement.project_id]
        (group.own if o.party == Party.ENTERPRISE else group.departments).append(o)
    for c in commitments_of(user, today):
        for m in c.milestones.all():
            m.days_left_text = days_left_text(m)
        projects[c.project_id].commitments.append(c)
    return [group for group in projects.values() if not group.is_empty]
