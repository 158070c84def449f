"""Meetings and action items over the test world, made through the services."""

from __future__ import annotations

import datetime

from zhaoshang.meetings import services

# The world's day is Monday 2026-06-15; the meetings of the tests were held on the Friday.
HELD_ON = datetime.date(2026, 6, 12)


def _tag(world, tag: str) -> tuple:
    suffix = "" if tag == "a" else "_b"
    return (
        getattr(world, f"district_{tag}"),
        getattr(world, f"user_bureau{suffix}"),
        getattr(world, f"user_leader{suffix}"),
    )


def make_meeting(world, tag: str = "a", *, projects=(), held_on=HELD_ON, **extra):
    """A joint meeting scheduled by the bureau, chaired by the district's leader; no
    escalated problem is taken up unless ``needs`` is given."""
    district, bureau, leader = _tag(world, tag)
    data = {
        "kind": "joint",
        "title": "项目推进联席会议",
        "held_on": held_on,
        "chair": leader,
        "place": "区政府三楼会议室",
        "needs": [],
        "projects": projects,
    }
    data.update(extra)
    return services.schedule_meeting(bureau, district=district, **data)


def make_item(world, tag: str = "a", *, owner=None, by=None, **extra):
    """An action item assigned directly by the district's supervision office."""
    suffix = "" if tag == "a" else "_b"
    district = getattr(world, f"district_{tag}")
    data = {
        "title": "协调解决项目施工用电接入问题",
        "owner_department": owner or getattr(world, f"dept_works_{tag}"),
        "due_workdays": 5,
    }
    data.update(extra)
    return services.create_action_item(
        by or getattr(world, f"user_supervisor{suffix}"), district=district, **data
    )


def row(department, **extra) -> dict:
    data = {"title": "完成项目用地红线复核", "owner_department": department, "due_workdays": 5}
    data.update(extra)
    return data
