"""A meeting's agenda: projects, problems of the problem list (问题清单), approval cases and
free topics; the problems escalated to a meeting that wait for one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import MeetingStatus
from zhaoshang.meetings.models import AgendaItem, Meeting
from zhaoshang.meetings.services._common import other_district
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

MEETING_RELATED = ("district", "chair")


def lock_meeting(meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """The meeting's row, locked; refused (409) when changed since ``expected_version``."""
    return lock_for_update(meeting, expected_version, select_related=MEETING_RELATED)


def ensure_not_final(meeting: Meeting) -> None:
    """Refuse any change once the minutes are issued."""
    if meeting.is_final:
        raise status_error(
            _("The minutes of this meeting are issued: its record can no longer change.")
        )


def escalated_needs(district):
    """Problems escalated to a meeting (提交会议协调) that no coming meeting has on its
    agenda yet: a new meeting takes them up."""
    waiting = AgendaItem.objects.filter(
        need__isnull=False, meeting__status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD)
    ).values("need_id")
    return (
        Need.objects.filter(district=district, status=NeedStatus.ESCALATED)
        .exclude(pk__in=waiting)
        .order_by("id")
    )


def _agenda_project(errors: dict, project, need, case):
    """The project of a point: given, or the one of its problem or approval case."""
    if need is not None:
        if project is not None and project.pk != need.project_id:
            errors["need"] = _("The problem concerns another project.")
        project = need.project
    if case is not None:
        if project is not None and project.pk != case.project_id:
            errors["case"] = _("The approval case belongs to another project.")
        project = case.project
    return project


def new_agenda_item(
    user, meeting, *, order, project=None, need=None, case=None, topic="", note=""
) -> AgendaItem:
    """Check and save one point of the agenda at ``order``."""
    errors: dict[str, str] = {}
    for field, obj in (("project", project), ("need", need), ("case", case)):
        if obj is not None and obj.district_id != meeting.district_id:
            errors[field] = other_district()
    project = _agenda_project(errors, project, need, case)
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


def next_order(meeting: Meeting) -> int:
    """The place of a point added at the end of the agenda."""
    return (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1


@transaction.atomic
def add_agenda_item(
    user, meeting: Meeting, *, project=None, need=None, case=None, topic: str = "", note: str = ""
) -> AgendaItem:
    """Put a project, a problem, an approval case or a topic on the agenda."""
    meeting = lock_meeting(meeting)
    require(permissions.can_manage_meeting(user, meeting))
    ensure_not_final(meeting)
    item = new_agenda_item(
        user,
        meeting,
        order=next_order(meeting),
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
    """Take a point off the agenda, unless the meeting decided on it."""
    meeting = lock_meeting(agenda_item.meeting)
    require(permissions.can_manage_meeting(user, meeting))
    ensure_not_final(meeting)
    if agenda_item.decisions.exists():
        raise ValidationError(
            {"agenda_item": _("The meeting decided on this agenda item: it stays on the record.")}
        )
    subject = agenda_item.subject
    agenda_item.delete()
    log_event(user, "meeting.agenda_removed", meeting, summary=subject)
