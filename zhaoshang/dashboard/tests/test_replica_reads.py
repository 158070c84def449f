"""The named read-only views read from the read replica when there is one (``core.replica``):
the big screen and its data, the KPI district comparison and its export, the reports' live
exports. Their writes (a stale KPI snapshot stored, the session renewed) and every other
page stay on the primary; without a replica they read from the primary (the views' own
tests run that way)."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.testing.replica import replica_mirror

# (user, URL name, URL arguments, query)
NAMED = [
    ("bureau", "screen", (), {}),
    ("bureau", "screen_data", (), {}),
    ("city", "screen", (), {}),
    ("city", "screen_data", (), {}),
    ("city", "kpis:compare", (), {}),
    ("bureau", "kpis:compare", (), {}),
    ("city", "kpis:export", (), {}),
    ("leader", "reports:export", ("monthly", "xlsx"), {"period": "2026-05"}),
]
OTHERS = [
    ("bureau", "home", (), {}),
    ("bureau", "projects:list", (), {}),
    ("bureau", "kpis:index", (), {}),
    ("leader", "reports:report", ("monthly",), {"period": "2026-05"}),
]


def _get(client, name, args, query):
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = client.get(reverse(name, args=args), query)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (name, response.status_code)
    return [q["sql"] for q in on_default.captured_queries], [
        q["sql"] for q in on_replica.captured_queries
    ]


def _is_read(sql: str) -> bool:
    """A SELECT, or PostgreSQL's server-side cursor over one (``QuerySet.iterator()``)."""
    head = sql.lstrip().upper()
    return head.startswith("SELECT") or (
        head.startswith("DECLARE ") and " CURSOR FOR SELECT " in head
    )


def _reads(statements, table):
    return [sql for sql in statements if _is_read(sql) and table in sql]


@pytest.mark.parametrize(("who", "name", "args", "query"), NAMED)
def test_the_named_views_read_from_the_replica(client_for, world, who, name, args, query):
    client = client_for(who)
    with replica_mirror():
        on_default, on_replica = _get(client, name, args, query)
    assert on_replica, "nothing was read from the replica"
    writes = [sql for sql in on_replica if not _is_read(sql)]
    assert not writes, writes
    # The figures' rows come from the replica; the primary gives the session and the user.
    assert _reads(on_replica, '"projects_project"') or _reads(on_replica, '"kpis_kpisnapshot"')
    assert not _reads(on_default, '"projects_project"')


def test_a_stale_snapshot_read_on_the_replica_is_stored_on_the_primary(client_for, world):
    from zhaoshang.kpis.models import KpiSnapshot

    KpiSnapshot.objects.all().delete()
    with replica_mirror():
        on_default, on_replica = _get(client_for("city"), "kpis:compare", (), {})
    assert any('INSERT INTO "kpis_kpisnapshot"' in sql for sql in on_default)
    assert _reads(on_replica, '"projects_project"')
    assert KpiSnapshot.objects.exists()


@pytest.mark.parametrize(("who", "name", "args", "query"), OTHERS)
def test_every_other_page_reads_from_the_primary(client_for, world, who, name, args, query):
    client = client_for(who)
    with replica_mirror():
        on_default, on_replica = _get(client, name, args, query)
    assert on_default and not on_replica
