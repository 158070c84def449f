"""Meeting and action-item scoping (SPEC §1) and the SQL-side annotations of the board.

Meetings and action items are the district's shared business (信息共享): every district-wide
role sees them all; a park committee sees the meetings it attends or that discuss its
projects, and the action items it owns or that concern its projects; city users see every
district, read-only; enterprise users see none.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, IntegerField, Q, Value, When

from zhaoshang.core import roles
from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.meetings.choices import OPEN_ACTION_STATUSES, ActionStatus
from zhaoshang.workdays.querysets import days_left_expression


def _visible_projects(user):
    from zhaoshang.projects.models import Project

    return Project.objects.visible_to(user).values("pk")


def _scope(queryset, user, park_rule):
    """The district-wide rule shared by both querysets; ``park_rule(user)`` is the Q of
    a park committee's rows."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if roles.sees_all_districts(user):
        return queryset.all()
    user_roles = roles.roles_of(user)
    if not user.district_id or not user_roles:
        return queryset.none()
    queryset = queryset.filter(district_id=user.district_id)
    if user_roles & roles.DISTRICT_WIDE_ROLES:
        return queryset
    if roles.Role.PARK in user_roles:
        return queryset.filter(park_rule(user))
    return queryset.none()


class MeetingQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        from zhaoshang.meetings.models import AgendaItem, Meeting

        def park_rule(user) -> Q:
            on_agenda = AgendaItem.objects.filter(project__in=_visible_projects(user))
            rule = Q(pk__in=on_agenda.values("meeting_id"))
            if user.department_id:
                attending = Meeting.departments.through.objects.filter(
                    department_id=user.department_id
                )
                rule |= Q(pk__in=attending.values("meeting_id"))
            return rule

        return _scope(self, user, park_rule)


# The one definition of a supervised action item late (督办事项逾期), read by the board's filter,
# the daily scan and the owner department's ledger entry (one per item), and the report of
# a completion: an item is due by ``due_on``; reported done on its due day it is on time
# (the day counts); it is overdue while its owner still has to act after the due date,
# and late when reported done after it. The copies agreed.


def action_item_overdue_q(today: datetime.date, prefix: str = ""):
    """SQL: an item its owner still has to act on after its due date, as of ``today``."""
    return Q(**{f"{prefix}status__in": OPEN_ACTION_STATUSES, f"{prefix}due_on__lt": today})


def action_item_done_late_q(prefix: str = ""):
    """SQL: an item reported done after its due date."""
    return Q(**{f"{prefix}completed_on__gt": F(f"{prefix}due_on")})


def action_item_late_q(today: datetime.date, prefix: str = ""):
    """SQL: an item overdue as of ``today``, or reported done after its due date: the
    owner department's ledger entry (overdue action item)."""
    return action_item_overdue_q(today, prefix) | action_item_done_late_q(prefix)


# The supervision board's buckets (issue 19), stored as ``ActionItem.bucket``: the items
# the owner still has to act on, then those awaiting confirmation, then the closed ones.
OPEN_BUCKET, AWAITING_BUCKET, CLOSED_BUCKET = 0, 1, 2


def bucket_of(status: str) -> int:
    """The bucket the database stores for a status (``action_item_bucket`` in Python)."""
    if status in OPEN_ACTION_STATUSES:
        return OPEN_BUCKET
    return AWAITING_BUCKET if status == ActionStatus.AWAITING_CONFIRMATION else CLOSED_BUCKET


def action_item_bucket():
    """SQL: an item's bucket on the board (``bucket_of``)."""
    return Case(
        When(status__in=OPEN_ACTION_STATUSES, then=Value(OPEN_BUCKET)),
        When(status=ActionStatus.AWAITING_CONFIRMATION, then=Value(AWAITING_BUCKET)),
        default=Value(CLOSED_BUCKET),
        output_field=IntegerField(),
    )


class ActionItemQuerySet(DistrictScopedQuerySet):
    def visible_to(self, user):
        def park_rule(user) -> Q:
            rule = Q(project__in=_visible_projects(user))
            if user.department_id:
                rule |= Q(owner_department_id=user.department_id)
            return rule

        return _scope(self, user, park_rule)

    def open(self):
        """Items the owner still has to act on (not started, in progress, sent back)."""
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today: datetime.date):
        """Items overdue as of ``today`` (``action_item_overdue_q``)."""
        return self.filter(action_item_overdue_q(today))

    def late(self, today: datetime.date):
        """Items overdue or reported done late (``action_item_late_q``)."""
        return self.filter(action_item_late_q(today))

    def with_days_left(self, today: datetime.date):
        """``days_left`` (working days to the due date, computed in SQL) and ``light``;
        an item the owner has reported done, or that is closed, has no light; yellow from
        the district's rule for action items (亮灯规则) before the due date."""
        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(~Q(status__in=OPEN_ACTION_STATUSES), then=Value(Light.NONE)),
                When(days_left__lt=0, then=Value(Light.RED)),
                When(days_left__lte=yellow_within(Subject.ACTION_ITEM), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )
