"""Query counts of the reporting pages and API lists: the same for 3 rows as for 30."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.projects.choices import FundsOrigin
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MaterialType,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
)

PAGES = [
    ("portal:reports", None),
    ("portal:report_history", "project"),
    ("portal:report", "report"),
    ("portal:documents", "project"),
    ("api:portal-report-list", None),
    ("api:portal-document-list", None),
]


def grow(world, start: int, n: int) -> None:
    """n more of everything the pages list: the enterprise's projects, project1_a's
    reports (each with two photos) and funds by origin, and its uploads."""
    project, contact = world.project1_a, world.user_enterprise
    document, _made = ProjectDocument.objects.get_or_create(
        project=project, material_type=MaterialType.objects.get(code="business_license")
    )
    origins = list(FundsOrigin.values)
    for i in range(start, start + n):
        Project.objects.create(
            district=world.district_a,
            code=f"ZS-2026-R{i:03d}",
            name=f"华鑫项目{i}",
            enterprise=world.enterprise1_a,
            industry=world.industry_a,
            park=world.park1_a,
            total_investment=Decimal("100"),
            stage="signed",
            signed_on=datetime.date(2026, 1, 5),
        )
        month = datetime.date(2020 + i // 12, i % 12 + 1, 1)
        report = MonthlyReport.objects.create(
            project=project,
            month=month,
            investment_this_month=Decimal("1"),
            investment_cumulative=Decimal(i + 1),
            image_progress="施工",
            submitted_by=contact if i % 2 else world.user_bureau,
            submitted_at=clock.now(),
        )
        for k in range(2):
            MonthlyReportPhoto.objects.create(report=report, image=f"projects/p{i}-{k}.png")
        FundsEntry.objects.create(
            project=project,
            received_on=datetime.date(2026, 5, 1),
            amount=Decimal("10"),
            origin=origins[i % len(origins)],
            use="fixed_assets",
            recorded_by=world.user_bureau,
        )
        DocumentVersion.objects.create(
            document=document,
            number=i + 1,
            file=f"projects/d{i}.pdf",
            original_name=f"d{i}.pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=contact,
            submitted_by_enterprise=True,
            confirmed_by=world.user_bureau if i % 2 else None,
            confirmed_at=clock.now() if i % 2 else None,
        )


def _url(world, route, kind) -> str:
    if kind == "project":
        return reverse(route, args=[world.project1_a.pk])
    if kind == "report":
        report = MonthlyReport.objects.filter(project=world.project1_a).first()
        return reverse(route, args=[report.pk])
    return reverse(route)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "kind"), PAGES)
def test_query_count_does_not_grow_with_rows(world, client_for, route, kind):
    client = client_for("enterprise")
    grow(world, 0, 3)
    small = _count(client, _url(world, route, kind))
    grow(world, 3, 27)
    large = _count(client, _url(world, route, kind))
    print(f"{route}: {small} queries")
    assert large == small, f"{route}: {small} queries for 3 rows, {large} for 30"
