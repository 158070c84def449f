"""Project service (SPEC §7): every change to receipts, instructions, needs and
second-round records is a function here; pages, the API and the demo call them.

Each one checks who may act, validates with messages that name the field and the reason,
runs in one transaction (locking the row where two people may act at once), writes the
domain event, and tells the people concerned through ``notify``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import Counter
from zhaoshang.notifications.services import notify
from zhaoshang.projects.choices import TeamRole
from zhaoshang.service import permissions
from zhaoshang.service.choices import (
    CLOSED_NEED_STATUSES,
    NeedCategory,
    NeedStatus,
    RaisedVia,
    ReceiptResult,
    SecondRoundKind,
)
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.workdays import services as workdays

# Longest time limit a need may be given (a quarter's working days).
MAX_NEED_WORKDAYS = 60
TEXT_LIMIT = 4000


def _today() -> datetime.date:
    return clock.today()


def _require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message) if message else PermissionDenied


def _text(field: str, value, message: str, *, required: bool = True, limit: int = TEXT_LIMIT):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError(
            {field: _("Keep this under %(limit)s characters.") % {"limit": limit}}
        )
    return value


def _past_date(field: str, day, missing: str, future: str) -> datetime.date:
    if day is None:
        raise ValidationError({field: missing})
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise ValidationError({field: missing})
    if day > _today():
        raise ValidationError({field: future})
    return day


def _same_district(field: str, obj, district_id) -> None:
    if obj is not None and obj.district_id != district_id:
        raise ValidationError({field: _("This record belongs to another district.")})


def _number(district, prefix: str, key: str, year: int) -> str:
    """HZ-2026-0001: per district and year, taken inside the caller's transaction."""
    value = Counter.next_value(district, f"{key}-{year}")
    return f"{prefix}-{year}-{value:04d}"


# ---------------------------------------------------------------------------------------
# Receipts (手续办理回执单)


def leader_in_charge(project):
    """分管县级领导: the project's manager (项目经理, a county-level cadre), or, when it has
    none, its designated contact leader; None when it has neither."""
    manager = project.team_members.filter(role=TeamRole.MANAGER).select_related("user").first()
    if manager is not None and manager.user.is_active:
        return manager.user
    return project.designated_leader


def not_team_message(project) -> str:
    return _(
        "Only the project team of “%(project)s” (its project manager, project secretary "
        "or service officer) may fill in its receipts, and you are not on that team."
    ) % {"project": project.name}


def _receipt_fields(project, data: Mapping) -> dict:
    """The checked values of a receipt's content, as filed or corrected."""
    visited_on = _past_date(
        "visited_on",
        data.get("visited_on"),
        _("Give the date of the visit."),
        _("The date of the visit cannot be in the future."),
    )
    department = data.get("department")
    if department is None:
        raise ValidationError({"department": _("Choose the department visited.")})
    _same_district("department", department, project.district_id)
    handler_user = data.get("handler_user")
    handler_name = (data.get("handler_name") or "").strip()
    if handler_user is not None:
        if handler_user.department_id != department.pk:
            raise ValidationError(
                {
                    "handler_user": _(
                        "%(person)s is not a member of %(department)s, the department visited."
                    )
                    % {"person": handler_user.display_name, "department": department.name}
                }
            )
        handler_name = handler_name or handler_user.display_name
    handler_name = _text(
        "handler_name",
        handler_name,
        _("Give the name of the department's handler who received you."),
        limit=40,
    )
    matter = _text("matter", data.get("matter"), _("Say what the visit was about."), limit=200)
    case = data.get("approval_case")
    if case is not None and case.project_id != project.pk:
        raise ValidationError(
            {"approval_case": _("The approval case must be one of this project's cases.")}
        )
    work_done = _text("work_done", data.get("work_done"), _("Say what was done."))
    result = data.get("result")
    if result not in ReceiptResult.values:
        raise ValidationError(
            {"result": _("Choose the result: completed, in progress or needs coordination.")}
        )
    problems = _text("problems", data.get("problems"), "", required=False)
    if result == ReceiptResult.NEEDS_COORDINATION and not problems:
        raise ValidationError(
            {
                "problems": _(
                    "The result is “needs coordination”: write down the problems to be coordinated."
                )
            }
        )
    return {
        "visited_on": visited_on,
        "department": department,
        "handler_name": handler_name,
        "handler_user": handler_user,
        "matter": matter,
        "approval_case": case,
        "work_done": work_done,
        "result": result,
        "problems": problems,
    }


