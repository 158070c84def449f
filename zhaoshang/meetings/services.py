"""Meetings and supervised action items through their life (SPEC §10). Every state change
is a function here; pages, the API, the demo and the daily scan call them.

- A meeting is scheduled (escalated problems go on its agenda), held, its decisions are
  recorded — each creating its action items, or being the joint decision that approves
  mutually prerequisite approval items at the same time — and its minutes are issued.
- An action item (督办事项) is created by a decision, a leader's instruction (批示) or the
  supervision office; its owner reports progress and completes it with evidence; the
  supervision office closes it or sends it back (退回重办). Overdue items are escalated
  and write one entry to the owner department's assessment ledger.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import Counter
from zhaoshang.core.roles import Role
from zhaoshang.core.validators import validate_upload
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import (
    OPEN_ACTION_STATUSES,
    UNCLOSED_ACTION_STATUSES,
    ActionSource,
    ActionStatus,
    MeetingStatus,
    ProgressKind,
)
from zhaoshang.meetings.models import ActionItem, ActionProgress, AgendaItem, Decision, Meeting
from zhaoshang.notifications.services import notify, notify_many
from zhaoshang.org.people import staff_of_department, supervisors
from zhaoshang.workdays import services as workdays

# The fields of an action item a caller gives (record_decision's rows, update_action_item).
ACTION_ITEM_FIELDS = (
    "title",
    "description",
    "owner_department",
    "owner_person",
    "due_on",
    "due_workdays",
    "start_on",
    "project",
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return clock.today()


def _other_district() -> str:
    return _("This record belongs to another district.")


def _check_date(
    field: str,
    day: datetime.date | None,
    not_before: datetime.date | None = None,
    what: str = "",
) -> datetime.date:
    """A date of something that has happened: given, not in the future, not before
    ``not_before`` (``what`` names that earlier date in the message)."""
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and day < not_before:
        if what:
            message = _("The date cannot be before %(what)s (%(date)s).") % {
                "what": what,
                "date": not_before.isoformat(),
            }
        else:
            message = _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}
        raise ValidationError({field: message})
    return day


def _text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _attach(field: str, uploaded, required_message: str = "") -> None:
    """Check an uploaded file (type, size, content); ``required_message`` makes it needed."""
    if uploaded is None:
        if required_message:
            raise ValidationError({field: required_message})
        return
    try:
        validate_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# ---------------------------------------------------------------------------------------
# Action items: creation (the contract other apps call)


@dataclass(frozen=True)
class ActionPlan:
    """An action item's checked inputs: where it comes from and when it is due."""

    source: str
    project: object
    start_on: datetime.date
    due_on: datetime.date
    due_is_provisional: bool
    due_workdays: int | None


