from __future__ import annotations

import pytest

from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.ratings.tests.factories import make_rating


@pytest.fixture
def targets(world):
    """A 不满意 waiting for follow-up for each target of the scoping tests, each rating a
    real complaint:

    - ``in``: district a, project1_a's enterprise, against 建设局 (the world's department
      handler's department);
    - ``out``: district a, project2_a's enterprise, against 国土局;
    - ``other``: district b."""
    return {
        "in": make_rating(world, subject=make_complaint(world, "a")),
        "out": make_rating(
            world,
            subject=make_complaint(
                world, "a", project=world.project2_a, department=world.dept_land_a
            ),
            project=world.project2_a,
            department=world.dept_land_a,
        ),
        "other": make_rating(world, "b", subject=make_complaint(world, "b")),
    }
