"""What the service pages share: the working days left in words, the visible problems,
the action items of instructions."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhaoshang.core import clock
from zhaoshang.service.choices import OPEN_NEED_STATUSES
from zhaoshang.service.models import Need


def action_items_prefetch():
    """The action items of instructions, with their owners, due date first."""

    from zhaoshang.meetings.models import ActionItem

    return Prefetch(
        "action_items",
        queryset=ActionItem.objects.select_related("owner_department", "owner_person").order_by(
            "due_on", "id"
        ),
    )


def days_left_text(need) -> str:
    left = getattr(need, "days_left", None)
    if left is None or need.status not in OPEN_NEED_STATUSES:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


def visible_needs(user):
    """The problems the user sees, with their working days left and light."""

    return Need.objects.visible_to(user).with_days_left(clock.today())
