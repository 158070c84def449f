from __future__ import annotations

import pytest
from django.utils import translation

from zhaoshang.kpis.tests.factories import make_target


@pytest.fixture
def english(settings):
    """English messages, in the test and in the pages it requests."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def targets(world):
    """A target for each target of the scoping tests: ``in`` (district a's own, 2026),
    ``out`` (district a's working group, 2026) and ``other`` (district b's own, 2026)."""
    return {
        "in": make_target(world),
        "out": make_target(world, working_group=world.group_a),
        "other": make_target(world, "b"),
    }