def check_action_item(
    *,
    district,
    title: str,
    owner_department,
    owner_person=None,
    due_on: datetime.date | None = None,
    due_workdays: int | None = None,
    start_on: datetime.date | None = None,
    project=None,
    instruction=None,
    meeting=None,
    need=None,
    due_may_have_passed: bool = False,
) -> ActionPlan:
    """Check an action item before it is saved; every problem is reported at once, keyed by
    field. ``meeting`` is the meeting whose decision creates it (its due date cannot be
    before the meeting). The due date is a date, or N working days after the start
    (default today), computed by the working-day calendar."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = _today()
    if not (title or "").strip():
        add("title", _("Give the title: what is to be done."))
    if owner_department is None:
        add(
            "owner_department",
            _(
                "Choose the owner department: an action item needs a department that answers for it."
            ),
        )
    elif owner_department.district_id != district.pk:
        add("owner_department", _other_district())
    if owner_person is not None:
        if owner_department is not None and owner_person.department_id != owner_department.pk:
            add(
                "owner_person",
                _(
                    "%(person)s does not belong to %(department)s: the person in charge must be "
                    "one of the owner department's people."
                )
                % {"person": owner_person.display_name, "department": owner_department.name},
            )
        elif not owner_person.is_active:
            add(
                "owner_person",
                _("The account of %(person)s is disabled.") % {"person": owner_person.display_name},
            )
    for field, obj in (("project", project), ("need", need), ("instruction", instruction)):
        if obj is not None and obj.district_id != district.pk:
            add(field, _other_district())
    if meeting is not None and meeting.district_id != district.pk:
        add("decision", _other_district())
    if meeting is not None and instruction is not None:
        add(
            "instruction",
            _("An action item comes from a meeting decision or from an instruction, not both."),
        )
    # The project: given, or the one of the problem or the instruction it follows.
    for field, obj in (("need", need), ("instruction", instruction)):
        linked = getattr(obj, "project_id", None) if obj is not None else None
        if linked is None:
            continue
        if project is None:
            project = obj.project
        elif project.pk != linked:
            add(
                "project",
                _("The %(what)s concerns %(project)s, not this project.")
                % {
                    "what": _("problem") if field == "need" else _("instruction"),
                    "project": obj.project.name,
                },
            )

    start = start_on or today
    due, provisional = None, False
    if due_on is None and due_workdays is None:
        add("due_on", _("Give the due date, or the number of working days it is due in."))
    elif due_on is not None and due_workdays is not None:
        add("due_on", _("Give either a due date or a number of working days, not both."))
    elif due_workdays is not None:
        if not isinstance(due_workdays, int) or isinstance(due_workdays, bool) or due_workdays < 1:
            add("due_workdays", _("The number of working days must be a whole number, 1 or more."))
        else:
            try:
                result = workdays.add_workdays(start, due_workdays)
            except (workdays.OutOfCalendar, ValueError) as exc:
                add("due_workdays", str(exc))
            else:
                due, provisional = result.date, result.provisional
    else:
        due = due_on
        try:
            workdays.ensure_range(due)  # the days left are counted in SQL from the index
        except workdays.OutOfCalendar as exc:
            add("due_on", str(exc))
            due = None
    if due is not None:
        if meeting is not None and due < meeting.held_on:
            add(
                "due_on",
                _(
                    "The due date %(due)s is before the meeting of %(date)s that decided the "
                    "action item."
                )
                % {"due": due.isoformat(), "date": meeting.held_on.isoformat()},
            )
        elif due < today and not due_may_have_passed:
            add(
                "due_on",
                _("The due date %(due)s has already passed: give a date from today on.")
                % {"due": due.isoformat()},
            )
        elif due < start:
            add(
                "due_on",
                _("The due date %(due)s is before the start date %(start)s.")
                % {"due": due.isoformat(), "start": start.isoformat()},
            )
    if errors:
        raise ValidationError(errors)
    if meeting is not None:
        source = ActionSource.MEETING
    elif instruction is not None:
        source = ActionSource.INSTRUCTION
    elif need is not None:
        source = ActionSource.NEED
    else:
        source = ActionSource.SUPERVISION
    return ActionPlan(
        source=source,
        project=project,
        start_on=start,
        due_on=due,
        due_is_provisional=provisional,
        due_workdays=due_workdays if due_on is None else None,
    )


def next_action_number(district, year: int) -> str:
    """DB-YYYY-NNNN, skipping numbers already taken."""
    while True:
        number = Counter.next_value(district, f"action-item-{year}")
        code = f"DB-{year}-{number:04d}"
        if not ActionItem.objects.filter(district=district, number=code).exists():
            return code


def _owners(item: ActionItem) -> list:
    """Who is told about an item: the person in charge, or else the owner department."""
    if item.owner_person_id:
        return [item.owner_person]
    return staff_of_department(item.owner_department_id)


def _save_new_item(
    user,
    district,
    plan: ActionPlan,
    *,
    title: str,
    owner_department,
    owner_person,
    description: str,
    decision=None,
    instruction=None,
    need=None,
) -> ActionItem:
    item = ActionItem(
        district=district,
        number=next_action_number(district, _today().year),
        title=title.strip(),
        description=(description or "").strip(),
        source=plan.source,
        project=plan.project,
        decision=decision,
        instruction=instruction,
        need=need,
        owner_department=owner_department,
        owner_person=owner_person,
        start_on=plan.start_on,
        due_workdays=plan.due_workdays,
        due_on=plan.due_on,
        due_is_provisional=plan.due_is_provisional,
        assigned_by=user,
    )
    item.save()
    log_event(
        user,
        "action_item.created",
        item,
        summary=f"{item.number} {item.title}",
        source=item.source,
        owner_department=owner_department.pk,
        due_on=item.due_on,
    )
    notify(
        _owners(item),
        "action_item.created",
        _("New action item %(number)s, due %(due)s: %(title)s")
        % {"number": item.number, "due": item.due_on.isoformat(), "title": item.title},
        body=item.description,
        url=item.get_absolute_url(),
    )
    return item


@transaction.atomic
def create_action_item(
    user,
    *,
    district,
    title: str,
    owner_department,
    owner_person=None,
    due_on: datetime.date | None = None,
    due_workdays: int | None = None,
    start_on: datetime.date | None = None,
    project=None,
    instruction=None,
    decision=None,
    need=None,
    description: str = "",
) -> ActionItem:
    """Create a supervised action item (督办事项) and tell its owner.

    The due date is ``due_on``, or ``due_workdays`` working days after ``start_on``
    (default today; provisional when it rests on an unpublished holiday arrangement).
    Refused, with the field and the reason, without an owner department, with a person in
    charge outside it, with neither or both kinds of due date, or with a due date before
    the deciding meeting, the start or today."""
    _require(permissions.can_assign(user, district.pk, decision=decision))
    plan = check_action_item(
        district=district,
        title=title,
        owner_department=owner_department,
        owner_person=owner_person,
        due_on=due_on,
        due_workdays=due_workdays,
        start_on=start_on,
        project=project,
        instruction=instruction,
        meeting=decision.meeting if decision is not None else None,
        need=need,
    )
    return _save_new_item(
        user,
        district,
        plan,
        title=title,
        owner_department=owner_department,
        owner_person=owner_person,
        description=description,
        decision=decision,
        instruction=instruction,
        need=need,
    )


# ---------------------------------------------------------------------------------------
# Action items: their life


def _lock_item(item: ActionItem, expected_version: int | None) -> ActionItem:
    locked = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("owner_department", "owner_person", "project", "decision__meeting")
        .get(pk=item.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this action item after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _require_status(item: ActionItem, *allowed: str) -> None:
    if item.status not in allowed:
        raise ValidationError(
            {
                "status": _("This cannot be done while the action item is “%(status)s”.")
                % {"status": item.get_status_display()}
            }
        )


def _save_item(item: ActionItem, user, verb: str, summary: str = "", **data) -> ActionItem:
    item.version += 1
    item.save()
    log_event(
        user, verb, item, summary=summary or item.get_status_display(), status=item.status, **data
    )
    return item


def _earliest(item: ActionItem) -> datetime.date:
    """No record of an item is dated before it existed."""
    created = timezone.localdate(item.created_at) if item.created_at else item.start_on
    return min(item.start_on, created)


def _progress(item, user, kind, on, text, uploaded=None) -> ActionProgress:
    entry = ActionProgress(
        action_item=item, kind=kind, recorded_on=on, text=text, by=user, file_name=""
    )
    if uploaded is not None:
        entry.file_name = uploaded.name.rsplit("/", 1)[-1][:200]
        entry.file.save(entry.file_name, uploaded, save=False)
    entry.save()
    return entry


@transaction.atomic
def update_action_item(
    user, item: ActionItem, changes: Mapping, expected_version: int | None = None
) -> ActionItem:
    """Change an unclosed item's title, description, owner, project or due date (the
    supervision office). A due date moved to the future lets a later overdue be escalated
    again; a ledger entry already written stays."""
    item = _lock_item(item, expected_version)
    _require(permissions.can_supervise(user, item))
    _require_status(item, *UNCLOSED_ACTION_STATUSES)
    unknown = set(changes) - set(ACTION_ITEM_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    values = {name: getattr(item, name) for name in ACTION_ITEM_FIELDS}
    values["due_workdays"] = item.due_workdays
    values["due_on"] = None if item.due_workdays is not None else item.due_on
    due_changed = "due_on" in changes or "due_workdays" in changes or "start_on" in changes
    if "due_on" in changes and changes["due_on"] is not None:
        values["due_workdays"] = None
    if "due_workdays" in changes and changes["due_workdays"] is not None:
        values["due_on"] = None
    values.update(changes)
    person, department = values["owner_person"], values["owner_department"]
    moved = "owner_department" in changes and "owner_person" not in changes
    if moved and person is not None and getattr(department, "pk", None) != person.department_id:
        values["owner_person"] = None  # the person in charge does not follow to another department
    plan = check_action_item(
        district=item.district,
        title=values["title"],
        owner_department=values["owner_department"],
        owner_person=values["owner_person"],
        due_on=values["due_on"],
        due_workdays=values["due_workdays"],
        start_on=values["start_on"],
        project=values["project"],
        instruction=item.instruction,
        meeting=item.decision.meeting if item.decision_id else None,
        need=item.need,
        due_may_have_passed=not due_changed,
    )
    before = {
        "owner_department": item.owner_department_id,
        "owner_person": item.owner_person_id,
        "due_on": item.due_on,
    }
    item.title = values["title"].strip()
    item.description = (values["description"] or "").strip()
    item.owner_department = values["owner_department"]
    item.owner_person = values["owner_person"]
    item.project = plan.project
    item.start_on = plan.start_on
    item.due_on, item.due_is_provisional = plan.due_on, plan.due_is_provisional
    item.due_workdays = plan.due_workdays
    if item.escalated_on and item.due_on >= _today():
        item.escalated_on = None
    changed = [
        name
        for name, old in before.items()
        if old != getattr(item, name + "_id" if name != "due_on" else name)
    ]
    _save_item(item, user, "action_item.updated", summary=item.title, changed=changed)
    if {"owner_department", "owner_person"} & set(changed):
        notify(
            _owners(item),
            "action_item.created",
            _("Action item %(number)s is now yours, due %(due)s: %(title)s")
            % {"number": item.number, "due": item.due_on.isoformat(), "title": item.title},
            url=item.get_absolute_url(),
        )
    return item


@transaction.atomic
def report_progress(
    user,
    item: ActionItem,
    text: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
    attachment=None,
) -> ActionProgress:
    """The owner records progress (办理进展); a new or sent-back item is now in progress."""
    item = _lock_item(item, expected_version)
    _require(permissions.is_owner(user, item))
    _require_status(item, *OPEN_ACTION_STATUSES)
    text = _text("text", text, _("Describe the progress."))
    on = _check_date("recorded_on", on or _today(), _earliest(item), _("the start of the item"))
    _attach("file", attachment)
    entry = _progress(item, user, ProgressKind.NOTE, on, text, attachment)
    item.status = ActionStatus.IN_PROGRESS
    _save_item(item, user, "action_item.progress", summary=text, on=on)
    return entry


@transaction.atomic
def complete_action_item(
    user,
    item: ActionItem,
    text: str,
    evidence,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ActionItem:
    """The owner reports the item done, with the evidence (办结佐证); the supervision office
    is asked to confirm. Done after the due date, it writes its ledger entry (once)."""
    item = _lock_item(item, expected_version)
    _require(permissions.is_owner(user, item))
    _require_status(item, *OPEN_ACTION_STATUSES)
    text = _text("text", text, _("Describe what was done."))
    on = _check_date("completed_on", on or _today(), _earliest(item), _("the start of the item"))
    _attach(
        "evidence",
        evidence,
        _("Attach the evidence of completion: a document, a photo or a scan."),
    )
    _progress(item, user, ProgressKind.COMPLETION, on, text, evidence)
    item.status = ActionStatus.AWAITING_CONFIRMATION
    item.completed_on = on
    _save_item(item, user, "action_item.completed", summary=text, on=on)
    if on > item.due_on:
        record_overdue(item, on)
    notify(
        supervisors(item.district_id),
        "action_item.completed",
        _("Action item %(number)s is reported done; please confirm: %(title)s")
        % {"number": item.number, "title": item.title},
        body=text,
        url=item.get_absolute_url(),
    )
    return item


@transaction.atomic
def close_action_item(
    user,
    item: ActionItem,
    note: str = "",
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ActionItem:
    """The supervision office confirms the completion and closes the item (销号)."""
    item = _lock_item(item, expected_version)
    _require(permissions.can_supervise(user, item))
    _require_status(item, ActionStatus.AWAITING_CONFIRMATION)
    on = _check_date("closed_on", on or _today(), item.completed_on, _("the completion"))
    note = (note or "").strip() or _("Completion confirmed.")
    _progress(item, user, ProgressKind.CLOSURE, on, note)
    item.status = ActionStatus.CLOSED
    item.closed_on, item.closed_by = on, user
    _save_item(item, user, "action_item.closed", summary=note, on=on)
    notify(
        _owners(item),
        "action_item.closed",
        _("Action item %(number)s is closed: %(title)s")
        % {"number": item.number, "title": item.title},
        url=item.get_absolute_url(),
    )
    return item


@transaction.atomic
def return_action_item(
    user,
    item: ActionItem,
    reason: str,
    due_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ActionItem:
    """The supervision office sends the completion back to be redone (退回重办), with the
    reason and, if it wants, a new due date."""
    item = _lock_item(item, expected_version)
    _require(permissions.can_supervise(user, item))
    _require_status(item, ActionStatus.AWAITING_CONFIRMATION)
    reason = _text("reason", reason, _("Give the reason for sending the item back."))
    today = _today()
    if due_on is not None:
        if due_on < today:
            raise ValidationError(
                {
                    "due_on": _("The new due date %(due)s has already passed.")
                    % {"due": due_on.isoformat()}
                }
            )
        item.due_on, item.due_is_provisional, item.due_workdays = due_on, False, None
        item.escalated_on = None
    _progress(item, user, ProgressKind.RETURN, today, reason)
    item.status = ActionStatus.RETURNED
    item.completed_on = None
    _save_item(item, user, "action_item.returned", summary=reason, due_on=item.due_on)
    notify(
        _owners(item),
        "action_item.returned",
        _("Action item %(number)s is sent back to be redone: %(title)s")
        % {"number": item.number, "title": item.title},
        body=reason,
        url=item.get_absolute_url(),
    )
    return item


# ---------------------------------------------------------------------------------------
# Overdue: the ledger (once per item) and the escalation notice


def _overdue_reason(item: ActionItem) -> str:
    return _("Action item %(number)s “%(title)s” was not done by %(due)s.") % {
        "number": item.number,
        "title": item.title,
        "due": item.due_on.isoformat(),
    }


def record_overdue(item: ActionItem, on: datetime.date | None = None):
    """Write the overdue item's entry to the owner department's ledger, once; dated ``on``
    (a late completion) or the first working day after the due date (not after today)."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    return write_rule_entry(
        RuleCode.OVERDUE_ACTION_ITEM,
        item.owner_department,
        item,
        _overdue_reason(item),
        on or min(workdays.add_workdays(item.due_on, 1).date, _today()),
    )


