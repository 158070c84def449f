"""Instructions (批示) on receipts and the supervised action items they order."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import add_errors, gather, raise_errors, require
from zhaoshang.meetings.services import check_action_item, create_action_item
from zhaoshang.notifications.services import notify
from zhaoshang.service import permissions
from zhaoshang.service.models import Instruction, Receipt
from zhaoshang.service.services._common import checked_text, past_date
from zhaoshang.service.services.receipts import lock_receipt


class InstructionItemError(ValidationError):
    """Action items of an instruction were refused. ``rows`` maps the index (0-based) of
    each refused item to its ValidationError, ``index`` is the first of them, ``others``
    the problems of the instruction's own fields found with them (field → messages). As
    a whole it reads as those and the first item's errors."""

    def __init__(
        self,
        index: int,
        error: ValidationError,
        *,
        rows: dict[int, ValidationError] | None = None,
        others: dict | None = None,
    ):
        self.rows = dict(rows) if rows else {index: error}
        self.index = min(self.rows)
        self.others = {field: list(m) for field, m in (others or {}).items()}
        merged = {field: list(m) for field, m in self.others.items()}
        add_errors(merged, self.rows[self.index])
        super().__init__(merged)


ITEM_KEYS = (
    "title",
    "owner_department",
    "owner_person",
    "due_on",
    "due_workdays",
    "description",
)


def _check_items(receipt: Receipt, items: list[dict], text: str, start_on) -> dict:
    """Each item's problems (index → ValidationError), all of them before anything is
    written; an item starts on the instruction's day (today while that day is refused)."""
    failed = {}
    for index, item in enumerate(items):
        unknown = set(item) - set(ITEM_KEYS)
        if unknown:
            failed[index] = ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
            continue
        try:
            check_action_item(
                district=receipt.district,
                title=(item.get("title") or "").strip() or text[:120] or "-",
                owner_department=item.get("owner_department"),
                owner_person=item.get("owner_person"),
                due_on=item.get("due_on"),
                due_workdays=item.get("due_workdays"),
                start_on=start_on,
                project=receipt.project,
            )
        except ValidationError as exc:
            failed[index] = exc
    return failed


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
    receipt = lock_receipt(receipt, None)
    require(permissions.can_instruct(user, receipt))
    errors: dict = {}  # every problem of the form and of its items at once
    text = gather(errors, checked_text, "text", text, _("Write the instruction."))
    written_on = written_on or clock.today()
    dated = gather(
        errors,
        past_date,
        "written_on",
        written_on,
        _("Give the date of the instruction."),
        _("The date of the instruction cannot be in the future."),
    )
    if dated is not None and written_on < receipt.visited_on:
        errors["written_on"] = [
            _("The instruction cannot be dated before the visit (%(date)s).")
            % {"date": receipt.visited_on.isoformat()}
        ]
    items = [dict(item) for item in items]
    if not items:
        errors["items"] = [_("An instruction orders at least one action item: give its owner.")]
    failed = _check_items(receipt, items, text or "", written_on if dated else None)
    if failed:
        raise InstructionItemError(min(failed), failed[min(failed)], rows=failed, others=errors)
    raise_errors(errors)
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
