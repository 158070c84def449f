"""Meetings (联席会议制): scheduled — the problems escalated to a meeting go on its
agenda — edited, held, and closed by issuing their minutes (印发会议纪要)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import Counter
from zhaoshang.core.roles import Role
from zhaoshang.core.services import gather, raise_errors, require, status_error
from zhaoshang.core.validators import check_upload
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import MeetingKind, MeetingStatus
from zhaoshang.meetings.models import Meeting
from zhaoshang.meetings.services._common import (
    check_date,
    other_district,
    required_text,
)
from zhaoshang.meetings.services.agenda import (
    ensure_not_final,
    escalated_needs,
    lock_meeting,
    new_agenda_item,
)
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import staff_of_department

MEETING_FIELDS = (
    "kind",
    "title",
    "held_on",
    "starts_at",
    "place",
    "chair",
    "departments",
    "attendees",
    "minutes_number",
)


def next_meeting_number(district, year: int) -> str:
    """HY-YYYY-NNNN, skipping numbers already taken."""
    while True:
        number = Counter.next_value(district, f"meeting-{year}")
        code = f"HY-{year}-{number:04d}"
        if not Meeting.objects.filter(district=district, number=code).exists():
            return code


def _check_people(district, chair, departments, attendees) -> None:
    errors: dict[str, str] = {}
    if chair is None:
        errors["chair"] = _("Choose the leader who chairs the meeting.")
    elif (
        chair.district_id != district.pk
        or not chair.is_active
        or not roles.has_role(chair, Role.LEADER)
    ):
        errors["chair"] = _(
            "%(person)s cannot chair it: the chair must be a leader (区领导/县级领导) of the "
            "district."
        ) % {"person": chair.display_name}
    if any(d.district_id != district.pk for d in departments):
        errors["departments"] = other_district()
    strangers = [
        p.display_name
        for p in attendees
        if p.district_id != district.pk or p.enterprise_id or not p.is_active
    ]
    if strangers:
        errors["attendees"] = _("Not staff of the district: %(people)s.") % {
            "people": "、".join(strangers)
        }
    if errors:
        raise ValidationError(errors)


def meeting_people(meeting: Meeting) -> list:
    """The chair and the people attending, who are told of the meeting."""
    return [meeting.chair, *meeting.attendees.filter(is_active=True)]


def _when(held_on: datetime.date, starts_at: datetime.time | None) -> str:
    return held_on.isoformat() + (f" {starts_at:%H:%M}" if starts_at else "")


def _fill_agenda(user, meeting, *, needs, cases, projects, topics) -> None:
    """The escalated problems first, then the approval cases, the projects not yet on the
    agenda and the free topics."""
    order = 1
    for need in needs:
        new_agenda_item(user, meeting, order=order, need=need)
        order += 1
    for case in cases:
        new_agenda_item(user, meeting, order=order, case=case)
        order += 1
    on_agenda = set(meeting.agenda_items.values_list("project_id", flat=True))
    for project in projects:
        if project.pk not in on_agenda:
            new_agenda_item(user, meeting, order=order, project=project)
            order += 1
    for topic in topics:
        if topic.strip():
            new_agenda_item(user, meeting, order=order, topic=topic)
            order += 1


@transaction.atomic
def schedule_meeting(
    user,
    *,
    district,
    kind: str,
    title: str,
    held_on: datetime.date,
    chair,
    starts_at: datetime.time | None = None,
    place: str = "",
    departments: Sequence = (),
    attendees: Sequence = (),
    minutes_number: str = "",
    needs: Iterable | None = None,
    projects: Iterable = (),
    cases: Iterable = (),
    topics: Iterable[str] = (),
) -> Meeting:
    """Schedule a meeting and tell the chair and the people attending. The problems
    escalated to a meeting go on its agenda (``needs``: all those waiting when None), then
    the projects, approval cases and free topics given."""
    require(permissions.can_schedule(user, district.pk))
    errors: dict = {}  # every problem of the form at once
    if kind not in MeetingKind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    title = gather(errors, required_text, "title", title, _("Give the meeting's title."))
    if held_on is None:
        errors["held_on"] = [_("Give the date of the meeting.")]
    departments, attendees = list(departments), list(attendees)
    gather(errors, _check_people, district, chair, departments, attendees)
    raise_errors(errors)
    meeting = Meeting.objects.create(
        district=district,
        number=next_meeting_number(district, held_on.year),
        kind=kind,
        title=title,
        held_on=held_on,
        starts_at=starts_at,
        place=(place or "").strip(),
        chair=chair,
        minutes_number=(minutes_number or "").strip(),
        created_by=user,
    )
    meeting.departments.add(*departments)  # (a new meeting has none to replace)
    meeting.attendees.add(*attendees)
    needs = list(escalated_needs(district) if needs is None else needs)
    _fill_agenda(user, meeting, needs=needs, cases=cases, projects=projects, topics=topics)
    log_event(
        user,
        "meeting.scheduled",
        meeting,
        summary=f"{meeting.number} {meeting.title}",
        kind=kind,
        held_on=held_on,
        needs=[n.pk for n in needs],
    )
    notify(
        meeting_people(meeting),
        "meeting.scheduled",
        _("Meeting notice: %(title)s, %(when)s, %(place)s")
        % {
            "title": meeting.title,
            "when": _when(held_on, starts_at),
            "place": meeting.place or "—",
        },
        url=meeting.get_absolute_url(),
    )
    return meeting


def joint_number_taken(meeting: Meeting) -> bool:
    """A joint decision carries the meeting's minutes number: it can no longer change."""
    return (
        bool(meeting.minutes_number)
        and meeting.decisions.filter(joint_decision__isnull=False).exists()
    )


