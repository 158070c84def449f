"""Query-count invariance of my projects and commitments (pages and API lists): 3 rows of
everything they show cost as many queries as 30 (no query per row).

The rows are grown once for the module (``built_once_per_module``): 3 rows, then every
page's count (each request in a savepoint of its own, rolled back), then 27 more; each
test counts its page again on the 30 rows and compares."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Commitment, Milestone, Obligation
from zhaoshang.agreements.tests import conftest as agreement_fixtures
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.exits.models import ExitRule, ExitWarning
from zhaoshang.monitoring.models import Signal
from zhaoshang.projects.models import (
    DocumentVersion,
    MaterialType,
    MonthlyReport,
    Project,
    ProjectDocument,
    StageEvent,
)
from zhaoshang.service.models import Need
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module, fixture_function

D = datetime.date
_serial = itertools.count(1)


def subjects(world) -> dict:
    make_agreement = fixture_function(agreement_fixtures.make_agreement)(world)
    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    agreement = make_agreement()
    commitment = make_commitment()
    rules = [
        ExitRule.objects.create(district=world.district_a, code=code, months=3, clears_by="started")
        for code in ("not_started", "not_producing", "no_benefit")
    ]
    return {"agreement": agreement, "commitment": commitment, "rules": rules}


def grow(world, subjects: dict, n: int) -> None:
    """n more of every row the pages show, on project1_a and on new projects of the
    enterprise, each with its own relations."""
    district, admin = world.district_a, world.user_admin
    project = world.project1_a
    agreement = subjects["agreement"]
    departments = [world.dept_works_a, world.dept_land_a, world.dept_center_a]
    materials = list(
        MaterialType.objects.filter(code__in=["investment_agreement", "business_license"])
    )
    for i in range(n):
        k = next(_serial)
        department = departments[i % 3]
        # A new project of the enterprise, with a signal, a need and a case of its own.
        other = Project.objects.create(
            district=district,
            code=f"ZS-2026-8{k:03d}",
            name=f"计数项目{k}",
            enterprise=world.enterprise1_a,
            industry=world.industry_a,
            park=world.park1_a if k % 2 else world.park2_a,
            total_investment=Decimal("100"),
            stage="signed",
            signed_on=D(2026, 1, 5),
        )
        need = Need.objects.create(
            district=district,
            number=f"WT-Q{k:04d}",
            project=other if k % 2 else project,
            raised_by=admin,
            raised_on=D(2026, 6, 1),
            category="land",
            title=f"计数诉求{k}",
            description="计数",
            department=department,
            due_workdays=5,
            due_on=D(2026, 6, 10) + datetime.timedelta(days=k % 20),
        )
        Signal.objects.create(
            district=district,
            subject="need",
            content_type_id=_need_type(),
            object_id=need.pk,
            project=need.project,
            department=department,
            title=need.title,
            due_on=need.due_on,
            light=Light.RED if k % 2 else Light.YELLOW,
            since=D(2026, 6, 10),
            checked_on=D(2026, 6, 15),
        )
        item = world.item_works_a
        item.pk, item.code, item.name = None, f"JS-{k:03d}", f"计数事项{k}"
        item.save()
        ApprovalCase.objects.create(
            district=district,
            project=other if k % 2 else project,
            item=item,
            department=department,
            registered_on=D(2026, 6, 1),
            registered_by=admin,
            time_limit=5,
            time_limit_unit="workday",
            due_on=D(2026, 6, 20) + datetime.timedelta(days=k % 9),
            pledge_materials="补交" if k % 2 else "",
            pledge_due_on=D(2026, 6, 30) if k % 2 else None,
        )
        if k % 4 == 0:
            MonthlyReport.objects.create(
                project=other,
                month=D(2026, 5, 1),
                investment_this_month=Decimal("1"),
                investment_cumulative=Decimal("1"),
                image_progress="进度",
                submitted_by=admin,
                submitted_at=timezone.now(),
            )
        rule = subjects["rules"][k % 3]
        ExitWarning.objects.create(
            district=district,
            project=other,
            rule=rule,
            anchor_on=D(2026, 1, 5),
            due_on=D(2026, 4, 5),
            raised_on=D(2026, 4, 6),
            effective_due_on=D(2026, 4, 5),
            status="notice",
            notice_deadline=D(2026, 6, 30),
        )
        # Obligations of both parties on project1_a's agreement.
        department_side = k % 2 == 0
        Obligation.objects.create(
            district=district,
            agreement=agreement,
            party=Party.DEPARTMENT if department_side else Party.ENTERPRISE,
            department=department if department_side else None,
            kind=ObligationKind.SERVICE if department_side else ObligationKind.TAX,
            title=f"计数义务{k}",
            target_text="交付" if department_side else "",
            target_amount=None if department_side else Decimal("10"),
            due_on=D(2026, 5, 1) + datetime.timedelta(days=7 * (k % 30)),
        )
        # A commitment with two milestones.
        commitment = Commitment.objects.create(
            district=district,
            project=project,
            department=department,
            title=f"计数承诺{k}",
            content="计数",
            start_on=D(2026, 6, 1),
            target_on=D(2026, 8, 1),
            created_by=admin,
        )
        for seq in (1, 2):
            Milestone.objects.create(
                commitment=commitment,
                seq=seq,
                name=f"节点{seq}",
                duration_workdays=5,
                planned_start_on=D(2026, 6, 1),
                due_on=D(2026, 6, 10) + datetime.timedelta(days=10 * seq),
                owner_department=department,
                due_is_provisional=seq == 2,
            )
        # A stage change with evidence, and library versions (own and staff uploads).
        event = StageEvent.objects.create(
            project=project,
            from_stage="prereview",
            to_stage="signed",
            occurred_on=D(2026, 3, 2),
            recorded_by=admin,
        )
        document, _ = ProjectDocument.objects.get_or_create(
            project=project, material_type=materials[k % len(materials)]
        )
        version = DocumentVersion.objects.create(
            document=document,
            number=document.versions.count() + 1,
            file=f"projects/{project.pk}/x{k}.pdf",
            original_name=f"x{k}.pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=world.user_enterprise if k % 2 else admin,
        )
        event.evidence.add(version)


def _need_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Need).pk


PAGES = [
    ("portal:home", "none"),
    ("portal:project", "project"),
    ("portal:commitments", "none"),
    ("api:portal-project-list", "none"),
    ("api:portal-project-detail", "project"),
    ("api:portal-obligation-list", "none"),
    ("api:portal-commitment-list", "none"),
]


def _url(world, route: str, kind: str) -> str:
    if kind == "project":
        return reverse(route, args=[world.project1_a.pk])
    return reverse(route)


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def counts_on_3_rows(world) -> dict:
    things = subjects(world)
    grow(world, things, 3)
    counts = {}
    for route, kind in PAGES:
        with transaction.atomic():
            client = client_with_session(SESSIONS["enterprise"])
            counts[route] = _count(client, _url(world, route, kind))
            transaction.set_rollback(True)
    grow(world, things, 27)
    return counts


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize(("route", "kind"), PAGES, ids=[r for r, _k in PAGES])
def test_query_count_does_not_grow_with_rows(matrix_objects, client_for, world, route, kind):
    small = matrix_objects[route]
    large = _count(client_for("enterprise"), _url(world, route, kind))
    assert large == small, f"{route}: {small} queries for 3 rows, {large} for 30"


def test_the_rows_are_shown(matrix_objects, client_for, world):
    """The grown rows reach the pages (a count over empty pages would prove nothing)."""
    client = client_for("enterprise")
    home = client.get(reverse("portal:home"))
    assert len(home.context["projects"]) == 31
    page = client.get(reverse("portal:project", args=[world.project1_a.pk]))
    shown, more = page.context["government_deadlines"], page.context["government_more"]
    assert len(shown) + more > 30
    assert len(page.context["events"]) == 30
    commitments = client.get(reverse("portal:commitments"))
    assert len(commitments.context["groups"][-1].commitments) == 31
