"""The API's project list — a district's projects, newest (highest id) first — is read off
``project_district_newest`` (district, id): at a province's size PostgreSQL otherwise walked
the primary key backwards through the other districts' projects to find the district's
newest 50 (issue 19.6)."""

from __future__ import annotations

from django.db import connection, transaction
from django.urls import reverse

from zhaoshang.projects.models import Project


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test's few rows are read whole (or through a bitmap, then sorted); the plan
            # at size reads the index in order. Steered off those, a plan that still sorts
            # has no index serving the order.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute("EXPLAIN " + sql, params)
            return " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(row[-1] for row in cursor.fetchall())


def test_a_district_s_newest_projects_are_read_off_the_index(world):
    newest = Project.objects.visible_to(world.user_bureau).order_by("-id")[:50]
    plan = _plan(newest.values("pk"))
    assert "project_district_newest" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_the_api_list_keeps_its_order(world, client_for):
    response = client_for("bureau").get(reverse("api:project-list"), {"page_size": 100})
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    expected = list(
        Project.objects.visible_to(world.user_bureau).order_by("-id").values_list("pk", flat=True)
    )
    assert ids == expected[: len(ids)] and len(ids) >= 2
