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

from zhaoshang.core import clock
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


@pytest.fixture
def one_district_history(world):
    """A district's own deployment: one district holds nearly every event (its history of
    kinds the freshness reads and of others), a neighbour a few."""
    kinds = [ContentType.objects.get_for_model(m) for m in (ProjectTally, KpiSnapshot, District)]
    DomainEvent.objects.bulk_create(
        DomainEvent(
            district=world.district_a,
            verb="project.updated",
            content_type=kinds[n % len(kinds)],
            object_id=n,
        )
        for n in range(12000)
    )
    DomainEvent.objects.bulk_create(
        DomainEvent(
            district=world.district_b, verb="project.updated", content_type=kinds[0], object_id=n
        )
        for n in range(30)
    )
    table = DomainEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        if connection.vendor == "postgresql":
            # every page all-visible, as a vacuum leaves it (autovacuum keeps a table so; a
            # test's transaction cannot vacuum): index-only reads costed as they are then
            cursor.execute(
                "UPDATE pg_class SET relallvisible = relpages WHERE oid = %s::regclass", [table]
            )


def test_a_district_holding_most_events_reads_them_from_its_mark_on(world, one_district_history):
    """Where one district holds most of the events, its mark is still a condition of the
    index read, in the ids' order — not a filter of every event of the district read off
    the index of their kinds (``event_district_recent``: PostgreSQL judged the mark
    unselective; a home at 50,000 projects and 1.5 million events, 35–60 ms against 0.2)."""
    ProjectTally.objects.create(
        district=world.district_a, figures={}, event_mark=10**12, computed_at=clock.now()
    )
    plan = plan_of(snapshots.fresh(ProjectTally.objects.filter(district_id=world.district_a.pk)))
    assert "event_district_recent" not in plan, plan
    if connection.vendor == "postgresql":
        assert re.search(r"Index Cond: \((?:\(district_id = [^)]*\) AND \()?id > ", plan), plan
    else:
        ranged = r"INDEX event_district_after \(district_id=\? AND id>\?\)|PRIMARY KEY \(rowid>\?\)"
        assert re.search(ranged, plan), plan


def test_the_events_after_a_mark_are_read_in_the_ids_order_in_a_fenced_subquery():
    """The plan above at 1.5 million events (50,000 projects in one district, vacuumed):
    with the mark in the join's EXISTS, PostgreSQL judged it unselective (a third of the
    rows) and read every event of the district off ``event_district_recent`` for the kinds
    it also holds, the mark a filter (35–60 ms a home). At a test's size the planner reads
    the key's range either way, so the statement's shape is checked here: the events after
    the mark read in the ids' order, in a subquery the OFFSET keeps whole (flattened, the
    order would be dropped for the EXISTS) — a range from the mark on, whatever the sizes."""
    sql, _params = snapshots._unmoved(ProjectTally).as_sql(None, connection)
    quote = connection.ops.quote_name
    order = f"ORDER BY e.{quote('id')} "
    assert order in sql, sql
    assert sql.index(order) < sql.index("OFFSET 0") < sql.index(") e INNER JOIN"), sql
