"""Instructions (批示) on receipts and the supervised action items they order."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import require
from zhaoshang.meetings.services import create_action_item
from zhaoshang.notifications.services import notify
from zhaoshang.service import permissions
from zhaoshang.service.models import Instruction, Receipt
from zhaoshang.service.services._common import checked_text, past_date
from zhaoshang.service.services.receipts import lock_receipt


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
    receipt = lock_receipt(receipt, None)
    require(permissions.can_instruct(user, receipt))
    text = checked_text("text", text, _("Write the instruction."))
    written_on = written_on or clock.today()
    past_date(
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
