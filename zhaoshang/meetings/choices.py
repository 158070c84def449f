from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    """The five kinds of meeting of the work plan (联席会议制, 协调会和现场办公会)."""

    LEADING_GROUP = "leading_group", _("Leading group meeting")
    JOINT = "joint", _("Joint meeting")
    COORDINATION = "coordination", _("Coordination meeting")
    ON_SITE = "on_site", _("On-site office meeting")
    SPECIAL = "special", _("Special-topic meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    MINUTES_ISSUED = "minutes_issued", _("Minutes issued")


class ActionSource(models.TextChoices):
    """Where a supervised action item (督办事项) comes from."""

    MEETING = "meeting", _("Meeting decision")
    INSTRUCTION = "instruction", _("Leader's instruction")
    NEED = "need", _("Problem list")
    SUPERVISION = "supervision", _("Assigned by the supervision office")


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CONFIRMATION = "awaiting", _("Done, awaiting confirmation")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Sent back to be redone")


# The owner still has to act: the clock runs and the item can be overdue.
OPEN_ACTION_STATUSES = (
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.RETURNED,
)
# Not yet closed by the supervision office.
UNCLOSED_ACTION_STATUSES = (*OPEN_ACTION_STATUSES, ActionStatus.AWAITING_CONFIRMATION)


class ProgressKind(models.TextChoices):
    NOTE = "note", _("Progress")
    COMPLETION = "completion", _("Completion reported")
    RETURN = "return", _("Sent back")
    CLOSURE = "closure", _("Closed")
