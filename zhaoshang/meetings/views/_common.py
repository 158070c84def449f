"""What the meetings pages share: the working days left in words, a record's history, who
may create in a district."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhaoshang.core.audit import event_label
from zhaoshang.core.models import DomainEvent

# Events whose summary says more than the label (a reason, a topic, a number).
INFORMATIVE_SUMMARIES = {
    "meeting.agenda_added",
    "meeting.agenda_removed",
    "meeting.minutes_issued",
    "decision.recorded",
    "action_item.progress",
    "action_item.completed",
    "action_item.closed",
    "action_item.returned",
    "action_item.overdue",
}


def days_left_text(item) -> str:
    """剩余 N 个工作日 / 超期 N 个工作日, from the ``days_left`` annotated in SQL."""
    if not item.is_open:
        return ""
    left = getattr(item, "days_left", None)
    if left is None:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


def record_events(obj) -> list[DomainEvent]:
    """The domain events of a meeting or an action item, oldest first, with their labels."""
    events = list(
        DomainEvent.objects.for_object(obj).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
        event.detail = event.verb in INFORMATIVE_SUMMARIES and bool(event.summary)
    return events


def may_create(request, rule) -> bool:
    """New meetings and items belong to the creator's district: a user without one (a
    superuser of the whole city) creates none here."""
    district_id = request.user.district_id
    return district_id is not None and rule(request.user, district_id)
