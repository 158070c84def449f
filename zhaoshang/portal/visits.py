"""The enterprise's side of inspections and fees (涉企检查/收费, SPEC §9): the visits approved
for its enterprise, the state each is in as the enterprise sees it, and the check of an
inspector's code at the door (扫码入企).

The code's rules (valid from the approval until a few days after the visit date, withdrawn
when the request is cancelled) are ``inspections.verification.lookup``'s; this module only
says what that answer means for the contact's enterprise today. A code of another
enterprise tells the contact nothing of that enterprise: not its name, nor the date, nor
the department."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock
from zhaoshang.inspections import verification
from zhaoshang.inspections.choices import CODE_GRACE_DAYS, RequestStatus, Verdict

# Requests whose visits the enterprise is shown: approved ones, and those cancelled after
# their approval (their codes were handed out: the enterprise learns they are withdrawn).
SHOWN_STATUSES = (RequestStatus.APPROVED, RequestStatus.CANCELLED)


class VisitState(models.TextChoices):
    """Where a visit stands for the enterprise."""

    TODAY = "today", _("Approved for today")
    UPCOMING = "upcoming", _("Upcoming")
    CARRIED_OUT = "carried_out", _("Carried out")
    LAPSED = "lapsed", _("Not recorded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STATE_BADGES = {
    VisitState.TODAY: "success",
    VisitState.UPCOMING: "primary",
    VisitState.CARRIED_OUT: "secondary",
    VisitState.LAPSED: "light text-dark border",
    VisitState.WITHDRAWN: "danger",
}


class When(models.TextChoices):
    """The list's filter: the visits still to come, those behind, or all."""

    ALL = "", _("All")
    UPCOMING = "upcoming", _("Upcoming")
    PAST = "past", _("Past")


def own_visits(user, queryset=None):
    """The visits approved for the contact's enterprise (and those withdrawn after their
    approval), with their request and department; ``queryset`` narrows a given one."""
    from zhaoshang.inspections.models import InspectionVisit

    if queryset is None:
        queryset = InspectionVisit.objects.all()
    return queryset.filter(
        enterprise_id=getattr(user, "enterprise_id", None) or 0,
        request__status__in=SHOWN_STATUSES,
        code__isnull=False,
    ).select_related("request__department", "joint__lead_department")


def upcoming_q(today: datetime.date) -> models.Q:
    """Still to come: approved, not recorded as carried out, its code still valid (the
    visit's ``valid_until`` in SQL)."""
    return models.Q(
        request__status=RequestStatus.APPROVED,
        carried_out_on__isnull=True,
        visit_on__gte=today - datetime.timedelta(days=CODE_GRACE_DAYS),
    )


def filter_when(queryset, when: str, today: datetime.date):
    if when == When.UPCOMING:
        return queryset.filter(upcoming_q(today)).order_by("visit_on", "id")
    if when == When.PAST:
        return queryset.exclude(upcoming_q(today)).order_by("-visit_on", "-id")
    return queryset.order_by("-visit_on", "-id")


def state_of(visit, today: datetime.date) -> str:
    """The visit's state for the enterprise (its request read with it)."""
    if visit.request.status == RequestStatus.CANCELLED:
        return VisitState.WITHDRAWN
    if visit.carried_out_on is not None:
        return VisitState.CARRIED_OUT
    if today > visit.valid_until:
        return VisitState.LAPSED
    if visit.visit_on <= today:
        return VisitState.TODAY
    return VisitState.UPCOMING


def can_rate(visit) -> bool:
    """The enterprise may rate it: carried out, not rated yet."""
    return visit.carried_out_on is not None and not visit.rating


# --- the check of a code at the door ---------------------------------------------------


class Answer(models.TextChoices):
    """What the check says to the contact, from the most to the least reassuring."""

    TODAY = "today", _("Approved for today")
    OTHER_DAY = "other_day", _("Approved for another day")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OTHER_ENTERPRISE = "other_enterprise", _("Issued for another enterprise")
    UNKNOWN = "unknown", _("Unknown code")


@dataclass
class Check:
    """The answer to a contact's check of a code. ``visit`` and ``departments`` are set
    only when the code is its own enterprise's."""

    answer: str
    code: str = ""
    visit: object = None
    departments: list = field(default_factory=list)
    # The lookup found nothing (a guess counts against the caller's address).
    failed: bool = False

    @property
    def approved_today(self) -> bool:
        return self.answer == Answer.TODAY

    @property
    def label(self) -> str:
        return Answer(self.answer).label


def check_code(user, raw: str, today: datetime.date | None = None) -> Check:
    """Whether the code shown at the door allows a visit to the contact's enterprise today:
    ``verification.lookup`` decides whether the code is valid, this function only places
    the answer against the contact's enterprise and today."""
    today = today or clock.today()
    found = verification.lookup(raw, today)
    code = verification.normalize_code(raw)[:40]
    if found.verdict == Verdict.UNKNOWN:
        return Check(Answer.UNKNOWN, code, failed=True)
    visit = found.visit
    if visit.enterprise_id != user.enterprise_id:
        # Of another enterprise: nothing of it is told, not even whether it is still valid.
        return Check(Answer.OTHER_ENTERPRISE, code)
    if found.verdict == Verdict.WITHDRAWN:
        answer = Answer.WITHDRAWN
    elif found.verdict == Verdict.EXPIRED:
        answer = Answer.EXPIRED
    elif visit.visit_on > today:
        answer = Answer.OTHER_DAY
    else:
        answer = Answer.TODAY
    return Check(answer, code, visit, found.departments)
