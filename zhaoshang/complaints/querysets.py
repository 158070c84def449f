"""Complaint scoping (SPEC §1, §9) and the SQL-side light of the complaint desk.

Every district-wide role sees the district's complaints; a park committee sees those about
its projects or against its own department; city users see every district, read-only;
enterprise users see none here (the portal comes later).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, Q, Value, When

from zhaoshang.complaints.choices import OPEN_STATUSES, TIMED_STATUSES
from zhaoshang.core import roles
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.workdays.querysets import days_left_expression

# The one definition of a complaint answered late (超时答复), read by the quarterly
# bulletin's "answered late" and the complaint itself (``Complaint.answered_late``). The
# answer is due by ``answer_by`` (counted from the dispatch, or from the reopening; moved by
# an approved extension). Answered on its answer-by day it is on time (the day counts); a
# complaint never dispatched has no answer-by date and cannot be late. It is late when
# answered after the date, or still to answer (dispatched or accepted) once the date has
# passed. The bulletin used to test "not answered" as ``answered_on IS NULL``, which missed
# a complaint reopened (不满意) and left unanswered past its new answer-by date — the
# complaint desk shows it red; now it is late everywhere, as the work plan's 及时办结 asks.
# The answer measured is the department's (its account with the facts, ``answered_on``): the
# days the supervision office then takes to verify it are the office's, not the department's.


def answered_on_time_q(prefix: str = ""):
    """SQL: a complaint answered on or before its answer-by date."""
    return Q(
        **{
            f"{prefix}answered_on__isnull": False,
            f"{prefix}answered_on__lte": F(f"{prefix}answer_by"),
        }
    )


def answered_late_q(as_of: datetime.date, prefix: str = ""):
    """SQL: a complaint answered late as of ``as_of``: answered after its answer-by date, or
    still to answer after it."""
    return Q(**{f"{prefix}answered_on__gt": F(f"{prefix}answer_by")}) | Q(
        **{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}answer_by__lt": as_of}
    )


class ComplaintQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        from zhaoshang.projects.models import Project

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        user_roles = roles.roles_of(user)
        if not user.district_id or not user_roles:
            return self.none()
        qs = self.filter(district_id=user.district_id)
        if user_roles & roles.DISTRICT_WIDE_ROLES:
            return qs
        if roles.Role.PARK in user_roles:
            rule = Q(project__in=Project.objects.visible_to(user).values("pk"))
            if user.department_id:
                rule |= Q(department_id=user.department_id)
            return qs.filter(rule)
        return self.none()

    def open(self):
        """The complaints the department complained about has to act on (accept, answer):
        the daily scan's, whose signals are the department's. A complaint the supervision
        office is verifying is not the department's time."""
        return self.filter(status__in=OPEN_STATUSES)

    def received(self, until: datetime.date | None = None, since: datetime.date | None = None):
        """Complaints received on a day from ``since`` up to ``until`` when given."""
        qs = self
        if since is not None:
            qs = qs.filter(received_on__gte=since)
        if until is not None:
            qs = qs.filter(received_on__lte=until)
        return qs

    def answered_late(self, as_of: datetime.date):
        """Of these complaints, those answered late as of ``as_of`` (``answered_late_q``)."""
        return self.filter(answered_late_q(as_of))

    def with_days_left(self, today: datetime.date):
        """``days_left`` to the current deadline (accept-by, then answer-by: the
        department's; then verify-by: the supervision office's), computed in SQL, and
        ``light`` by the district's light rule for complaints (yellow from its window before
        the deadline); a complaint nobody has to act on has no light."""
        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(~Q(status__in=TIMED_STATUSES), then=Value(Light.NONE)),
                When(due_on__isnull=True, then=Value(Light.NONE)),
                When(days_left__lt=0, then=Value(Light.RED)),
                When(days_left__lte=yellow_within(Subject.COMPLAINT), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )
