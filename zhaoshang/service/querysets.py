"""Service scoping (SPEC §1): receipts, needs, instructions and second-round records are
visible exactly when their project is (信息共享); lists get their annotations in SQL."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zhaoshang.core.lights import Light, Subject, yellow_within
from zhaoshang.core.querysets import DistrictScopedQuerySet, ProjectScopedQuerySet
from zhaoshang.service.choices import OPEN_NEED_STATUSES
from zhaoshang.workdays.querysets import days_left_expression


def _visible_projects(user):
    from zhaoshang.projects.models import Project

    return Project.objects.visible_to(user).values("pk")


class ReceiptQuerySet(ProjectScopedQuerySet):
    def addressed_to(self, user):
        return self.filter(addressee=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class InstructionQuerySet(ProjectScopedQuerySet):
    pass


class NeedQuerySet(ProjectScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_NEED_STATUSES)

    def overdue(self, today: datetime.date):
        """Open problems past their due date as of ``today`` (due on today is not yet
        overdue): what the project's service view counts overdue."""
        return self.open().filter(due_on__lt=today)

    def with_days_left(self, today: datetime.date):
        """``days_left`` (working days to the due date, in SQL) and ``light``: yellow from
        the district's rule for problems (亮灯规则) before the due date."""
        return self.annotate(days_left=days_left_expression("due_on", today)).annotate(
            light=Case(
                When(
                    Q(due_on__isnull=True) | ~Q(status__in=OPEN_NEED_STATUSES),
                    then=Value(Light.NONE),
                ),
                When(days_left__lt=0, then=Value(Light.RED)),
                When(days_left__lte=yellow_within(Subject.NEED), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=CharField(),
            )
        )


class ForwardQuerySet(DistrictScopedQuerySet):
    """A forwarded item is seen by the principal leader it was sent to and by the leader who
    sent it (and by superusers); nobody else, not even district-wide roles."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(recipient=user) | Q(sent_by=user))

    def unread(self):
        return self.filter(read_at__isnull=True)


class SecondRoundQuerySet(DistrictScopedQuerySet):
    """A record about a project is visible with the project; one about an enterprise alone
    with the enterprise."""

    def visible_to(self, user):
        from zhaoshang.enterprises.models import Enterprise

        return self.filter(
            Q(project__in=_visible_projects(user))
            | Q(
                project__isnull=True,
                enterprise__in=Enterprise.objects.visible_to(user).values("pk"),
            )
        )


def _count(queryset):
    """A correlated subquery counting ``queryset``'s rows of the outer project."""
    counted = (
        queryset.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_service_data(projects, today: datetime.date):
    """Projects annotated for the leader's and the paired department's views, in one query:
    open and overdue problems, overdue approval cases, the latest receipt, and a ``light``
    (red: something overdue; yellow: a problem within its district's yellow window — the
    light rule for problems — or the project delayed or stopped; green otherwise)."""
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.projects.choices import Condition
    from zhaoshang.service.models import Need, Receipt

    open_needs = Need.objects.open()
    latest = Receipt.objects.filter(project=OuterRef("pk")).order_by("-visited_on", "-id")
    return projects.annotate(
        open_needs=_count(open_needs),
        overdue_needs=_count(Need.objects.overdue(today)),
        soon_needs=_count(
            open_needs.filter(due_on__gte=today)
            .annotate(days_left=days_left_expression("due_on", today))
            .filter(days_left__lte=yellow_within(Subject.NEED))
        ),
        overdue_cases=_count(ApprovalCase.objects.overdue(today)),
        receipt_count=_count(Receipt.objects.all()),
        last_receipt_id=Subquery(latest.values("pk")[:1]),
        last_receipt_number=Subquery(latest.values("number")[:1]),
        last_receipt_on=Subquery(latest.values("visited_on")[:1]),
        last_receipt_result=Subquery(latest.values("result")[:1]),
    ).annotate(
        light=Case(
            When(Q(overdue_needs__gt=0) | Q(overdue_cases__gt=0), then=Value(Light.RED)),
            When(
                Q(soon_needs__gt=0) | Q(condition__in=[Condition.DELAYED, Condition.STOPPED]),
                then=Value(Light.YELLOW),
            ),
            default=Value(Light.GREEN),
            output_field=CharField(),
        )
    )