def _check_minutes_number(meeting: Meeting, number: str) -> None:
    if number != meeting.minutes_number and joint_number_taken(meeting):
        raise ValidationError(
            {
                "minutes_number": _(
                    "A joint decision already carries the minutes number %(number)s: it cannot change."
                )
                % {"number": meeting.minutes_number}
            }
        )


def _check_changes(meeting: Meeting, changes: Mapping, errors: dict) -> dict:
    """The changes checked, each problem added to ``errors`` (field → messages); the
    title stripped."""
    unknown = set(changes) - set(MEETING_FIELDS)
    for name in sorted(unknown):
        errors.setdefault(name, []).append(_("This field cannot be changed."))
    if "kind" in changes and changes["kind"] not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of meeting."))
    if "title" in changes:
        title = gather(
            errors, required_text, "title", changes["title"], _("Give the meeting's title.")
        )
        changes = {**changes, "title": title}
    held_on = changes.get("held_on", meeting.held_on)
    if held_on is None:
        errors.setdefault("held_on", []).append(_("Give the date of the meeting."))
    elif held_on != meeting.held_on:
        if meeting.decisions.exists():
            errors.setdefault("held_on", []).append(
                _("The meeting has decisions: its date can no longer change.")
            )
        elif meeting.status == MeetingStatus.HELD and held_on > clock.today():
            errors.setdefault("held_on", []).append(
                _("The meeting has been held: its date cannot be in the future.")
            )
    return changes


@transaction.atomic
def update_meeting(
    user, meeting: Meeting, changes: Mapping, expected_version: int | None = None
) -> Meeting:
    """Edit a meeting until its minutes are issued; its date stays once it has decisions."""
    meeting = lock_meeting(meeting, expected_version)
    require(permissions.can_manage_meeting(user, meeting))
    ensure_not_final(meeting)
    errors: dict = {}  # every problem of the changes at once
    changes = _check_changes(meeting, changes, errors)
    number = (changes.get("minutes_number", meeting.minutes_number) or "").strip()
    gather(errors, _check_minutes_number, meeting, number)
    departments = list(changes.get("departments", meeting.departments.all()))
    attendees = list(changes.get("attendees", meeting.attendees.all()))
    chair = changes.get("chair", meeting.chair)
    gather(errors, _check_people, meeting.district, chair, departments, attendees)
    raise_errors(errors)
    changed = []
    for name in ("kind", "title", "held_on", "starts_at", "place", "chair"):
        if name in changes and changes[name] != getattr(meeting, name):
            setattr(
                meeting, name, changes[name] if name != "place" else (changes[name] or "").strip()
            )
            changed.append(name)
    if number != meeting.minutes_number:
        meeting.minutes_number = number
        changed.append("minutes_number")
    meeting.save_new_version()
    if "departments" in changes:
        meeting.departments.set(departments)
        changed.append("departments")
    if "attendees" in changes:
        meeting.attendees.set(attendees)
        changed.append("attendees")
    log_event(user, "meeting.updated", meeting, summary=meeting.title, changed=changed)
    if {"held_on", "starts_at", "place"} & set(changed):
        notify(
            meeting_people(meeting),
            "meeting.scheduled",
            _("Meeting changed: %(title)s, now %(when)s, %(place)s")
            % {
                "title": meeting.title,
                "when": _when(meeting.held_on, meeting.starts_at),
                "place": meeting.place or "—",
            },
            url=meeting.get_absolute_url(),
        )
    return meeting


