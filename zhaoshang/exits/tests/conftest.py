from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.exits.tests.factories import make_warning


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def targets(world):
    """A warning for each target of the scoping tests: ``in`` (project1_a, park 1),
    ``out`` (project2_a, park 2), ``other`` (district b)."""
    return {
        "in": make_warning(world, "a"),
        "out": make_warning(world, "a", project=world.project2_a),
        "other": make_warning(world, "b"),
    }
