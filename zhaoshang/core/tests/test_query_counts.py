"""Query-count invariance: every list and detail page costs the same number of queries
for 3 rows as for 30 (no query per row).

The rows are grown once for the module (``built_once_per_module``): 3 rows, then every
page's count (each request in a savepoint of its own, rolled back), then 27 more; each
test counts its page again on the 30 rows, in its own savepoint, and compares."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhaoshang.approvals.choices import CaseStatus, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem, CasePause, CaseTransfer
from zhaoshang.core.audit import log_event
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MaterialType,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    StageEvent,
)
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module


def grow(world, n: int) -> None:
    """Add n rows of everything a page lists, in district a."""
    district = world.district_a
    admin = world.user_admin
    project = world.project1_a
    offset = MonthlyReport.objects.filter(project=project).count()
    used = ProjectDocument.objects.filter(project=project).values("material_type")
    materials = list(MaterialType.objects.exclude(pk__in=used)[:n])
    for i in range(n):
        enterprise = Enterprise.objects.create(
            district=district,
            name=f"企业{n}-{i}",
            credit_code=make_credit_code(f"9151010{n:02d}MA{i:06d}"),
            origin="local",
        )
        p = Project.objects.create(
            district=district,
            code=f"ZS-2025-{n:02d}{i:02d}",
            name=f"项目{i}",
            enterprise=enterprise,
            industry=world.industry_a,
            park=world.park1_a,
            total_investment=Decimal("100"),
            working_group=world.group_a,
            stage="signed",
            signed_on=datetime.date(2026, 1, 5),
        )
        p.save()  # a second history record
        FundsEntry.objects.create(
            project=project,
            received_on=datetime.date(2026, 5, 1),
            amount=Decimal("10"),
            origin="in_city",
            use="fixed_assets",
            recorded_by=admin,
        )
        k = offset + i
        month = datetime.date(2023 + k // 12, k % 12 + 1, 1)
        report = MonthlyReport.objects.create(
            project=project,
            month=month,
            investment_this_month=Decimal("1"),
            investment_cumulative=Decimal(i + 1),
            image_progress="进度",
            submitted_by=admin,
            submitted_at=timezone.now(),
        )
        photo = MonthlyReportPhoto(report=report)
        photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
        photo.save()
        if i < len(materials):
            doc = ProjectDocument.objects.create(project=project, material_type=materials[i])
            for number in (1, 2):
                v = DocumentVersion(
                    document=doc,
                    number=number,
                    original_name="a.pdf",
                    size=1,
                    sha256="0",
                    uploaded_by=admin,
                )
                v.file.save("a.pdf", ContentFile(b"%PDF"), save=False)
                v.save()
            event = StageEvent.objects.create(
                project=project,
                from_stage="lead",
                to_stage="negotiating",
                occurred_on=datetime.date(2026, 1, 1),
                recorded_by=admin,
            )
            event.evidence.set(doc.versions.all())
        log_event(admin, "project.updated", p, summary=p.name)
        Notification.objects.create(recipient=world.user_bureau, verb="x", title=f"消息{i}")
        Notification.objects.create(recipient=world.user_enterprise, verb="x", title=f"消息{i}")
        enterprise.projects.create(
            district=district,
            code=f"ZS-2024-{n:02d}{i:02d}",
            name=f"企业项目{i}",
            park=world.park1_a,
            total_investment=Decimal("5"),
        )
        project.paired_departments.add(world.dept_land_a if i % 2 else world.dept_works_a)
    _grow_approvals(world, n, Project.objects.filter(code__startswith=f"ZS-2025-{n:02d}"))
    for i in range(n):
        Project.objects.create(
            district=district,
            code=f"ZS-2023-{n:02d}{i:02d}",
            name=f"门户项目{i}",
            park=world.park1_a,
            enterprise=world.enterprise1_a,
            total_investment=Decimal("5"),
        )


def _grow_approvals(world, n: int, projects) -> None:
    """n catalogue items (a chain, each a prerequisite of the world's 建设局 item, each with
    a material), a case of each on project1_a and on a new project, and n events, pauses
    and transfers on the world's case_a."""
    admin, works, land = world.user_admin, world.dept_works_a, world.dept_land_a
    case = world.case_a
    material = MaterialType.objects.first()
    before = ApprovalItem.objects.filter(district=world.district_a, code__startswith="Q-").last()
    start = ApprovalItem.objects.filter(code__startswith="Q-").count()
    for i, project in zip(range(n), projects, strict=True):
        k = start + i
        item = ApprovalItem.objects.create(
            district=world.district_a,
            code=f"Q-{k}",
            name=f"计数事项{k}",
            department=works if i % 2 else land,
            phase="construction",
            sort_order=200 + k,
        )
        item.materials.add(material)
        if before is not None:
            item.prerequisites.add(before)
        world.item_works_a.prerequisites.add(item)
        before = item
        for holder in (world.project1_a, project):
            # A third not started (pending, no due date): the forecast computes their finish.
            started = k % 3 != 2
            due = datetime.date(2026, 6, 1) + datetime.timedelta(days=k % 40) if started else None
            ApprovalCase.objects.create(
                district=world.district_a,
                project=holder,
                item=item,
                department=works,
                status=[CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.PENDING][k % 3],
                agent=world.user_service_center,
                handler=world.user_department,
                registered_on=datetime.date(2026, 6, 1),
                registered_by=admin,
                materials_complete_on=datetime.date(2026, 6, 1) if started else None,
                accepted_on=datetime.date(2026, 6, 1) if started else None,
                time_limit=3,
                time_limit_unit="workday",
                due_on=due,
                due_is_provisional=k % 4 == 0,
                paused=k % 5 == 0,
            )
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=7 * k)
        CasePause.objects.create(
            case=case,
            kind=PauseKind.SUPPLEMENT,
            reason=f"补正{k}",
            started_on=day,
            ended_on=day + datetime.timedelta(days=2),
            created_by=admin,
        )
        CaseTransfer.objects.create(
            case=case,
            from_department=works if k % 2 else land,
            to_department=land if k % 2 else works,
            transferred_on=day + datetime.timedelta(days=3),
            reason=f"转办{k}",
            transferred_by=world.user_service_center,
        )
        log_event(admin, "case.paused", case, summary=f"补正{k}")
    ApprovalCase.objects.filter(pk=case.pk).update(materials_complete_on=datetime.date(2026, 1, 5))