def hold(user, meeting: Meeting) -> None:
    """planned → held, once the day has come."""
    if meeting.held_on > clock.today():
        raise status_error(
            _(
                "The meeting is on %(date)s: it can be marked held, and its decisions "
                "recorded, from that day on."
            )
            % {"date": meeting.held_on.isoformat()}
        )
    meeting.status = MeetingStatus.HELD
    meeting.save_new_version()
    log_event(user, "meeting.held", meeting, summary=meeting.title, held_on=meeting.held_on)


@transaction.atomic
def mark_held(user, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Record that a planned meeting was held."""
    meeting = lock_meeting(meeting, expected_version)
    require(permissions.can_manage_meeting(user, meeting))
    if meeting.status != MeetingStatus.PLANNED:
        raise status_error(
            _("The meeting is already “%(status)s”.") % {"status": meeting.get_status_display()}
        )
    hold(user, meeting)
    return meeting


def ready_for_decisions(user, meeting: Meeting) -> None:
    """A meeting takes decisions until its minutes are issued; a planned one whose day has
    come is marked held first."""
    ensure_not_final(meeting)
    if meeting.status == MeetingStatus.PLANNED:
        hold(user, meeting)


@transaction.atomic
def issue_minutes(
    user,
    meeting: Meeting,
    *,
    minutes: str,
    minutes_number: str,
    issued_on: datetime.date | None = None,
    minutes_file=None,
    expected_version: int | None = None,
) -> Meeting:
    """Issue the minutes (印发会议纪要): the text, its number and optionally the signed
    document; the meeting's record is then closed."""
    meeting = lock_meeting(meeting, expected_version)
    require(permissions.can_manage_meeting(user, meeting))
    ensure_not_final(meeting)
    errors: dict = {}  # every problem of the form at once
    minutes = gather(errors, required_text, "minutes", minutes, _("Write the minutes."))
    number = gather(
        errors,
        required_text,
        "minutes_number",
        minutes_number,
        _("Give the number of the minutes."),
    )
    if number is not None:
        gather(errors, _check_minutes_number, meeting, number)
    issued_on = gather(
        errors,
        check_date,
        "minutes_issued_on",
        issued_on or clock.today(),
        meeting.held_on,
        _("the meeting"),
    )
    gather(errors, check_upload, "minutes_file", minutes_file)
    raise_errors(errors)
    if meeting.status == MeetingStatus.PLANNED:
        hold(user, meeting)
    meeting.minutes, meeting.minutes_number = minutes, number
    meeting.minutes_issued_on = issued_on
    if minutes_file is not None:
        meeting.minutes_file_name = minutes_file.name.rsplit("/", 1)[-1][:200]
        meeting.minutes_file.save(meeting.minutes_file_name, minutes_file, save=False)
    meeting.status = MeetingStatus.MINUTES_ISSUED
    meeting.save_new_version()
    log_event(user, "meeting.minutes_issued", meeting, summary=number, on=issued_on)
    owners = []
    for department_id in meeting.departments.values_list("pk", flat=True):
        owners += staff_of_department(department_id)
    notify(
        meeting_people(meeting) + owners,
        "meeting.minutes_issued",
        _("Minutes %(number)s issued: %(title)s") % {"number": number, "title": meeting.title},
        url=meeting.get_absolute_url(),
    )
    return meeting
