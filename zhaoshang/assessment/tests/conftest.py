from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.assessment.tests.factories import make_entry, make_objection


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def entries(world):
    """A deduction for each target: ``in`` (建设局 of district a, the world's department
    handlers), ``out`` (国土局 of district a) and ``other`` (建设局 of district b)."""
    return {
        "in": make_entry(world.dept_works_a),
        "out": make_entry(world.dept_land_a),
        "other": make_entry(world.dept_works_b),
    }


@pytest.fixture
def departments(world):
    return {"in": world.dept_works_a, "out": world.dept_land_a, "other": world.dept_works_b}


@pytest.fixture
def objections(world):
    """A pending objection for each target, each on its own entry."""
    return {
        "in": make_objection(make_entry(world.dept_works_a, "-2"), world.user_department),
        "out": make_objection(make_entry(world.dept_land_a, "-2"), world.user_department),
        "other": make_objection(make_entry(world.dept_works_b, "-2"), world.user_department_b),
    }