class Scan(NamedTuple):
    recorded: int  # ledger entries written
    escalated: int  # overdue notices sent


def _escalate(items: list[ActionItem], today: datetime.date, calendar) -> None:
    """The overdue notices (督办催告): the owner, the supervision office and the leader
    who chaired the deciding meeting are told, once per due date — for many items at once,
    the people looked up once per department and district."""
    now = clock.now()
    for item in items:
        item.escalated_on, item.updated_at = today, now
    bulk_update_with_history(items, ActionItem, ["escalated_on", "updated_at"], batch_size=1000)
    staff: dict[int, list] = {}
    office: dict[int, list] = {}
    events, messages = [], []
    for item in items:
        overdue_days = -calendar.days_left(item.due_on, today)
        events.append(
            build_event(
                None,
                "action_item.overdue",
                item,
                summary=_("Working days overdue: %(n)s") % {"n": overdue_days},
                due_on=item.due_on,
                days=overdue_days,
            )
        )
        if item.owner_person_id:
            recipients = [item.owner_person]
        else:
            if item.owner_department_id not in staff:
                staff[item.owner_department_id] = staff_of_department(item.owner_department_id)
            recipients = list(staff[item.owner_department_id])
        if item.district_id not in office:
            office[item.district_id] = supervisors(item.district_id)
        recipients += office[item.district_id]
        if item.decision_id:
            recipients.append(item.decision.meeting.chair)
        if item.instruction_id:
            recipients.append(item.instruction.leader)
        title = _("Overdue action item %(number)s (due %(due)s, %(department)s): %(title)s") % {
            "number": item.number,
            "due": item.due_on.isoformat(),
            "department": item.owner_department.name,
            "title": item.title,
        }
        messages.append((recipients, "action_item.overdue", title, "", item.get_absolute_url()))
    log_events(events)
    notify_many(messages)