def _receipt_notice(receipt: Receipt, corrected: bool = False) -> None:
    if receipt.addressee_id is None:
        return
    if corrected:
        title = _("Receipt %(number)s of %(project)s was corrected")
    else:
        title = _("New receipt %(number)s from %(project)s")
    notify(
        [receipt.addressee],
        "receipt.corrected" if corrected else "receipt.filed",
        title % {"number": receipt.number, "project": receipt.project.name},
        body=f"{receipt.department.name} · {receipt.matter} · {receipt.get_result_display()}",
        url=receipt.get_absolute_url(),
    )


@transaction.atomic
def file_receipt(user, project, **data) -> Receipt:
    """填写回执单: a visit of the project team to a department, numbered HZ-YYYY-NNNN and
    sent to the project's leader in charge (分管县级领导), who is told at once."""
    if not permissions.can_file_receipt(user, project):
        raise ValidationError(
            {"project": ValidationError(not_team_message(project), code="not_team")}
        )
    fields = _receipt_fields(project, data)
    now = clock.now()
    receipt = Receipt(
        district_id=project.district_id,
        project=project,
        filed_by=user,
        filed_at=now,
        addressee=leader_in_charge(project),
        **fields,
    )
    receipt.number = _number(project.district, "HZ", "receipt", timezone.localdate(now).year)
    receipt.save()
    log_event(
        user,
        "receipt.filed",
        receipt,
        summary=f"{receipt.number} {project.name} · {receipt.department.name}",
        project=project.pk,
        result=receipt.result,
        addressee=receipt.addressee_id,
    )
    _receipt_notice(receipt)
    return receipt


def _lock_receipt(receipt: Receipt, expected_version: int | None) -> Receipt:
    locked = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("project", "department", "addressee")
        .get(pk=receipt.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    return locked


@transaction.atomic
def mark_receipt_read(user, receipt: Receipt) -> bool:
    """The leader the receipt is addressed to opened it: recorded once, with the moment."""
    if receipt.addressee_id != user.pk or receipt.read_at is not None:
        return False
    receipt = _lock_receipt(receipt, None)
    if receipt.read_at is not None:
        return False
    receipt.read_at = clock.now()
    receipt.save(update_fields=["read_at"])
    log_event(user, "receipt.read", receipt, summary=receipt.number)
    return True


CORRECTABLE = (
    "visited_on",
    "department",
    "handler_name",
    "handler_user",
    "matter",
    "approval_case",
    "work_done",
    "result",
    "problems",
)


@transaction.atomic
def correct_receipt(
    user, receipt: Receipt, *, reason: str, expected_version: int | None = None, **changes
) -> Receipt:
    """A receipt stays as filed; only its filer corrects it, with the reason. The change
    history keeps every version; the leader is told again and sees it unread."""
    receipt = _lock_receipt(receipt, expected_version)
    _require(permissions.can_correct_receipt(user, receipt))
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be corrected.") for name in sorted(unknown)}
        )
    reason = _text("correction_reason", reason, _("Give the reason for the correction."), limit=200)
    current = {name: getattr(receipt, name) for name in CORRECTABLE}
    fields = _receipt_fields(receipt.project, {**current, **changes})
    changed = [name for name in CORRECTABLE if fields[name] != current[name]]
    if not changed:
        raise ValidationError(_("Nothing was changed: the receipt is as it was."))
    for name, value in fields.items():
        setattr(receipt, name, value)
    receipt.correction_reason = reason
    receipt.corrected_at = clock.now()
    receipt.read_at = None
    receipt.version += 1
    receipt._change_reason = reason
    receipt.save()
    log_event(
        user, "receipt.corrected", receipt, summary=reason, fields=changed, number=receipt.number
    )
    _receipt_notice(receipt, corrected=True)
    return receipt


# ---------------------------------------------------------------------------------------
# Instructions (批示) and their action items


class InstructionItemError(ValidationError):
    """An action item of an instruction was refused; ``index`` says which (0-based)."""

    def __init__(self, index: int, error: ValidationError):
        if hasattr(error, "error_dict"):
            super().__init__(error.error_dict)
        else:
            super().__init__(error.error_list)
        self.index = index


ITEM_KEYS = (
    "title",
    "owner_department",
    "owner_person",
    "due_on",
    "due_workdays",
    "description",
)


