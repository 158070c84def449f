"""A meeting's decisions (议定事项): each creates its action items — who does what by when —
or is the joint decision (联席会议决定) that approves mutually prerequisite approval items
at the same time (同时审批、同时办结)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhaoshang.approvals import services as approvals
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.services import gather, hand_over, raise_errors, require
from zhaoshang.meetings import permissions
from zhaoshang.meetings.models import AgendaItem, Decision, Meeting
from zhaoshang.meetings.services._common import (
    ACTION_ITEM_FIELDS,
    other_district,
    required_text,
)
from zhaoshang.meetings.services.action_items import (
    ActionPlan,
    check_action_item,
    new_item,
    save_new_items,
)
from zhaoshang.meetings.services.agenda import lock_meeting
from zhaoshang.meetings.services.meetings import ready_for_decisions


class ActionItemRowsError(ValidationError):
    """Errors of some of a decision's action items. ``rows`` maps the index of each
    failing row to its ValidationError (keyed by field), so that a page can show each
    message next to its row; as a whole it reads as errors on ``action_items``."""

    def __init__(self, rows: dict[int, ValidationError], others: dict | None = None):
        self.rows = rows
        # The problems of the decision's other fields, found with the rows' (field →
        # messages): one answer names them all.
        self.others = {field: list(m) for field, m in (others or {}).items()}
        messages = []
        for index, exc in sorted(rows.items()):
            for errors in exc.message_dict.values():
                for message in errors:
                    messages.append(
                        _("Action item %(n)s: %(message)s") % {"n": index + 1, "message": message}
                    )
        others = {k: v for k, v in self.others.items() if k != "action_items"}
        super().__init__({**others, "action_items": self.others.get("action_items", []) + messages})


def _check_rows(
    meeting: Meeting, rows: Sequence[Mapping], default_project, errors: dict | None = None
) -> list[ActionPlan]:
    """The rows' plans. Refused with every row's problems and those already found in
    ``errors`` (the decision's other fields), or with ``errors`` alone."""
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
        raise ActionItemRowsError(failed, errors)
    raise_errors(errors or {})
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


def _check_agenda_item(meeting: Meeting, agenda_item) -> bool:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("This agenda item belongs to another meeting.")})
    return True


