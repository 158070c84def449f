"""The signals' reads that lost an index of their own (issue 19: every index is written for
every signal the daily scan inserts) read another: a department's deletion finds its lights
off ``signal_department``, which holds only the lights with a department; a district's
lights — the escalation's probe of each district, the collector's check before a district
is deleted — off the board's index, which leads with the district."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from zhaoshang.monitoring.models import Signal
from zhaoshang.org.models import District
from zhaoshang.testing.plans import reads_index


def test_a_department_s_deletion_finds_its_lights_off_the_partial_index(db):
    assert reads_index(Signal.objects.filter(department__in=[1, 2]), "signal_department")


def test_a_district_s_lights_are_found_off_the_board_s_index(db):
    assert reads_index(Signal.objects.filter(district__in=[1, 2]), "signal_board_order")
    probed = District.objects.filter(
        Exists(Signal.objects.filter(district_id=OuterRef("pk"), project__isnull=False))
    )
    assert reads_index(probed, "signal_board_order")