@transaction.atomic
def scan_overdue(today: datetime.date | None = None) -> Scan:
    """Every open item past its due date writes its ledger entry (once, however often this
    runs) and is escalated (once per due date). Run by the daily scan; safe to run twice.
    One query finds each set; bulk inserts write the entries, events and messages."""
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.assessment.models import LedgerEntry, RuleCode
    from zhaoshang.assessment.services import RuleHit, write_rule_entries

    today = today or _today()
    recorded_ids = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_ACTION_ITEM,
        evidence_type=ContentType.objects.get_for_model(ActionItem),
    ).values("evidence_id")
    related = (
        "owner_department",
        "owner_person",
        "decision__meeting__chair",
        "instruction__leader",
    )
    unrecorded = list(
        ActionItem.objects.overdue(today).exclude(pk__in=recorded_ids).select_related(*related)
    )
    late = list(
        ActionItem.objects.overdue(today)
        .filter(escalated_on__isnull=True)
        .select_related(*related)
        .order_by("due_on", "pk")
    )
    if not unrecorded and not late:
        return Scan(0, 0)
    calendar = workdays.CalendarWindow(min(item.due_on for item in unrecorded + late), today)
    written = write_rule_entries(
        RuleCode.OVERDUE_ACTION_ITEM,
        (
            RuleHit(
                item.owner_department,
                item,
                _overdue_reason(item),
                min(calendar.add_workdays(item.due_on, 1).date, today),
            )
            for item in unrecorded
        ),
    )
    if late:
        _escalate(late, today, calendar)
    return Scan(len(written), len(late))


