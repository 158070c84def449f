"""Query-count invariance of every service list and detail page and API list: 3 rows cost
as many queries as 30 (no query per row)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.audit import log_event
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.meetings.services import create_action_item
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.service import services
from zhaoshang.service.choices import NeedCategory, ReceiptResult, SecondRoundKind
from zhaoshang.service.models import Need, Receipt

_serial = itertools.count(1)
RESULTS = list(ReceiptResult.values)


@pytest.fixture
def subjects(world, file_receipt, raise_need):
    """The receipt and the problem whose pages are counted."""
    return {"receipt": file_receipt(), "need": raise_need()}


def grow(world, subjects, n: int) -> None:
    """n more of every row the pages list, each with its own relations, in district a."""
    receipt, need = subjects["receipt"], subjects["need"]
    departments = [world.dept_works_a, world.dept_land_a, world.dept_center_a]
    for i in range(n):
        k = next(_serial)
        enterprise = Enterprise.objects.create(
            district=world.district_a,
            name=f"计数企业{k}",
            credit_code=make_credit_code(f"91510{k:06d}MA{k:04d}"),
            origin="local",
        )
        project = Project.objects.create(
            district=world.district_a,
            code=f"ZS-2026-9{k:03d}",
            name=f"计数项目{k}",
            enterprise=enterprise,
            industry=world.industry_a,
            park=world.park1_a,
            total_investment=Decimal("100"),
            stage="signed",
            designated_leader=world.user_manager,
        )
        project.paired_departments.add(world.dept_works_a)
        ProjectTeamMember.objects.create(project=project, user=world.user_manager, role="manager")
        ProjectTeamMember.objects.create(
            project=project, user=world.user_secretary, role="secretary"
        )
        department = departments[i % 3]
        other = services.file_receipt(
            world.user_secretary,
            project if i % 2 else world.project1_a,
            visited_on=datetime.date(2026, 6, 1) + datetime.timedelta(days=i % 14),
            department=department,
            handler_name=f"经办人{k}",
            handler_user=None,
            matter=f"事项{k}",
            approval_case=None,
            work_done="办理",
            result=RESULTS[i % 3],
            problems="问题" if RESULTS[i % 3] == ReceiptResult.NEEDS_COORDINATION else "",
        )
        instruction = services.write_instruction(
            world.user_manager,
            receipt if i % 2 else other,
            text=f"批示{k}",
            items=[
                {"owner_department": department, "due_workdays": 3},
                {
                    "owner_department": world.dept_works_a,
                    "owner_person": world.user_department,
                    "due_workdays": 5,
                },
            ],
        )
        assert instruction.pk
        created = services.raise_need(
            world.user_secretary,
            project if i % 2 else world.project1_a,
            receipt=receipt if not i % 2 else None,
            category=NeedCategory.values[i % len(NeedCategory.values)],
            title=f"问题{k}",
            description="说明",
            department=departments[i % 2],
            due_workdays=1 + i % 9,
            raised_on=datetime.date(2026, 6, 1) + datetime.timedelta(days=i % 14),
        )
        if i % 3 == 0:
            services.start_need(world.user_admin, created)
        create_action_item(
            world.user_manager,
            district=world.district_a,
            title=f"督办{k}",
            owner_department=department,
            due_workdays=4,
            need=need,
        )
        log_event(world.user_admin, "need.updated", need, summary=f"改{k}")
        services.record_second_round(
            world.user_secretary,
            kind=SecondRoundKind.values[i % 3],
            project=project,
            occurred_on=datetime.date(2026, 6, 1),
            counterparty=f"对方{k}",
            description="说明",
            amount=Decimal("100") if i % 3 == 1 else None,
        )
    services.correct_receipt(
        world.user_secretary,
        Receipt.objects.get(pk=receipt.pk),
        reason=f"更正{n}",
        matter=f"更正后的事项{n}",
    )


PAGES = [
    ("bureau", "service:project", "project"),
    ("manager", "service:project", "project"),
    ("manager", "service:receipt", "receipt"),
    ("bureau", "service:receipt", "receipt"),
    ("bureau", "service:receipt_pdf", "receipt"),
    ("manager", "service:inbox", None),
    ("bureau", "service:summary", None),
    ("bureau", "service:needs", None),
    ("department", "service:department_needs", None),
    ("bureau", "service:need", "need"),
    ("bureau", "service:second_round", None),
    ("manager", "service:designated", None),
    ("department", "service:paired", None),
    ("city", "service:needs", None),
]


def _count(client, url, data=None) -> int:
    client.get(url, data)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("who", "route", "target"), PAGES)
def test_page_queries_do_not_grow_with_rows(client_for, world, subjects, who, route, target):
    if target is None:
        url = reverse(route)
    elif target == "project":
        url = reverse(route, args=[world.project1_a.pk])
    else:
        url = reverse(route, args=[subjects[target].pk])
    data = {"period": "week", "by": "leader"} if route == "service:summary" else None
    client = client_for(who)
    grow(world, subjects, 3)
    small = _count(client, url, data)
    grow(world, subjects, 27)
    large = _count(client, url, data)
    print(f"\n{route} as {who}: {small} queries for 3 rows, {large} for 30")
    assert small == large


@pytest.mark.parametrize("resource", ["receipts", "needs", "second-round-services"])
def test_api_list_queries_do_not_grow_with_rows(client_for, world, subjects, resource):
    client = client_for("bureau")
    url = f"/api/v1/{resource}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 100})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    grow(world, subjects, 3)
    small, rows_small = count()
    grow(world, subjects, 27)
    large, rows_large = count()
    print(f"\n{url}: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert rows_large > rows_small and small == large


def test_the_grown_rows_are_really_listed(client_for, world, subjects):
    grow(world, subjects, 3)
    response = client_for("bureau").get(reverse("service:needs"))
    assert response.context["count"] == Need.objects.count() == 4
