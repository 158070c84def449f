"""The signals' reads that lost an index of their own (issue 19: every index is written for
every signal the daily scan inserts) read another: a department's deletion finds its lights
off ``signal_department``, which holds only the lights with a department; a district's
lights — the collector's check before a district is deleted — off the board's index, which
leads with the district."""

from __future__ import annotations

from zhaoshang.monitoring.models import Signal
from zhaoshang.testing.plans import reads_index


def test_a_department_s_deletion_finds_its_lights_off_the_partial_index(db):
    assert reads_index(Signal.objects.filter(department__in=[1, 2]), "signal_department")


def test_a_district_s_lights_are_found_off_the_board_s_index(db):
    assert reads_index(Signal.objects.filter(district__in=[1, 2]), "signal_board_order")
