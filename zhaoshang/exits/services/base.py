"""What the exit services share: saving a warning's change as a new version with its
event, the moment a past step is logged, and who is told about a warning."""

from __future__ import annotations

import datetime
import zoneinfo

from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import Role
from zhaoshang.exits.models import ExitWarning
from zhaoshang.org.models import User
from zhaoshang.projects.choices import TeamRole

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _save(warning: ExitWarning, user, verb: str, summary: str = "", occurred_at=None, **data):
    warning.save_new_version()
    log_event(user, verb, warning, summary, occurred_at=occurred_at, **data)
    return warning


def _supervisors(district_id) -> list:
    """The district's supervision office (active people)."""
    return list(
        User.objects.filter(
            district_id=district_id, is_active=True, groups__name=Role.SUPERVISOR
        ).distinct()
    )


def _people_to_tell(project, district_id, supervisors=None) -> list:
    """The project's secretary and manager and the district's supervision office
    (``supervisors``: read once by a caller telling many projects of the district)."""
    team = [
        m.user
        for m in project.team_members.all()
        if m.role in (TeamRole.SECRETARY, TeamRole.MANAGER)
    ]
    if supervisors is None:
        supervisors = _supervisors(district_id)
    return [*team, *supervisors]


def _moment(day: datetime.date, today: datetime.date) -> datetime.datetime | None:
    """When an event dated ``day`` is logged: now for today, office hours for a past day
    (the demo records steps taken in the past)."""
    if day >= today:
        return None
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SHANGHAI)
