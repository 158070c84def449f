"""Approval scoping, the SQL-side annotations of the worklists, and the one definition of
a case done on time (按时办结)."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, Q, Value, When

from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus, Party
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.parts import LiteralIn
from zhaoshang.core.querysets import DistrictScopedQuerySet, ProjectScopedQuerySet
from zhaoshang.workdays.querysets import days_left_expression


def done_q(until: datetime.date | None = None, since: datetime.date | None = None, prefix=""):
    """SQL: a case done (办结), on a day from ``since`` up to ``until`` when given.
    ``prefix`` reaches the case from another model (``"approval_cases__"``)."""
    q = Q(**{f"{prefix}status": CaseStatus.DONE})
    if since is not None:
        q &= Q(**{f"{prefix}done_on__gte": since})
    if until is not None:
        q &= Q(**{f"{prefix}done_on__lte": until})
    return q


def on_time_q(prefix: str = ""):
    """SQL: a done case is on time (按时办结) for the department holding it when it was done
    on or before its due date — the district's promise (承诺时限), the limit a case is
    registered with — or when its lateness belongs to another party
    (``services.attribution``: a prerequisite's department, the service center's
    registration, the higher authority after 上报, the enterprise), recorded on the case as
    ``late_party``/``late_department`` when it is done late. A department answers only for
    the days it held the case (SPEC §20 "Whose days").

    A case done without a due date (the limit never started: e.g. materials never recorded
    as complete, and no joint decision) cannot be late: it counts as on time — the work
    plan measures lateness against the due date, and there was none to miss. A case done
    late before its lateness was attributed (``late_party`` empty) counts as late. The
    ledger agrees: a late case writes its overdue entry to the department answering for it,
    none when no district department does. The KPIs, the quarterly bulletin and the
    assessment all read this definition."""
    late_for_holder = Q(**{f"{prefix}late_party": ""}) | Q(
        **{
            f"{prefix}late_party": Party.DEPARTMENT,
            f"{prefix}late_department": F(f"{prefix}department"),
        }
    )
    return (
        Q(**{f"{prefix}due_on__isnull": True})
        | Q(**{f"{prefix}done_on__lte": F(f"{prefix}due_on")})
        | ~late_for_holder
    )


def overdue_q(today: datetime.date, prefix: str = ""):
    """SQL: an open case past its due date as of ``today`` and not paused — red on the
    worklist (``with_days_left``), overdue on the project's service view."""
    return Q(
        **{
            f"{prefix}status__in": OPEN_STATUSES,
            f"{prefix}paused": False,
            f"{prefix}due_on__lt": today,
        }
    )


# The worklist's order — running cases first, the least time left first (by due date);
# paused and not yet started after, by due date, none last; then by id — as three parts,
# each read in plain columns' order off an index (``approvals_case_running``, ``_paused``:
# partial, of the open cases; ``_district_due`` for those not started), so that a page of a
# district's tens of thousands of open cases does not sort them all (``core.parts``). The
# open statuses are written in the statement, as in the indexes' condition (``LiteralIn``).
WORKLIST_PARTS = (
    (Q(paused=False, due_on__isnull=False), ("due_on", "id")),  # running
    (Q(paused=True, due_on__isnull=False), ("due_on", "id")),  # paused
    (Q(due_on__isnull=True), ("id",)),  # not started (or paused before it was)
)
# The worklist's cases are open: said again in each part's cut as the partial indexes'
# condition says it (``InParts(index_terms=…)``).
WORKLIST_INDEX_TERMS = Q(LiteralIn(F("status"), OPEN_STATUSES))


class ApprovalItemQuerySet(DistrictScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class ApprovalCaseQuerySet(ProjectScopedQuerySet):
    """Cases are visible with their project (信息共享); acting on them is limited to the
    department holding the case (see permissions.py)."""

    # A case is registered in its project's district (``services.register_case``).
    district_follows_project = True

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def done(self, until: datetime.date | None = None, since: datetime.date | None = None):
        """Cases done (办结), on a day from ``since`` up to ``until`` when given."""
        return self.filter(done_q(until, since))

    def on_time(self):
        """Of these cases, those done on time (``on_time_q``)."""
        return self.filter(on_time_q())

    def overdue(self, today: datetime.date):
        """Open cases past their due date, not paused (``overdue_q``)."""
        return self.filter(overdue_q(today))

    def with_days_left(self, today: datetime.date):
        """``days_left`` (working days to the due date, computed in SQL) and ``light``
        (yellow from the district's rule for cases).

        Red is a due date before today — what ``days_left < 0`` says (the working-day
        index runs without a gap from its first day, so a past due date has a negative
        count), judged without looking the date up: the light reads the index once for
        a case not yet due, not at all for one past due (``days_left`` itself once)."""
        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(Q(due_on__isnull=True) | ~Q(status__in=OPEN_STATUSES), then=Value(Light.NONE)),
                When(paused=True, then=Value(Light.NONE)),
                When(due_on__lt=today, then=Value(Light.RED)),
                When(days_left__lte=yellow_within(Subject.CASE), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )
