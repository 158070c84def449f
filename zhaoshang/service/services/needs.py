"""The problem list (问题清单): a problem raised for a project, assigned to a department
with a time limit in working days, taken up, solved, closed or submitted to a joint
meeting (联席会议)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import Role
from zhaoshang.core.services import (
    gather,
    lock_for_update,
    raise_errors,
    require,
    require_status,
    status_error,
)
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import User
from zhaoshang.projects.choices import TeamRole
from zhaoshang.projects.leaders import leader_in_charge
from zhaoshang.service import permissions
from zhaoshang.service.choices import (
    CLOSED_NEED_STATUSES,
    OPEN_NEED_STATUSES,
    NeedCategory,
    NeedStatus,
    RaisedVia,
)
from zhaoshang.service.models import Need, Receipt
from zhaoshang.service.services._common import checked_text, next_number, past_date, same_district
from zhaoshang.workdays import services as workdays

# Longest time limit a need may be given (a quarter's working days).
MAX_NEED_WORKDAYS = 60


def _need_due(raised_on: datetime.date, days) -> workdays.WorkdayDate:
    return workdays.add_workdays(raised_on, days)


def _check_need_days(days) -> int:
    if days in (None, ""):
        raise ValidationError(
            {
                "due_workdays": _("Give the time limit in working days (1 to %(max)s).")
                % {"max": MAX_NEED_WORKDAYS}
            }
        )
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_NEED_WORKDAYS:
        raise ValidationError(
            {
                "due_workdays": _("The time limit must be 1 to %(max)s working days.")
                % {"max": MAX_NEED_WORKDAYS}
            }
        )
    return days


def need_content(district_id, data: Mapping, errors: dict | None = None) -> dict:
    """The checked content of a problem of the district. Its problems join ``errors`` when
    given (the caller refuses with them and its own); else it refuses with all of them."""
    found: dict = {} if errors is None else errors
    category = data.get("category")
    if category not in NeedCategory.values:
        found["category"] = [_("Choose the category of the problem.")]
    department = data.get("department")
    if department is None:
        found["department"] = [_("Choose the department the problem is assigned to.")]
    else:
        gather(found, same_district, "department", department, district_id)
    fields = {
        "category": category,
        "title": gather(
            found,
            checked_text,
            "title",
            data.get("title"),
            _("Give the problem a title."),
            limit=120,
        ),
        "description": gather(
            found,
            checked_text,
            "description",
            data.get("description"),
            _("Describe the problem."),
        ),
        "department": department,
        "due_workdays": gather(found, _check_need_days, data.get("due_workdays")),
    }
    if errors is None:
        raise_errors(found)
    return fields


@transaction.atomic
def raise_need(
    user,
    project,
    *,
    receipt: Receipt | None = None,
    raised_via: str = RaisedVia.TEAM,
    raised_on: datetime.date | None = None,
    **data,
) -> Need:
    """Put a problem on the project's list, assigned to a department with a time limit in
    working days; the department's handlers are told. The project's enterprise raises its
    own through ``enterprise.raise_enterprise_need`` (origin 企业门户)."""
    require(permissions.can_raise_need(user, project))
    errors: dict = {}  # every problem of the form at once
    if raised_via not in RaisedVia.values:
        errors["raised_via"] = [_("Unknown origin.")]
    # 企业门户 is the origin of the needs the enterprise raises itself, and only of those
    # (past the check above, whoever does not keep the list is the enterprise's contact).
    elif (raised_via == RaisedVia.ENTERPRISE) == permissions.records_needs(user, project):
        errors["raised_via"] = [
            _("Only the enterprise raises a need through the portal, and only there.")
        ]
    if receipt is not None and receipt.project_id != project.pk:
        errors["receipt"] = [_("The receipt must be one of this project's.")]
    raised_on = gather(
        errors,
        past_date,
        "raised_on",
        raised_on or clock.today(),
        _("Give the date the problem was raised."),
        _("The date the problem was raised cannot be in the future."),
    )
    fields = need_content(project.district_id, data, errors)
    raise_errors(errors)
    due = _need_due(raised_on, fields["due_workdays"])
    need = Need(
        district_id=project.district_id,
        project=project,
        receipt=receipt,
        raised_via=raised_via,
        raised_by=user,
        raised_on=raised_on,
        due_on=due.date,
        due_is_provisional=due.provisional,
        **fields,
    )
    need.number = next_number(project.district, "WT", "need", raised_on.year)
    need.save()
    log_event(
        user,
        "need.raised",
        need,
        summary=f"{need.number} {need.title}",
        project=project.pk,
        department=need.department_id,
        due_on=need.due_on,
    )
    _tell_department(need, _("New problem %(number)s assigned to %(department)s: %(title)s"))
    return need


def _tell_department(need: Need, title: str) -> None:
    handlers = User.objects.filter(
        department_id=need.department_id, groups__name=Role.DEPARTMENT, is_active=True
    ).distinct()
    notify(
        handlers,
        "need.assigned",
        title % {"number": need.number, "department": need.department.name, "title": need.title},
        body=need.description,
        url=need.get_absolute_url(),
    )


# What a problem's services read beside its row.
_LOCKED_WITH = ("project", "department")


def _save_need(need: Need, user, verb: str, summary: str = "", **data) -> Need:
    need.save_new_version()
    log_event(
        user, verb, need, summary=summary or need.get_status_display(), status=need.status, **data
    )
    return need


EDITABLE_NEED_FIELDS = ("category", "title", "description", "department", "due_workdays")


@transaction.atomic
def update_need(user, need: Need, *, expected_version: int | None = None, **changes) -> Need:
    """Edit an open problem's content; a new time limit or department recomputes the due
    date from the day it was raised and tells the department."""
    need = lock_for_update(need, expected_version, select_related=_LOCKED_WITH)
    require(permissions.can_edit_need(user, need))
    require_status(need, *OPEN_NEED_STATUSES)
    unknown = set(changes) - set(EDITABLE_NEED_FIELDS)
    errors: dict = {name: [_("This field cannot be changed.")] for name in sorted(unknown)}
    current = {name: getattr(need, name) for name in EDITABLE_NEED_FIELDS}
    fields = need_content(need.district_id, {**current, **changes}, errors)
    raise_errors(errors)
    changed = [name for name in EDITABLE_NEED_FIELDS if fields[name] != current[name]]
    if not changed:
        return need
    for name, value in fields.items():
        setattr(need, name, value)
    due = _need_due(need.raised_on, need.due_workdays)
    need.due_on, need.due_is_provisional = due.date, due.provisional
    _save_need(need, user, "need.updated", summary=need.title, fields=changed)
    if "department" in changed:
        _tell_department(need, _("Problem %(number)s is now assigned to %(department)s: %(title)s"))
    return need


@transaction.atomic
def start_need(user, need: Need, expected_version: int | None = None) -> Need:
    """The assigned department takes the problem up (处理中)."""
    need = lock_for_update(need, expected_version, select_related=_LOCKED_WITH)
    require(permissions.can_start_need(user, need))
    require_status(need, NeedStatus.PENDING)
    need.status = NeedStatus.IN_PROGRESS
    return _save_need(need, user, "need.started")


@transaction.atomic
def resolve_need(
    user,
    need: Need,
    resolution: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Need:
    """Solved: the resolution and the day; the team and the raiser are told."""
    need = lock_for_update(need, expected_version, select_related=_LOCKED_WITH)
    require(permissions.can_resolve_need(user, need))
    require_status(need, *OPEN_NEED_STATUSES)
    errors: dict = {}  # the resolution's and the date's problems at once
    resolution = gather(
        errors, checked_text, "resolution", resolution, _("Say how the problem was solved.")
    )
    on = gather(
        errors,
        past_date,
        "resolved_on",
        on or clock.today(),
        _("Give the date the problem was solved."),
        _("The date the problem was solved cannot be in the future."),
    )
    if on is not None and on < need.raised_on:
        errors["resolved_on"] = [
            _("The problem cannot be solved before it was raised (%(date)s).")
            % {"date": need.raised_on.isoformat()}
        ]
    raise_errors(errors)
    need.status = NeedStatus.RESOLVED
    need.resolution, need.resolved_on = resolution, on
    _save_need(need, user, "need.resolved", summary=resolution[:200], on=on)
    team = [m.user for m in need.project.team_members.select_related("user")]
    notify(
        [need.raised_by, *team],
        "need.resolved",
        _("Problem %(number)s is solved: %(title)s") % {"number": need.number, "title": need.title},
        body=resolution,
        url=need.get_absolute_url(),
    )
    return need


@transaction.atomic
def escalate_need(user, need: Need, note: str, expected_version: int | None = None) -> Need:
    """提交联席会议: the department could not solve it; it waits for a joint meeting's
    agenda (the meetings app lists escalated problems to put on one) and its clock runs on."""
    need = lock_for_update(need, expected_version, select_related=_LOCKED_WITH)
    require(permissions.can_escalate_need(user, need))
    if need.status == NeedStatus.ESCALATED:
        raise status_error(
            _("The problem was already submitted to a meeting on %(date)s.")
            % {"date": need.escalated_on.isoformat()}
        )
    require_status(need, NeedStatus.PENDING, NeedStatus.IN_PROGRESS)
    note = checked_text(
        "escalation_note",
        note,
        _("Say why the problem needs a joint meeting and what has been tried."),
    )
    need.status = NeedStatus.ESCALATED
    need.escalated_on, need.escalated_by, need.escalation_note = clock.today(), user, note
    _save_need(need, user, "need.escalated", summary=note[:200])
    # the leader in charge (one rule with the receipts and the lights) and the manager
    managers = need.project.team_members.filter(role=TeamRole.MANAGER).select_related("user")
    people = [leader_in_charge(need.project), *(m.user for m in managers)]
    recipients = list(dict.fromkeys(p for p in people if p is not None))
    notify(
        recipients,
        "need.escalated",
        _("Problem %(number)s of %(project)s is submitted to a joint meeting")
        % {"number": need.number, "project": need.project.name},
        body=note,
        url=need.get_absolute_url(),
    )
    return need


@transaction.atomic
def close_need(user, need: Need, reason: str, expected_version: int | None = None) -> Need:
    """Close a problem without a solution (withdrawn, no longer relevant), with the reason."""
    need = lock_for_update(need, expected_version, select_related=_LOCKED_WITH)
    require(permissions.can_close_need(user, need))
    require_status(need, *OPEN_NEED_STATUSES)
    reason = checked_text("resolution", reason, _("Give the reason for closing the problem."))
    need.status = NeedStatus.CLOSED
    need.resolution, need.closed_on = reason, clock.today()
    return _save_need(need, user, "need.closed", summary=reason[:200])


def recompute_provisional_due_dates(years: Iterable[int]) -> int:
    """Hook for ``workdays.load_year``: provisional due dates of open problems again."""
    changed = 0
    needs = Need.objects.filter(due_is_provisional=True).exclude(status__in=CLOSED_NEED_STATUSES)
    for need in needs:
        due = _need_due(need.raised_on, need.due_workdays)
        if (need.due_on, need.due_is_provisional) != (due.date, due.provisional):
            need.due_on, need.due_is_provisional = due.date, due.provisional
            need.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
            changed += 1
    return changed
