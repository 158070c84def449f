"""``Counter.next_value``: one number after the other per district and key, from 1."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.models import Counter

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_district_and_key(world):
    a, b = world.district_a, world.district_b
    assert [Counter.next_value(a, "t-2026") for _ in range(3)] == [1, 2, 3]
    assert Counter.next_value(b, "t-2026") == 1
    assert Counter.next_value(a, "u-2026") == 1
    assert Counter.next_value(a, "t-2026") == 4
    assert Counter.objects.get(district=a, key="t-2026").value == 4


def test_a_number_after_the_first_is_an_update_and_a_read(world):
    Counter.next_value(world.district_a, "t-2026")
    with CaptureQueriesContext(connection) as queries:
        assert Counter.next_value(world.district_a, "t-2026") == 2
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE", "SELECT"]