def recompute_provisional_due_dates(years: Iterable[int] = ()) -> int:
    """Hook for workdays.load_year: items due N working days after their start whose date
    rested on an unpublished year are computed again."""
    changed = 0
    for item in ActionItem.objects.filter(due_is_provisional=True, due_workdays__isnull=False):
        result = workdays.add_workdays(item.start_on, item.due_workdays)
        if (item.due_on, item.due_is_provisional) != (result.date, result.provisional):
            item.due_on, item.due_is_provisional = result.date, result.provisional
            item.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
            changed += 1
    return changed


# ---------------------------------------------------------------------------------------
# Meetings


def next_meeting_number(district, year: int) -> str:
    """HY-YYYY-NNNN, skipping numbers already taken."""
    while True:
        number = Counter.next_value(district, f"meeting-{year}")
        code = f"HY-{year}-{number:04d}"
        if not Meeting.objects.filter(district=district, number=code).exists():
            return code


def escalated_needs(district):
    """Problems escalated to a meeting (提交会议协调) that no coming meeting has on its
    agenda yet: a new meeting takes them up."""
    from zhaoshang.service.choices import NeedStatus
    from zhaoshang.service.models import Need

    waiting = AgendaItem.objects.filter(
        need__isnull=False, meeting__status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD)
    ).values("need_id")
    return (
        Need.objects.filter(district=district, status=NeedStatus.ESCALATED)
        .exclude(pk__in=waiting)
        .order_by("id")
    )


def _check_people(district, chair, departments, attendees) -> None:
    errors: dict[str, str] = {}
    if chair is None:
        errors["chair"] = _("Choose the leader who chairs the meeting.")
    elif (
        chair.district_id != district.pk
        or not chair.is_active
        or not roles.has_role(chair, Role.LEADER)
    ):
        errors["chair"] = _(
            "%(person)s cannot chair it: the chair must be a leader (区领导/县级领导) of the "
            "district."
        ) % {"person": chair.display_name}
    if any(d.district_id != district.pk for d in departments):
        errors["departments"] = _other_district()
    strangers = [
        p.display_name
        for p in attendees
        if p.district_id != district.pk or p.enterprise_id or not p.is_active
    ]
    if strangers:
        errors["attendees"] = _("Not staff of the district: %(people)s.") % {
            "people": "、".join(strangers)
        }
    if errors:
        raise ValidationError(errors)


def _meeting_people(meeting: Meeting) -> list:
    return [meeting.chair, *meeting.attendees.filter(is_active=True)]


def _new_agenda_item(
    user, meeting, *, order, project=None, need=None, case=None, topic="", note=""
):
    errors: dict[str, str] = {}
    for field, obj in (("project", project), ("need", need), ("case", case)):
        if obj is not None and obj.district_id != meeting.district_id:
            errors[field] = _other_district()
    if need is not None:
        if project is not None and project.pk != need.project_id:
            errors["need"] = _("The problem concerns another project.")
        project = need.project
    if case is not None:
        if project is not None and project.pk != case.project_id:
            errors["case"] = _("The approval case belongs to another project.")
        project = case.project
    topic = (topic or "").strip()
    if project is None and need is None and case is None and not topic:
        errors["topic"] = _(
            "Say what the agenda item is about: a project, a problem, an approval case or a topic."
        )
    taken = meeting.agenda_items.all()
    if need is not None and taken.filter(need=need).exists():
        errors["need"] = _("This problem is already on the agenda.")
    if case is not None and taken.filter(case=case).exists():
        errors["case"] = _("This approval case is already on the agenda.")
    if errors:
        raise ValidationError(errors)
    return AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        topic=topic[:200],
        project=project,
        need=need,
        case=case,
        note=(note or "").strip(),
        added_by=user,
    )