@transaction.atomic
def write_instruction(
    user,
    receipt: Receipt,
    *,
    text: str,
    items: Iterable[Mapping],
    written_on: datetime.date | None = None,
) -> Instruction:
    """批示 on a receipt: the leader's decision and the supervised action items
    (督办事项) it orders. All or nothing: an item refused leaves nothing written."""
    from zhaoshang.meetings.services import create_action_item

    receipt = _lock_receipt(receipt, None)
    _require(permissions.can_instruct(user, receipt))
    text = _text("text", text, _("Write the instruction."))
    written_on = written_on or _today()
    _past_date(
        "written_on",
        written_on,
        _("Give the date of the instruction."),
        _("The date of the instruction cannot be in the future."),
    )
    if written_on < receipt.visited_on:
        raise ValidationError(
            {
                "written_on": _("The instruction cannot be dated before the visit (%(date)s).")
                % {"date": receipt.visited_on.isoformat()}
            }
        )
    items = [dict(item) for item in items]
    if not items:
        raise ValidationError(
            {"items": _("An instruction orders at least one action item: give its owner.")}
        )
    instruction = Instruction.objects.create(
        district_id=receipt.district_id,
        receipt=receipt,
        project=receipt.project,
        leader=user,
        text=text,
        written_on=written_on,
    )
    created = []
    for index, item in enumerate(items):
        unknown = set(item) - set(ITEM_KEYS)
        if unknown:
            raise InstructionItemError(
                index, ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
            )
        title = (item.get("title") or "").strip() or text[:120]
        try:
            created.append(
                create_action_item(
                    user,
                    district=receipt.district,
                    title=title,
                    owner_department=item.get("owner_department"),
                    owner_person=item.get("owner_person"),
                    due_on=item.get("due_on"),
                    due_workdays=item.get("due_workdays"),
                    start_on=written_on,
                    project=receipt.project,
                    instruction=instruction,
                    description=(item.get("description") or "").strip() or text,
                )
            )
        except ValidationError as exc:
            raise InstructionItemError(index, exc) from exc
    if receipt.addressee_id == user.pk and receipt.read_at is None:
        receipt.read_at = clock.now()
        receipt.save(update_fields=["read_at"])
        log_event(user, "receipt.read", receipt, summary=receipt.number)
    log_event(
        user,
        "instruction.written",
        instruction,
        summary=text[:200],
        receipt=receipt.pk,
        action_items=[getattr(i, "pk", None) for i in created],
    )
    team = [m.user for m in receipt.project.team_members.select_related("user")]
    notify(
        [receipt.filed_by, *team],
        "instruction.written",
        _("%(leader)s wrote an instruction on receipt %(number)s")
        % {"leader": user.display_name, "number": receipt.number},
        body=text,
        url=instruction.get_absolute_url(),
    )
    instruction.action_items_created = created
    return instruction


# ---------------------------------------------------------------------------------------
# The problem list (问题清单)


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


def _need_content(project, data: Mapping) -> dict:
    category = data.get("category")
    if category not in NeedCategory.values:
        raise ValidationError({"category": _("Choose the category of the problem.")})
    department = data.get("department")
    if department is None:
        raise ValidationError(
            {"department": _("Choose the department the problem is assigned to.")}
        )
    _same_district("department", department, project.district_id)
    return {
        "category": category,
        "title": _text("title", data.get("title"), _("Give the problem a title."), limit=120),
        "description": _text("description", data.get("description"), _("Describe the problem.")),
        "department": department,
        "due_workdays": _check_need_days(data.get("due_workdays")),
    }


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
    working days; the department's handlers are told."""
    _require(permissions.can_raise_need(user, project))
    if raised_via not in RaisedVia.values:
        raise ValidationError({"raised_via": _("Unknown origin.")})
    if receipt is not None and receipt.project_id != project.pk:
        raise ValidationError({"receipt": _("The receipt must be one of this project's.")})
    raised_on = _past_date(
        "raised_on",
        raised_on or _today(),
        _("Give the date the problem was raised."),
        _("The date the problem was raised cannot be in the future."),
    )
    fields = _need_content(project, data)
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
    need.number = _number(project.district, "WT", "need", raised_on.year)
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
    from zhaoshang.core.roles import Role
    from zhaoshang.org.models import User

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


