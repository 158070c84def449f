from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.complaints.tests.factories import make_complaint


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def targets(world):
    """A complaint for each target of the scoping tests:

    - ``in``: district a, about project1_a (park 1), against 建设局 (the world's
      department handler's department);
    - ``out``: district a, about project2_a (park 2), against 国土局;
    - ``other``: district b."""
    return {
        "in": make_complaint(world, "a"),
        "out": make_complaint(world, "a", project=world.project2_a, department=world.dept_land_a),
        "other": make_complaint(world, "b"),
    }
