from __future__ import annotations

import pytest

from zhaoshang.meetings.tests.factories import make_item, make_meeting, row


@pytest.fixture
def targets(world):
    """A meeting and an action item for each target of the scoping tests:

    - ``in``: district a, about project1_a (park 1, the park committee's), owned by 建设局
      (the world's department handler);
    - ``out``: district a, about project2_a (park 2), owned by 国土局;
    - ``other``: district b."""
    from zhaoshang.meetings import services

    meetings = {
        "in": make_meeting(world, "a", projects=[world.project1_a]),
        "out": make_meeting(world, "a", projects=[world.project2_a]),
        "other": make_meeting(world, "b", projects=[world.project1_b]),
    }
    users = {"in": world.user_bureau, "out": world.user_bureau, "other": world.user_bureau_b}
    owners = {"in": world.dept_works_a, "out": world.dept_land_a, "other": world.dept_works_b}
    projects = {"in": world.project1_a, "out": world.project2_a, "other": world.project1_b}
    items = {}
    for target, meeting in meetings.items():
        decision = services.record_decision(
            users[target],
            meeting,
            text="会议议定：限期完成。",
            agenda_item=meeting.agenda_items.first(),
            action_items=[row(owners[target], project=projects[target])],
        )
        items[target] = decision.action_items.get()
    return {"meeting": meetings, "item": items}


__all__ = ["make_item", "make_meeting", "row"]