def _lock_need(need: Need, expected_version: int | None) -> Need:
    locked = (
        Need.objects.select_for_update(of=("self",))
        .select_related("project", "department")
        .get(pk=need.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this problem after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _need_status(need: Need, *allowed: str) -> None:
    if need.status not in allowed:
        raise ValidationError(
            {
                "status": _("This cannot be done while the problem is “%(status)s”.")
                % {"status": need.get_status_display()}
            }
        )


def _save_need(need: Need, user, verb: str, summary: str = "", **data) -> Need:
    need.version += 1
    need.save()
    log_event(
        user, verb, need, summary=summary or need.get_status_display(), status=need.status, **data
    )
    return need


EDITABLE_NEED_FIELDS = ("category", "title", "description", "department", "due_workdays")


@transaction.atomic
def update_need(user, need: Need, *, expected_version: int | None = None, **changes) -> Need:
    """Edit an open problem's content; a new time limit or department recomputes the due
    date from the day it was raised and tells the department."""
    need = _lock_need(need, expected_version)
    _require(permissions.can_edit_need(user, need))
    _need_status(need, NeedStatus.PENDING, NeedStatus.IN_PROGRESS, NeedStatus.ESCALATED)
    unknown = set(changes) - set(EDITABLE_NEED_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    current = {name: getattr(need, name) for name in EDITABLE_NEED_FIELDS}
    fields = _need_content(need.project, {**current, **changes})
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
    need = _lock_need(need, expected_version)
    _require(permissions.can_start_need(user, need))
    _need_status(need, NeedStatus.PENDING)
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
    need = _lock_need(need, expected_version)
    _require(permissions.can_resolve_need(user, need))
    _need_status(need, NeedStatus.PENDING, NeedStatus.IN_PROGRESS, NeedStatus.ESCALATED)
    resolution = _text("resolution", resolution, _("Say how the problem was solved."))
    on = _past_date(
        "resolved_on",
        on or _today(),
        _("Give the date the problem was solved."),
        _("The date the problem was solved cannot be in the future."),
    )
    if on < need.raised_on:
        raise ValidationError(
            {
                "resolved_on": _("The problem cannot be solved before it was raised (%(date)s).")
                % {"date": need.raised_on.isoformat()}
            }
        )
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
    need = _lock_need(need, expected_version)
    _require(permissions.can_escalate_need(user, need))
    if need.status == NeedStatus.ESCALATED:
        raise ValidationError(
            {
                "status": _("The problem was already submitted to a meeting on %(date)s.")
                % {"date": need.escalated_on.isoformat()}
            }
        )
    _need_status(need, NeedStatus.PENDING, NeedStatus.IN_PROGRESS)
    note = _text(
        "escalation_note",
        note,
        _("Say why the problem needs a joint meeting and what has been tried."),
    )
    need.status = NeedStatus.ESCALATED
    need.escalated_on, need.escalated_by, need.escalation_note = _today(), user, note
    _save_need(need, user, "need.escalated", summary=note[:200])
    recipients = []
    if need.project.designated_leader_id:
        recipients.append(need.project.designated_leader)
    recipients += [
        m.user for m in need.project.team_members.select_related("user") if m.role == "manager"
    ]
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
    need = _lock_need(need, expected_version)
    _require(permissions.can_close_need(user, need))
    if need.status in CLOSED_NEED_STATUSES:
        raise ValidationError(
            {
                "status": _("This cannot be done while the problem is “%(status)s”.")
                % {"status": need.get_status_display()}
            }
        )
    reason = _text("resolution", reason, _("Give the reason for closing the problem."))
    need.status = NeedStatus.CLOSED
    need.resolution, need.closed_on = reason, _today()
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


# ---------------------------------------------------------------------------------------
# Second-round service (二次招商服务)


@transaction.atomic
def record_second_round(
    user,
    *,
    kind: str,
    occurred_on: datetime.date,
    counterparty: str,
    description: str,
    project=None,
    enterprise=None,
    amount: Decimal | None = None,
    outcome: str = "",
) -> SecondRoundService:
    """Record a partner introduced, funds matched or an enterprise upgraded, for a project
    (its team or the bureau) or for an enterprise alone (the bureau)."""
    if project is None and enterprise is None:
        raise ValidationError(
            {"project": _("Choose the project or the enterprise the service was for.")}
        )
    if project is not None and enterprise is not None and project.enterprise_id != enterprise.pk:
        raise ValidationError(
            {"enterprise": _("The enterprise must be the project's own enterprise.")}
        )
    _require(permissions.can_record_second_round(user, project=project, enterprise=enterprise))
    district_id = (project or enterprise).district_id
    if kind not in SecondRoundKind.values:
        raise ValidationError({"kind": _("Choose the kind of second-round service.")})
    occurred_on = _past_date(
        "occurred_on",
        occurred_on,
        _("Give the date of the service."),
        _("The date of the service cannot be in the future."),
    )
    counterparty = _text(
        "counterparty",
        counterparty,
        _("Name the counterparty: the partner, the financial institution or the enterprise."),
        limit=120,
    )
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if kind == SecondRoundKind.FINANCING and not amount:
        raise ValidationError({"amount": _("Give the amount of the funds matched (10k yuan).")})
    record = SecondRoundService.objects.create(
        district_id=district_id,
        kind=kind,
        project=project,
        enterprise=enterprise or (project.enterprise if project is not None else None),
        occurred_on=occurred_on,
        counterparty=counterparty,
        amount=amount,
        description=_text("description", description, _("Describe the service.")),
        outcome=_text("outcome", outcome, "", required=False),
        recorded_by=user,
    )
    log_event(
        user,
        "second_round.recorded",
        record,
        summary=f"{record.get_kind_display()} · {counterparty}",
        kind=kind,
        project=getattr(project, "pk", None),
        amount=amount,
    )
    return record
