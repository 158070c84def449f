from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from zhaoshang.inspections.tests.factories import make_request


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """The verification throttle counts failures in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def targets(world):
    """A request for each target of the scoping tests:

    - ``in``: district a, by 建设局 (the world's department handler's department), approved;
    - ``out``: district a, by 东城园区管委会 (the park committee's department), filed;
    - ``other``: district b, approved."""
    return {
        "in": make_request(world, "a", approve=True),
        "out": make_request(world, "a", by=world.user_park, department=world.dept_committee_a),
        "other": make_request(world, "b", approve=True),
    }
