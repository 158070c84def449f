"""Hand-built figures for the departments ranked (``reports/rankings.py``): cases done on
time or late by the world's departments, and the enterprises' ratings of them."""

from __future__ import annotations

import datetime
import itertools

from zhaoshang.approvals.choices import CaseStatus, Party
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.ratings.choices import Score, SubjectKind
from zhaoshang.ratings.models import Rating

D = datetime.date
_subjects = itertools.count(900000)


def done_case(world, department, *, due, done, late_party="", tag="a"):
    """A case of ``department`` done on ``done``, due on ``due`` (None: no due date)."""
    project = getattr(world, f"project1_{tag}")
    model = getattr(world, f"item_works_{tag}")
    n = next(_subjects)
    item = ApprovalItem.objects.create(
        district=project.district,
        code=f"T-{n}",
        name=f"测试事项{n}",
        department=department,
        phase=model.phase,
        in_green_channel=False,
        sort_order=200,
        legal_basis="测试",
    )
    agent = getattr(world, "user_service_center" if tag == "a" else "user_service_center_b")
    return ApprovalCase.objects.create(
        district=project.district,
        project=project,
        item=item,
        department=department,
        agent=agent,
        registered_on=D(2026, 1, 5),
        registered_by=agent,
        time_limit=item.time_limit or 5,
        time_limit_unit=item.time_limit_unit,
        status=CaseStatus.DONE,
        due_on=due,
        done_on=done,
        late_party=late_party,
        late_department=None,
    )


def rating(world, department, score, *, on, tag="a"):
    enterprise = getattr(world, f"enterprise1_{tag}")
    return Rating.objects.create(
        district=department.district,
        subject_kind=SubjectKind.CASE,
        subject_id=next(_subjects),
        enterprise=enterprise,
        department=department,
        score=score,
        rated_on=on,
        rated_by=getattr(world, "user_enterprise" if tag == "a" else "user_enterprise_b"),
    )


def figures(world):
    """District a in 2026: 建设局 3 cases, 2 on time (one late through the enterprise's
    days, so on time for it) and 1 late → 66.7 %; 国土局 2 of 2 → 100 %; 招商局 0 of 1;
    one case of 2025 and one of district b that never count. Ratings: 国土局 1 满意 + 1
    不满意 → 50 %; 建设局 满意, 基本满意 → 100 %; district b's 建设局 一 不满意."""
    works, land, bureau = world.dept_works_a, world.dept_land_a, world.dept_bureau_a
    done_case(world, works, due=D(2026, 3, 10), done=D(2026, 3, 9))
    done_case(world, works, due=D(2026, 3, 10), done=D(2026, 3, 20), late_party=Party.ENTERPRISE)
    done_case(world, works, due=D(2026, 4, 10), done=D(2026, 4, 14))
    done_case(world, land, due=D(2026, 2, 10), done=D(2026, 2, 10))
    done_case(world, land, due=None, done=D(2026, 5, 6))
    done_case(world, bureau, due=D(2026, 5, 6), done=D(2026, 5, 8))
    done_case(world, works, due=D(2025, 5, 6), done=D(2025, 5, 8))  # another year
    done_case(world, world.dept_works_b, due=D(2026, 5, 6), done=D(2026, 5, 9), tag="b")
    rating(world, land, Score.SATISFIED, on=D(2026, 3, 1))
    rating(world, land, Score.DISSATISFIED, on=D(2026, 3, 2))
    rating(world, works, Score.SATISFIED, on=D(2026, 4, 1))
    rating(world, works, Score.FAIRLY, on=D(2026, 4, 2))
    rating(world, world.dept_works_b, Score.DISSATISFIED, on=D(2026, 4, 2), tag="b")