def _create_rows(user, meeting, decision, rows, plans, agenda_item) -> tuple[list, list]:
    """The decision's action items, saved at once: (the items, their events)."""
    need = agenda_item.need if agenda_item is not None and agenda_item.need_id else None
    items = [
        new_item(
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
    events = save_new_items(user, items) if items else []
    hand_over(decision, "action_items", items)  # the caller reads them without a query
    return items, events


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
    meeting = lock_meeting(meeting)
    require(permissions.can_manage_meeting(user, meeting))
    ready_for_decisions(user, meeting)
    errors: dict = {}  # every problem of the form at once
    text = gather(errors, required_text, "text", text, _("Write the decision."))
    agenda_ok = bool(gather(errors, _check_agenda_item, meeting, agenda_item))
    rows = list(action_items)
    if not rows:
        errors.setdefault("action_items", []).append(
            _("A decision needs at least one action item: which department does what, by when.")
        )
    default_project = agenda_item.project if agenda_item is not None and agenda_ok else None
    plans = _check_rows(meeting, rows, default_project, errors)
    decision = _new_decision(user, meeting, text, agenda_item)
    items, events = _create_rows(user, meeting, decision, rows, plans, agenda_item)
    ids = {"decision": decision.pk, "action_items": [i.pk for i in items]}
    log_events([*events, build_event(user, "decision.recorded", meeting, summary=text, **ids)])
    return decision


def _check_joint_project(meeting: Meeting, project, agenda_item) -> None:
    """The project of a joint decision; its problems and the agenda item's together."""
    errors: dict = {}
    if project is None:
        errors["project"] = [_("Choose the project.")]
    elif project.district_id != meeting.district_id:
        errors["project"] = [other_district()]
    if (
        agenda_item is not None
        and project is not None
        and agenda_item.project_id not in (None, project.pk)
    ):
        errors["agenda_item"] = [_("This agenda item is about another project.")]
    raise_errors(errors)


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
    meeting = lock_meeting(meeting)
    require(permissions.can_manage_meeting(user, meeting))
    ready_for_decisions(user, meeting)
    errors: dict = {}  # every problem of the form at once
    gather(errors, _check_agenda_item, meeting, agenda_item)
    gather(errors, _check_joint_project, meeting, project, agenda_item)
    number = meeting.minutes_number or gather(
        errors,
        required_text,
        "minutes_number",
        minutes_number,
        _("Give the number of the meeting's minutes: the joint decision carries it."),
    )
    rows = list(action_items)
    plans = _check_rows(meeting, rows, project, errors)
    if number != meeting.minutes_number:
        meeting.minutes_number = number
        meeting.save_new_version()
    cases = list(cases)
    text = (text or "").strip() or _(
        "The mutually prerequisite items %(items)s of %(project)s are approved at the same time, "
        "with one common due date."
    ) % {"items": "、".join(c.item.name for c in cases), "project": project.name}
    joint = approvals.record_joint_decision(
        user, project, cases, meeting.held_on, number, note=text
    )
    decision = _new_decision(user, meeting, text, agenda_item, joint_decision=joint)
    items, events = _create_rows(user, meeting, decision, rows, plans, agenda_item)
    ids = {"decision": decision.pk, "joint_decision": joint.pk, "cases": [c.pk for c in cases]}
    ids["action_items"] = [i.pk for i in items]
    log_events([*events, build_event(user, "decision.recorded", meeting, summary=text, **ids)])
    return decision


def _check_taken_joint(meeting: Meeting, joint) -> bool:
    """A joint decision the meeting took: of its district, on its date, under its minutes
    number (when it has one yet), and no meeting's decision already."""
    if joint is None:
        raise ValidationError({"joint_decision": _("Choose the joint decision.")})
    if joint.district_id != meeting.district_id:
        raise ValidationError({"joint_decision": other_district()})
    taken = Decision.objects.filter(joint_decision=joint).select_related("meeting").first()
    if taken is not None:
        raise ValidationError(
            {
                "joint_decision": _("This joint decision is already a decision of meeting %(n)s.")
                % {"n": taken.meeting.number}
            }
        )
    if joint.decided_on != meeting.held_on:
        raise ValidationError(
            {
                "joint_decision": _(
                    "The joint decision was taken on %(date)s, not on the day of the meeting "
                    "(%(held)s)."
                )
                % {"date": joint.decided_on.isoformat(), "held": meeting.held_on.isoformat()}
            }
        )
    if meeting.minutes_number and meeting.minutes_number != joint.document_number:
        raise ValidationError(
            {
                "joint_decision": _(
                    "The joint decision carries the number %(number)s, not the meeting's "
                    "minutes number %(minutes)s."
                )
                % {"number": joint.document_number, "minutes": meeting.minutes_number}
            }
        )
    return True


@transaction.atomic
def record_taken_joint_decision(
    user, meeting: Meeting, joint_decision, *, agenda_item: AgendaItem | None = None
) -> Decision:
    """A joint decision (联席会议决定) already recorded with the approvals (its cases
    approved at the same time) as the decision of the meeting that took it: on the
    meeting's date, its document number the meeting's minutes number (given to the meeting
    when it has none yet), its note the decision's text."""
    meeting = lock_meeting(meeting)
    require(permissions.can_manage_meeting(user, meeting))
    ready_for_decisions(user, meeting)
    errors: dict = {}  # every problem at once; the project's once the decision is known
    gather(errors, _check_agenda_item, meeting, agenda_item)
    if gather(errors, _check_taken_joint, meeting, joint_decision) is not None:
        gather(errors, _check_joint_project, meeting, joint_decision.project, agenda_item)
    raise_errors(errors)
    text = (joint_decision.note or "").strip() or _("Joint decision %(number)s.") % {
        "number": joint_decision.document_number
    }
    if not meeting.minutes_number:
        meeting.minutes_number = joint_decision.document_number
        meeting.save_new_version()
    decision = _new_decision(user, meeting, text, agenda_item, joint_decision=joint_decision)
    ids = {"decision": decision.pk, "joint_decision": joint_decision.pk}
    log_event(user, "decision.recorded", meeting, summary=text, **ids)
    return decision
