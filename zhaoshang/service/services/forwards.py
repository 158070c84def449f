"""报送主要领导 (SPEC §7, §20): the leader in charge forwards a receipt or a problem, with a
note, to the district's principal leaders (区委、区政府主要领导); each of them finds it in
their forwarded inbox and is told at once; opening it records that it was read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import principal_leaders
from zhaoshang.service import permissions
from zhaoshang.service.models import Forward, Need, Receipt
from zhaoshang.service.services._common import checked_text

NOTE_LIMIT = 1000


def forward_recipients(user, district_id) -> list:
    """The principal leaders the user may forward to: those of the district but the user."""
    return [p for p in principal_leaders(district_id) if p.pk != user.pk]


def _chosen(user, district_id, recipients) -> list:
    offered = forward_recipients(user, district_id)
    if not offered:
        raise ValidationError(
            {
                "recipients": _(
                    "The district has no principal leader (区委、区政府主要领导) on record to "
                    "forward to: ask the administrator to mark them on their accounts."
                )
            }
        )
    if recipients is None:
        return offered
    by_pk = {p.pk: p for p in offered}
    asked = [getattr(r, "pk", r) for r in recipients]
    if not asked:
        raise ValidationError({"recipients": _("Choose at least one principal leader.")})
    unknown = [pk for pk in asked if pk not in by_pk]
    if unknown:
        raise ValidationError(
            {"recipients": _("Only the district's principal leaders can receive a forwarded item.")}
        )
    return [by_pk[pk] for pk in dict.fromkeys(asked)]


@transaction.atomic
def forward(
    user, *, receipt: Receipt | None = None, need: Need | None = None, note: str, recipients=None
) -> list[Forward]:
    """Forward a receipt or a problem (exactly one) to the principal leaders chosen (all
    of the district's when None), with the leader's note. Returns one row per recipient."""
    if (receipt is None) == (need is None):
        raise ValueError("forward one receipt or one problem")
    subject = receipt or need
    require(permissions.can_forward(user, receipt=receipt, need=need))
    errors: dict = {}  # the note's and the recipients' problems in one answer
    note = gather(
        errors,
        checked_text,
        "note",
        note,
        _("Write a note for the principal leaders: what you ask of them and why."),
        limit=NOTE_LIMIT,
    )
    chosen = gather(errors, _chosen, user, subject.district_id, recipients)
    raise_errors(errors)
    now = clock.now()
    rows = [
        Forward(
            district_id=subject.district_id,
            receipt=receipt,
            need=need,
            project_id=subject.project_id,
            sent_by=user,
            recipient=leader,
            note=note,
            sent_at=now,
        )
        for leader in chosen
    ]
    for row in rows:
        row.save()  # (saved one by one: each gets its history row)
    kind = "receipt" if receipt is not None else "need"
    names = "、".join(p.display_name for p in chosen)
    log_event(
        user,
        f"{kind}.forwarded",
        subject,
        summary=f"{subject.number} → {names}: {note[:150]}",
        recipients=[p.pk for p in chosen],
    )
    project = subject.project
    if receipt is not None:
        title = _("%(leader)s forwarded receipt %(number)s of %(project)s to you")
    else:
        title = _("%(leader)s forwarded problem %(number)s of %(project)s to you")
    title = title % {
        "leader": user.display_name,
        "number": subject.number,
        "project": project.name,
    }
    for row in rows:
        notify([row.recipient], "forward.received", title, body=note, url=row.get_absolute_url())
    return rows


@transaction.atomic
def mark_forward_read(user, item: Forward) -> bool:
    """The principal leader opened the forwarded item: recorded once, with the moment."""
    if item.recipient_id != user.pk or item.read_at is not None:
        return False
    item = lock_for_update(item)
    if item.read_at is not None:
        return False
    item.read_at = clock.now()
    item.save(update_fields=["read_at"])
    log_event(user, "forward.read", item, summary=str(item.subject))
    return True