def _next_order(meeting: Meeting) -> int:
    return (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1


@transaction.atomic
def schedule_meeting(
    user,
    *,
    district,
    kind: str,
    title: str,
    held_on: datetime.date,
    chair,
    starts_at: datetime.time | None = None,
    place: str = "",
    departments: Sequence = (),
    attendees: Sequence = (),
    minutes_number: str = "",
    needs: Iterable | None = None,
    projects: Iterable = (),
    cases: Iterable = (),
    topics: Iterable[str] = (),
) -> Meeting:
    """Schedule a meeting and tell the chair and the people attending. The problems
    escalated to a meeting go on its agenda (``needs``: all those waiting when None), then
    the projects, approval cases and free topics given."""
    from zhaoshang.meetings.choices import MeetingKind

    _require(permissions.can_schedule(user, district.pk))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    title = _text("title", title, _("Give the meeting's title."))
    if held_on is None:
        raise ValidationError({"held_on": _("Give the date of the meeting.")})
    departments, attendees = list(departments), list(attendees)
    _check_people(district, chair, departments, attendees)
    meeting = Meeting.objects.create(
        district=district,
        number=next_meeting_number(district, held_on.year),
        kind=kind,
        title=title,
        held_on=held_on,
        starts_at=starts_at,
        place=(place or "").strip(),
        chair=chair,
        minutes_number=(minutes_number or "").strip(),
        created_by=user,
    )
    meeting.departments.set(departments)
    meeting.attendees.set(attendees)
    order = 1
    needs = list(escalated_needs(district) if needs is None else needs)
    for need in needs:
        _new_agenda_item(user, meeting, order=order, need=need)
        order += 1
    for case in cases:
        _new_agenda_item(user, meeting, order=order, case=case)
        order += 1
    on_agenda = set(meeting.agenda_items.values_list("project_id", flat=True))
    for project in projects:
        if project.pk not in on_agenda:
            _new_agenda_item(user, meeting, order=order, project=project)
            order += 1
    for topic in topics:
        if topic.strip():
            _new_agenda_item(user, meeting, order=order, topic=topic)
            order += 1
    log_event(
        user,
        "meeting.scheduled",
        meeting,
        summary=f"{meeting.number} {meeting.title}",
        kind=kind,
        held_on=held_on,
        needs=[n.pk for n in needs],
    )
    when = held_on.isoformat() + (f" {starts_at:%H:%M}" if starts_at else "")
    notify(
        _meeting_people(meeting),
        "meeting.scheduled",
        _("Meeting notice: %(title)s, %(when)s, %(place)s")
        % {"title": meeting.title, "when": when, "place": meeting.place or "—"},
        url=meeting.get_absolute_url(),
    )
    return meeting


def _lock_meeting(meeting: Meeting, expected_version: int | None = None) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("district", "chair")
        .get(pk=meeting.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this meeting after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _require_not_final(meeting: Meeting) -> None:
    if meeting.is_final:
        raise ValidationError(
            {
                "status": _(
                    "The minutes of this meeting are issued: its record can no longer change."
                )
            }
        )


MEETING_FIELDS = (
    "kind",
    "title",
    "held_on",
    "starts_at",
    "place",
    "chair",
    "departments",
    "attendees",
    "minutes_number",
)


@transaction.atomic
def update_meeting(
    user, meeting: Meeting, changes: Mapping, expected_version: int | None = None
) -> Meeting:
    """Edit a meeting until its minutes are issued; its date stays once it has decisions."""
    from zhaoshang.meetings.choices import MeetingKind

    meeting = _lock_meeting(meeting, expected_version)
    _require(permissions.can_manage_meeting(user, meeting))
    _require_not_final(meeting)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "kind" in changes and changes["kind"] not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if "title" in changes:
        changes = {
            **changes,
            "title": _text("title", changes["title"], _("Give the meeting's title.")),
        }
    held_on = changes.get("held_on", meeting.held_on)
    if held_on is None:
        raise ValidationError({"held_on": _("Give the date of the meeting.")})
    if held_on != meeting.held_on:
        if meeting.decisions.exists():
            raise ValidationError(
                {"held_on": _("The meeting has decisions: its date can no longer change.")}
            )
        if meeting.status == MeetingStatus.HELD and held_on > _today():
            raise ValidationError(
                {"held_on": _("The meeting has been held: its date cannot be in the future.")}
            )
    number = (changes.get("minutes_number", meeting.minutes_number) or "").strip()
    if number != meeting.minutes_number and _joint_number_taken(meeting):
        raise ValidationError(
            {
                "minutes_number": _(
                    "A joint decision already carries the minutes number %(number)s: it cannot change."
                )
                % {"number": meeting.minutes_number}
            }
        )
    departments = list(changes.get("departments", meeting.departments.all()))
    attendees = list(changes.get("attendees", meeting.attendees.all()))
    chair = changes.get("chair", meeting.chair)
    _check_people(meeting.district, chair, departments, attendees)
    changed = []
    for name in ("kind", "title", "held_on", "starts_at", "place", "chair"):
        if name in changes and changes[name] != getattr(meeting, name):
            setattr(
                meeting, name, changes[name] if name != "place" else (changes[name] or "").strip()
            )
            changed.append(name)
    if number != meeting.minutes_number:
        meeting.minutes_number = number
        changed.append("minutes_number")
    meeting.version += 1
    meeting.save()
    if "departments" in changes:
        meeting.departments.set(departments)
        changed.append("departments")
    if "attendees" in changes:
        meeting.attendees.set(attendees)
        changed.append("attendees")
    log_event(user, "meeting.updated", meeting, summary=meeting.title, changed=changed)
    if {"held_on", "starts_at", "place"} & set(changed):
        when = meeting.held_on.isoformat() + (
            f" {meeting.starts_at:%H:%M}" if meeting.starts_at else ""
        )
        notify(
            _meeting_people(meeting),
            "meeting.scheduled",
            _("Meeting changed: %(title)s, now %(when)s, %(place)s")
            % {"title": meeting.title, "when": when, "place": meeting.place or "—"},
            url=meeting.get_absolute_url(),
        )
    return meeting


def _joint_number_taken(meeting: Meeting) -> bool:
    return (
        bool(meeting.minutes_number)
        and meeting.decisions.filter(joint_decision__isnull=False).exists()
    )


@transaction.atomic
def add_agenda_item(
    user, meeting: Meeting, *, project=None, need=None, case=None, topic: str = "", note: str = ""
) -> AgendaItem:
    """Put a project, a problem, an approval case or a topic on the agenda."""
    meeting = _lock_meeting(meeting)
    _require(permissions.can_manage_meeting(user, meeting))
    _require_not_final(meeting)
    item = _new_agenda_item(
        user,
        meeting,
        order=_next_order(meeting),
        project=project,
        need=need,
        case=case,
        topic=topic,
        note=note,
    )
    log_event(user, "meeting.agenda_added", meeting, summary=item.subject, agenda_item=item.pk)
    return item


@transaction.atomic
def remove_agenda_item(user, agenda_item: AgendaItem) -> None:
    meeting = _lock_meeting(agenda_item.meeting)
    _require(permissions.can_manage_meeting(user, meeting))
    _require_not_final(meeting)
    if agenda_item.decisions.exists():
        raise ValidationError(
            {"agenda_item": _("The meeting decided on this agenda item: it stays on the record.")}
        )
    subject = agenda_item.subject
    agenda_item.delete()
    log_event(user, "meeting.agenda_removed", meeting, summary=subject)


def _hold(user, meeting: Meeting) -> None:
    """planned → held, once the day has come."""
    if meeting.held_on > _today():
        raise ValidationError(
            {
                "status": _(
                    "The meeting is on %(date)s: it can be marked held, and its decisions "
                    "recorded, from that day on."
                )
                % {"date": meeting.held_on.isoformat()}
            }
        )
    meeting.status = MeetingStatus.HELD
    meeting.version += 1
    meeting.save()
    log_event(user, "meeting.held", meeting, summary=meeting.title, held_on=meeting.held_on)


@transaction.atomic
def mark_held(user, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    meeting = _lock_meeting(meeting, expected_version)
    _require(permissions.can_manage_meeting(user, meeting))
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            {
                "status": _("The meeting is already “%(status)s”.")
                % {"status": meeting.get_status_display()}
            }
        )
    _hold(user, meeting)
    return meeting


def _ready_for_decisions(user, meeting: Meeting) -> None:
    _require_not_final(meeting)
    if meeting.status == MeetingStatus.PLANNED:
        _hold(user, meeting)


@transaction.atomic
def issue_minutes(
    user,
    meeting: Meeting,
    *,
    minutes: str,
    minutes_number: str,
    issued_on: datetime.date | None = None,
    minutes_file=None,
    expected_version: int | None = None,
) -> Meeting:
    """Issue the minutes (印发会议纪要): the text, its number and optionally the signed
    document; the meeting's record is then closed."""
    meeting = _lock_meeting(meeting, expected_version)
    _require(permissions.can_manage_meeting(user, meeting))
    _require_not_final(meeting)
    minutes = _text("minutes", minutes, _("Write the minutes."))
    number = _text("minutes_number", minutes_number, _("Give the number of the minutes."))
    if number != meeting.minutes_number and _joint_number_taken(meeting):
        raise ValidationError(
            {
                "minutes_number": _(
                    "A joint decision already carries the minutes number %(number)s: it cannot change."
                )
                % {"number": meeting.minutes_number}
            }
        )
    issued_on = _check_date(
        "minutes_issued_on", issued_on or _today(), meeting.held_on, _("the meeting")
    )
    _attach("minutes_file", minutes_file)
    if meeting.status == MeetingStatus.PLANNED:
        _hold(user, meeting)
    meeting.minutes, meeting.minutes_number = minutes, number
    meeting.minutes_issued_on = issued_on
    if minutes_file is not None:
        meeting.minutes_file_name = minutes_file.name.rsplit("/", 1)[-1][:200]
        meeting.minutes_file.save(meeting.minutes_file_name, minutes_file, save=False)
    meeting.status = MeetingStatus.MINUTES_ISSUED
    meeting.version += 1
    meeting.save()
    log_event(user, "meeting.minutes_issued", meeting, summary=number, on=issued_on)
    owners = []
    for department_id in meeting.departments.values_list("pk", flat=True):
        owners += staff_of_department(department_id)
    notify(
        _meeting_people(meeting) + owners,
        "meeting.minutes_issued",
        _("Minutes %(number)s issued: %(title)s") % {"number": number, "title": meeting.title},
        url=meeting.get_absolute_url(),
    )
    return meeting


# ---------------------------------------------------------------------------------------
# Decisions


class ActionItemRowsError(ValidationError):
    """Errors of some of a decision's action items. ``rows`` maps the index of each
    failing row to its ValidationError (keyed by field), so that a page can show each
    message next to its row; as a whole it reads as errors on ``action_items``."""

    def __init__(self, rows: dict[int, ValidationError]):
        self.rows = rows
        messages = []
        for index, exc in sorted(rows.items()):
            for errors in exc.message_dict.values():
                for message in errors:
                    messages.append(
                        _("Action item %(n)s: %(message)s") % {"n": index + 1, "message": message}
                    )
        super().__init__({"action_items": messages})


def _check_rows(meeting: Meeting, rows: Sequence[Mapping], default_project) -> list[ActionPlan]:
    plans, failed = [], {}
    for index, row in enumerate(rows):
        unknown = set(row) - set(ACTION_ITEM_FIELDS)
        if unknown:
            failed[index] = ValidationError(
                {name: _("This field cannot be changed.") for name in unknown}
            )
            continue
        try:
            plans.append(
                check_action_item(
                    district=meeting.district,
                    title=row.get("title", ""),
                    owner_department=row.get("owner_department"),
                    owner_person=row.get("owner_person"),
                    due_on=row.get("due_on"),
                    due_workdays=row.get("due_workdays"),
                    start_on=row.get("start_on"),
                    project=row.get("project") or default_project,
                    meeting=meeting,
                )
            )
        except ValidationError as exc:
            failed[index] = exc
    if failed:
        raise ActionItemRowsError(failed)
    return plans


def _new_decision(user, meeting: Meeting, text: str, agenda_item, joint_decision=None) -> Decision:
    number = (meeting.decisions.aggregate(m=Max("number"))["m"] or 0) + 1
    return Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        number=number,
        text=text,
        joint_decision=joint_decision,
        recorded_by=user,
    )


def _check_agenda_item(meeting: Meeting, agenda_item) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("This agenda item belongs to another meeting.")})


