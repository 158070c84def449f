"""An action item's life under supervision (督办): the supervision office edits it, the
owner reports progress and completes it with evidence, the office closes it (销号) or
sends it back to be redone (退回重办)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require, require_status
from zhaoshang.core.validators import check_upload
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import (
    OPEN_ACTION_STATUSES,
    UNCLOSED_ACTION_STATUSES,
    ActionStatus,
    ProgressKind,
)
from zhaoshang.meetings.models import ActionItem, ActionProgress
from zhaoshang.meetings.services._common import (
    ACTION_ITEM_FIELDS,
    check_date,
    required_text,
)
from zhaoshang.meetings.services.action_items import check_action_item, owners
from zhaoshang.meetings.services.overdue import record_overdue
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import supervisors


def _save_item(item: ActionItem, user, verb: str, summary: str = "", **data) -> ActionItem:
    item.save_new_version()
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


def _edited_values(item: ActionItem, changes: Mapping) -> dict:
    """The item's fields with ``changes`` applied: a due date given replaces a number of
    working days and the other way round; an owner department changed without a person in
    charge drops the person, who does not follow to another department."""
    values = {name: getattr(item, name) for name in ACTION_ITEM_FIELDS}
    values["due_workdays"] = item.due_workdays
    values["due_on"] = None if item.due_workdays is not None else item.due_on
    if "due_on" in changes and changes["due_on"] is not None:
        values["due_workdays"] = None
    if "due_workdays" in changes and changes["due_workdays"] is not None:
        values["due_on"] = None
    values.update(changes)
    person, department = values["owner_person"], values["owner_department"]
    moved = "owner_department" in changes and "owner_person" not in changes
    if moved and person is not None and getattr(department, "pk", None) != person.department_id:
        values["owner_person"] = None
    return values


@transaction.atomic
def update_action_item(
    user, item: ActionItem, changes: Mapping, expected_version: int | None = None
) -> ActionItem:
    """Change an unclosed item's title, description, owner, project or due date (the
    supervision office). A due date moved to the future lets a later overdue be escalated
    again; a ledger entry already written stays."""
    item = lock_for_update(item, expected_version)
    require(permissions.can_supervise(user, item))
    require_status(item, *UNCLOSED_ACTION_STATUSES)
    unknown = set(changes) - set(ACTION_ITEM_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    values = _edited_values(item, changes)
    due_changed = bool({"due_on", "due_workdays", "start_on"} & set(changes))
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
    if item.escalated_on and item.due_on >= clock.today():
        item.escalated_on = None
    changed = [
        name
        for name, old in before.items()
        if old != getattr(item, name + "_id" if name != "due_on" else name)
    ]
    _save_item(item, user, "action_item.updated", summary=item.title, changed=changed)
    if {"owner_department", "owner_person"} & set(changed):
        notify(
            owners(item),
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
    item = lock_for_update(item, expected_version)
    require(permissions.is_owner(user, item))
    require_status(item, *OPEN_ACTION_STATUSES)
    errors: dict = {}  # every problem of the form at once
    text = gather(errors, required_text, "text", text, _("Describe the progress."))
    on = gather(
        errors,
        check_date,
        "recorded_on",
        on or clock.today(),
        _earliest(item),
        _("the start of the item"),
    )
    gather(errors, check_upload, "file", attachment)
    raise_errors(errors)
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
    item = lock_for_update(item, expected_version)
    require(permissions.is_owner(user, item))
    require_status(item, *OPEN_ACTION_STATUSES)
    errors: dict = {}  # every problem of the form at once
    text = gather(errors, required_text, "text", text, _("Describe what was done."))
    on = gather(
        errors,
        check_date,
        "completed_on",
        on or clock.today(),
        _earliest(item),
        _("the start of the item"),
    )
    gather(
        errors,
        check_upload,
        "evidence",
        evidence,
        _("Attach the evidence of completion: a document, a photo or a scan."),
    )
    raise_errors(errors)
    _progress(item, user, ProgressKind.COMPLETION, on, text, evidence)
    item.status = ActionStatus.AWAITING_CONFIRMATION
    item.completed_on = on
    _save_item(item, user, "action_item.completed", summary=text, on=on)
    if item.done_late:
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
    item = lock_for_update(item, expected_version)
    require(permissions.can_supervise(user, item))
    require_status(item, ActionStatus.AWAITING_CONFIRMATION)
    on = check_date("closed_on", on or clock.today(), item.completed_on, _("the completion"))
    note = (note or "").strip() or _("Completion confirmed.")
    _progress(item, user, ProgressKind.CLOSURE, on, note)
    item.status = ActionStatus.CLOSED
    item.closed_on, item.closed_by = on, user
    _save_item(item, user, "action_item.closed", summary=note, on=on)
    notify(
        owners(item),
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
    item = lock_for_update(item, expected_version)
    require(permissions.can_supervise(user, item))
    require_status(item, ActionStatus.AWAITING_CONFIRMATION)
    errors: dict = {}  # the reason's and the due date's problems at once
    reason = gather(
        errors, required_text, "reason", reason, _("Give the reason for sending the item back.")
    )
    today = clock.today()
    if due_on is not None and due_on < today:
        errors["due_on"] = [
            _("The new due date %(due)s has already passed.") % {"due": due_on.isoformat()}
        ]
    raise_errors(errors)
    if due_on is not None:
        item.due_on, item.due_is_provisional, item.due_workdays = due_on, False, None
        item.escalated_on = None
    _progress(item, user, ProgressKind.RETURN, today, reason)
    item.status = ActionStatus.RETURNED
    item.completed_on = None
    _save_item(item, user, "action_item.returned", summary=reason, due_on=item.due_on)
    notify(
        owners(item),
        "action_item.returned",
        _("Action item %(number)s is sent back to be redone: %(title)s")
        % {"number": item.number, "title": item.title},
        body=reason,
        url=item.get_absolute_url(),
    )
    return item
