"""Action items (督办事项): the checks of a new or changed item and its creation — the
contract other apps call (a leader's instruction, a problem of the problem list)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.core import clock
from zhaoshang.core.audit import build_event
from zhaoshang.core.models import Counter
from zhaoshang.core.services import require
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import ActionSource
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.services._common import other_district
from zhaoshang.notifications.services import notify, notify_many
from zhaoshang.org.people import staff_of_department
from zhaoshang.workdays import services as workdays


@dataclass(frozen=True)
class ActionPlan:
    """An action item's checked inputs: where it comes from and when it is due."""

    source: str
    project: object
    start_on: datetime.date
    due_on: datetime.date
    due_is_provisional: bool
    due_workdays: int | None


class _Errors(dict):
    """Every problem of an item at once, keyed by field."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _check_owner(errors: _Errors, district, owner_department, owner_person) -> None:
    """The owner department answers for the item; the person in charge is one of its people."""
    if owner_department is None:
        errors.add(
            "owner_department",
            _(
                "Choose the owner department: an action item needs a department that answers for it."
            ),
        )
    elif owner_department.district_id != district.pk:
        errors.add("owner_department", other_district())
    if owner_person is None:
        return
    if owner_department is not None and owner_person.department_id != owner_department.pk:
        errors.add(
            "owner_person",
            _(
                "%(person)s does not belong to %(department)s: the person in charge must be "
                "one of the owner department's people."
            )
            % {"person": owner_person.display_name, "department": owner_department.name},
        )
    elif not owner_person.is_active:
        errors.add(
            "owner_person",
            _("The account of %(person)s is disabled.") % {"person": owner_person.display_name},
        )


def _check_origin(errors: _Errors, district, *, project, need, instruction, meeting):
    """The records an item comes from are the district's; the project is the one given, or
    the one of the problem or the instruction it follows (returned)."""
    for field, obj in (("project", project), ("need", need), ("instruction", instruction)):
        if obj is not None and obj.district_id != district.pk:
            errors.add(field, other_district())
    if meeting is not None and meeting.district_id != district.pk:
        errors.add("decision", other_district())
    if meeting is not None and instruction is not None:
        errors.add(
            "instruction",
            _("An action item comes from a meeting decision or from an instruction, not both."),
        )
    for field, obj in (("need", need), ("instruction", instruction)):
        linked = getattr(obj, "project_id", None) if obj is not None else None
        if linked is None:
            continue
        if project is None:
            project = obj.project
        elif project.pk != linked:
            errors.add(
                "project",
                _("The %(what)s concerns %(project)s, not this project.")
                % {
                    "what": _("problem") if field == "need" else _("instruction"),
                    "project": obj.project.name,
                },
            )
    return project


def _due_date(errors: _Errors, start, due_on, due_workdays):
    """(due date, provisional): the date given, or N working days after the start."""
    if due_on is None and due_workdays is None:
        errors.add("due_on", _("Give the due date, or the number of working days it is due in."))
        return None, False
    if due_on is not None and due_workdays is not None:
        errors.add("due_on", _("Give either a due date or a number of working days, not both."))
        return None, False
    if due_workdays is not None:
        if not isinstance(due_workdays, int) or isinstance(due_workdays, bool) or due_workdays < 1:
            errors.add(
                "due_workdays", _("The number of working days must be a whole number, 1 or more.")
            )
            return None, False
        try:
            result = workdays.add_workdays(start, due_workdays)
        except (workdays.OutOfCalendar, ValueError) as exc:
            errors.add("due_workdays", str(exc))
            return None, False
        return result.date, result.provisional
    try:
        workdays.ensure_range(due_on)  # the days left are counted in SQL from the index
    except workdays.OutOfCalendar as exc:
        errors.add("due_on", str(exc))
        return None, False
    return due_on, False


def _check_due(errors: _Errors, due, *, start, today, meeting, due_may_have_passed) -> None:
    """Not before the deciding meeting, today (unless kept as it was) or the start."""
    if meeting is not None and due < meeting.held_on:
        errors.add(
            "due_on",
            _(
                "The due date %(due)s is before the meeting of %(date)s that decided the "
                "action item."
            )
            % {"due": due.isoformat(), "date": meeting.held_on.isoformat()},
        )
    elif due < today and not due_may_have_passed:
        errors.add(
            "due_on",
            _("The due date %(due)s has already passed: give a date from today on.")
            % {"due": due.isoformat()},
        )
    elif due < start:
        errors.add(
            "due_on",
            _("The due date %(due)s is before the start date %(start)s.")
            % {"due": due.isoformat(), "start": start.isoformat()},
        )


def _source(meeting, instruction, need) -> str:
    if meeting is not None:
        return ActionSource.MEETING
    if instruction is not None:
        return ActionSource.INSTRUCTION
    if need is not None:
        return ActionSource.NEED
    return ActionSource.SUPERVISION


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
    errors = _Errors()
    today = clock.today()
    if not (title or "").strip():
        errors.add("title", _("Give the title: what is to be done."))
    _check_owner(errors, district, owner_department, owner_person)
    project = _check_origin(
        errors, district, project=project, need=need, instruction=instruction, meeting=meeting
    )
    start = start_on or today
    due, provisional = _due_date(errors, start, due_on, due_workdays)
    if due is not None:
        _check_due(
            errors,
            due,
            start=start,
            today=today,
            meeting=meeting,
            due_may_have_passed=due_may_have_passed,
        )
    if errors:
        raise ValidationError(dict(errors))
    return ActionPlan(
        source=_source(meeting, instruction, need),
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


def owners(item: ActionItem) -> list:
    """Who is told about an item: the person in charge, or else the owner department."""
    if item.owner_person_id:
        return [item.owner_person]
    return staff_of_department(item.owner_department_id)


def new_item(
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
    """A checked item, numbered, not saved yet."""
    return ActionItem(
        district=district,
        number=next_action_number(district, clock.today().year),
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


def created_event(user, item: ActionItem):
    """The event of a new item (written by ``log_event`` or ``log_events``)."""
    return build_event(
        user,
        "action_item.created",
        item,
        summary=f"{item.number} {item.title}",
        source=item.source,
        owner_department=item.owner_department_id,
        due_on=item.due_on,
    )


def created_message(item: ActionItem, recipients) -> tuple:
    """The message telling the owners of a new item (as ``notify_many`` takes it)."""
    title = _("New action item %(number)s, due %(due)s: %(title)s") % {
        "number": item.number,
        "due": item.due_on.isoformat(),
        "title": item.title,
    }
    return (recipients, "action_item.created", title, item.description, item.get_absolute_url())


def save_new_item(user, district, plan: ActionPlan, **fields) -> ActionItem:
    """Save a checked item, numbered, log its creation and tell its owner."""
    item = new_item(user, district, plan, **fields)
    item.save()
    created_event(user, item).save()
    recipients, verb, title, body, url = created_message(item, owners(item))
    notify(recipients, verb, title, body=body, url=url)
    return item


def save_new_items(user, items: list[ActionItem]) -> list:
    """Save several checked, numbered items at once (one insert for the items and one for
    their history rows); returns their events, for the caller to log with its own, and
    tells their owners."""
    bulk_create_with_history(items, ActionItem, default_user=user, default_date=clock.now())
    staff: dict[int, list] = {}  # the owner departments' people, looked up once each
    messages = []
    for item in items:
        if not item.owner_person_id and item.owner_department_id not in staff:
            staff[item.owner_department_id] = owners(item)
        recipients = owners(item) if item.owner_person_id else staff[item.owner_department_id]
        messages.append(created_message(item, recipients))
    notify_many(messages)
    return [created_event(user, item) for item in items]


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
    require(permissions.can_assign(user, district.pk, decision=decision))
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
    return save_new_item(
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