def _create_rows(user, meeting, decision, rows, plans, agenda_item) -> list[ActionItem]:
    need = agenda_item.need if agenda_item is not None and agenda_item.need_id else None
    return [
        _save_new_item(
            user,
            meeting.district,
            plan,
            title=row["title"],
            owner_department=row["owner_department"],
            owner_person=row.get("owner_person"),
            description=row.get("description", ""),
            decision=decision,
            need=need,
        )
        for row, plan in zip(rows, plans, strict=True)
    ]


@transaction.atomic
def record_decision(
    user,
    meeting: Meeting,
    *,
    text: str,
    action_items: Sequence[Mapping],
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """Record a decision (议定事项) of a held meeting — on an agenda item or the meeting as
    a whole — with the action items it creates (at least one: who does what by when).
    A planned meeting whose day has come is marked held; nothing is saved if any action
    item is refused."""
    meeting = _lock_meeting(meeting)
    _require(permissions.can_manage_meeting(user, meeting))
    _ready_for_decisions(user, meeting)
    text = _text("text", text, _("Write the decision."))
    _check_agenda_item(meeting, agenda_item)
    rows = list(action_items)
    if not rows:
        raise ValidationError(
            {
                "action_items": _(
                    "A decision needs at least one action item: which department does what, by when."
                )
            }
        )
    default_project = agenda_item.project if agenda_item is not None else None
    plans = _check_rows(meeting, rows, default_project)
    decision = _new_decision(user, meeting, text, agenda_item)
    items = _create_rows(user, meeting, decision, rows, plans, agenda_item)
    log_event(
        user,
        "decision.recorded",
        meeting,
        summary=text,
        decision=decision.pk,
        action_items=[i.pk for i in items],
    )
    return decision


@transaction.atomic
def record_joint_decision(
    user,
    meeting: Meeting,
    *,
    project,
    cases: Sequence,
    text: str = "",
    agenda_item: AgendaItem | None = None,
    minutes_number: str = "",
    action_items: Sequence[Mapping] = (),
) -> Decision:
    """The joint decision (联席会议决定, 互为前置 → 同时审批、同时办结) as a decision of
    this meeting: the approval cases are approved at the same time with one common due date,
    decided on the meeting's date under its minutes number (given here when the meeting
    has none yet). Everything or nothing is saved."""
    from zhaoshang.approvals import services as approvals

    meeting = _lock_meeting(meeting)
    _require(permissions.can_manage_meeting(user, meeting))
    _ready_for_decisions(user, meeting)
    _check_agenda_item(meeting, agenda_item)
    if project is None:
        raise ValidationError({"project": _("Choose the project.")})
    if project.district_id != meeting.district_id:
        raise ValidationError({"project": _other_district()})
    if agenda_item is not None and agenda_item.project_id not in (None, project.pk):
        raise ValidationError({"agenda_item": _("This agenda item is about another project.")})
    number = meeting.minutes_number
    if not number:
        number = _text(
            "minutes_number",
            minutes_number,
            _("Give the number of the meeting's minutes: the joint decision carries it."),
        )
        meeting.minutes_number = number
        meeting.version += 1
        meeting.save()
    rows = list(action_items)
    plans = _check_rows(meeting, rows, project) if rows else []
    cases = list(cases)
    text = (text or "").strip() or _(
        "The mutually prerequisite items %(items)s of %(project)s are approved at the same time, "
        "with one common due date."
    ) % {"items": "、".join(c.item.name for c in cases), "project": project.name}
    joint = approvals.record_joint_decision(
        user, project, cases, meeting.held_on, number, note=text
    )
    decision = _new_decision(user, meeting, text, agenda_item, joint_decision=joint)
    items = _create_rows(user, meeting, decision, rows, plans, agenda_item)
    log_event(
        user,
        "decision.recorded",
        meeting,
        summary=text,
        decision=decision.pk,
        joint_decision=joint.pk,
        cases=[c.pk for c in cases],
        action_items=[i.pk for i in items],
    )
    return decision
