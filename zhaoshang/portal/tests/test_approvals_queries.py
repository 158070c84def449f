"""Query-count invariance of my approvals: the list page, a case page and the API list cost
the same for a handful of cases as for many more (every state: done and rated, paused,
returned, natural days, pending)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.approvals import services
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.portal.tests.approvals_cases import make_cases, register
from zhaoshang.projects.models import Project

COUNTS: dict[str, int] = {}


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _project(world, i: int) -> Project:
    """Another project of enterprise1_a (the enterprise's cases grow with its projects)."""
    return Project.objects.create(
        district=world.district_a,
        code=f"ZS-2026-90{i:02d}",
        name=f"华鑫二期{i}",
        enterprise=Enterprise.objects.get(pk=world.enterprise1_a.pk),
        industry=world.industry_a,
        park=world.park1_a,
        level=world.project1_a.level,
        stage=world.project1_a.stage,
        total_investment=world.project1_a.total_investment,
    )


def grow(world, projects: int, start: int) -> None:
    for i in range(start, start + projects):
        cases = make_cases(world, _project(world, i))
        services.rate_case(world.user_enterprise, cases["done"], score="fairly")


@pytest.mark.parametrize(
    "url, params",
    [
        (reverse("portal:approvals"), {}),
        (reverse("portal:approvals"), {"status": "open"}),
        ("/api/v1/portal/cases/", {"page_size": 500}),
    ],
)
def test_lists_do_not_grow_with_the_cases(world, client_for, url, params):
    client = client_for("enterprise")
    grow(world, 1, 0)  # project1_a's world case and one more project: 7 cases
    small = _count(client, url, params)
    grow(world, 3, 1)  # 25 cases over 5 projects
    large = _count(client, url, params)
    print(f"{url} {params}: {small} queries")
    assert large == small


MORE_ITEMS = ("XM-06", "XM-07", "XM-08", "GC-01", "GC-02", "GC-03", "SG-01", "SZ-01", "SZ-03")


def test_a_project_s_list_and_case_pages_do_not_grow_with_its_cases(world, client_for):
    """The forecast and the case page read the project's cases: more of them (with their
    prerequisites, on the critical path) cost no more queries."""
    client = client_for("enterprise")
    project = _project(world, 50)
    cases = make_cases(world, project)
    services.rate_case(world.user_enterprise, cases["done"], score="satisfied")
    listed = (reverse("portal:approvals"), {"project": project.pk})
    urls = [reverse("portal:case", args=[c.pk]) for c in cases.values()]
    small = (_count(client, *listed), [_count(client, url) for url in urls])
    for code in MORE_ITEMS:
        register(world, project, code)
    assert (_count(client, *listed), [_count(client, url) for url in urls]) == small
    print(f"project list, case pages: {small} queries")