PAGES = [
    ("bureau", "home", None),
    ("bureau", "projects:list", None),
    ("bureau", "projects:print", None),
    ("bureau", "projects:detail", "project"),
    ("bureau", "projects:team", "project"),
    ("bureau", "projects:timeline", "project"),
    ("bureau", "projects:stage", "project"),
    ("bureau", "projects:documents", "project"),
    ("bureau", "projects:funds", "project"),
    ("bureau", "projects:progress", "project"),
    ("bureau", "projects:history", "project"),
    ("bureau", "projects:edit", "project"),
    ("bureau", "enterprises:list", None),
    ("bureau", "enterprises:detail", "enterprise"),
    ("bureau", "notifications:inbox", None),
    ("enterprise", "portal:home", None),
    ("enterprise", "portal:project", "project"),
    ("city", "home", None),
    ("city", "projects:list", None),
    ("city", "projects:print", None),
    ("department", "approvals:worklist", None),
    ("bureau", "approvals:worklist", None),
    ("city", "approvals:worklist", None),
    ("department", "approvals:case", "case"),
    ("bureau", "approvals:case", "case"),
    ("bureau", "approvals:project", "project"),
    ("service_center", "approvals:project", "project"),
    ("bureau", "approvals:catalogue", None),
    ("city", "approvals:catalogue", None),
    ("bureau", "approvals:item", "item"),
    ("admin", "approvals:item_edit", "item"),
    ("admin", "workdays:calendar", None),
    ("bureau", "workdays:year", "calendar_year"),
]


def _url(world, route, kind) -> str:
    args = []
    if kind == "project":
        args = [world.project1_a.pk]
    elif kind == "enterprise":
        args = [world.enterprise1_a.pk]
    elif kind == "case":
        args = [world.case_a.pk]
    elif kind == "item":
        args = [world.item_works_a.pk]
    elif kind == "calendar_year":
        args = [2027]
    return reverse(route, args=args)


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _export_count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


EXPORTS = ["projects:export", "approvals:export"]


def counts_on_3_rows(world) -> dict:
    """Grow 3 rows, count every page (each request rolled back), grow 27 more."""
    grow(world, 3)
    counts = {}
    for who, route, kind in PAGES:
        with transaction.atomic():
            counts[who, route] = _count(
                client_with_session(SESSIONS[who]), _url(world, route, kind)
            )
            transaction.set_rollback(True)
    for route in EXPORTS:
        with transaction.atomic():
            counts[route] = _export_count(client_with_session(SESSIONS["bureau"]), reverse(route))
            transaction.set_rollback(True)
    grow(world, 27)
    return counts


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize(
    ("who", "route", "kind"),
    [pytest.param(w, r, k, id=f"{w}-{r}") for w, r, k in PAGES],
)
def test_query_count_does_not_grow_with_rows(matrix_objects, client_for, world, who, route, kind):
    small = matrix_objects[who, route]
    large = _count(client_for(who), _url(world, route, kind))
    assert large == small, f"{route}: {small} queries for 3 rows, {large} for 30"


def test_calendar_query_count_does_not_grow_with_years(client_for, world):
    """The calendar page lists every loaded year and shows a year's entries."""
    import datetime

    from zhaoshang.workdays.services import load_year

    def load(years):
        for year in years:
            entries = [(datetime.date(year, 1, d), "holiday", "元旦") for d in range(1, 4)]
            load_year(year, entries, notice=f"{year}", status="draft", user=world.user_admin)

    load([2027])
    client = client_for("admin")
    url = reverse("workdays:year", args=[2027])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    load(range(2028, 2040))
    load_year(
        2027,
        [(datetime.date(2027, 1, d), "holiday", "元旦") for d in range(1, 29)],
        notice="",
        status="draft",
    )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("route", EXPORTS)
def test_export_query_count_does_not_grow(matrix_objects, client_for, route):
    small = matrix_objects[route]
    large = _export_count(client_for("bureau"), reverse(route))
    assert large == small
