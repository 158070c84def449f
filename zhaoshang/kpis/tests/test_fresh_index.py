"""A stored snapshot's or tally's freshness (``snapshots.fresh``: no event about its district
after its mark) is read off ``event_district_after`` (district, id): a range of the index
from the mark on. Off (district) alone, PostgreSQL read every event the district ever logged
and filtered them by id — at a province's size (100 districts, 1.1 million events after one
scan of each) the city's home spent 0.3 s there; the index's range reads none (issue 19.6)."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from zhaoshang.core.models import DomainEvent
from zhaoshang.dashboard.models import ProjectTally
from zhaoshang.kpis import snapshots
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.org.models import District
from zhaoshang.testing.plans import plan as plan_of


@pytest.fixture
def events(world):
    """A province in small: thirty districts with a history (their events, their statistics
    read) — a handful of rows in two districts would be read whole whatever the indexes."""
    kind = ContentType.objects.get_for_model(ProjectTally)
    others = District.objects.bulk_create(
        District(code=f"far{n:02d}", name=f"far{n:02d} 区", city="测试市") for n in range(28)
    )
    DomainEvent.objects.bulk_create(
        DomainEvent(district=district, verb="project.updated", content_type=kind, object_id=n)
        for district in (world.district_a, world.district_b, *others)
        for n in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DomainEvent._meta.db_table}")


def _ranged(plan: str) -> bool:
    """The events are a range of (district, id): the mark is a condition of the index, not
    a filter of the rows it gives."""
    if connection.vendor == "postgresql":
        return bool(
            re.search(
                r"using event_district_after on \S+ e  \(cost[^)]*\)\s+"
                r"Index Cond: \((?:\(district_id = [^)]*\) AND )+\(id > ",
                plan,
            )
        )
    return "event_district_after (district_id=? AND id>?)" in plan


def test_a_tally_s_freshness_reads_the_events_after_its_mark_off_the_index(world, events):
    ids = [world.district_a.pk, world.district_b.pk]
    plan = plan_of(snapshots.fresh(ProjectTally.objects.filter(district_id__in=ids)))
    assert _ranged(plan), plan


def test_a_kpi_snapshot_s_freshness_too(world, events):
    plan = plan_of(snapshots.fresh(KpiSnapshot.objects.filter(district_id=world.district_a.pk)))
    assert _ranged(plan), plan


def test_freshness_is_probed_row_by_row_not_joined(world, events):
    """Each row's district probed from its mark on (a SubPlan), not the rows anti-joined to
    the events: PostgreSQL hashed every event of every district for that join (the city's
    home at a province, 100 districts: 146 ms, growing with the events; probed, 0.2 ms)."""
    ids = list(District.objects.values_list("pk", flat=True))
    for rows in (ProjectTally.objects.filter(district_id__in=ids), KpiSnapshot.objects.all()):
        plan = plan_of(snapshots.fresh(rows))
        if connection.vendor == "postgresql":
            assert "SubPlan" in plan and "Anti Join" not in plan, plan
        else:
            assert "CORRELATED SCALAR SUBQUERY" in plan, plan
