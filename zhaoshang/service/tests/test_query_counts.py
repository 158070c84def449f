"""Query-count invariance of every service list and detail page and API list: 3 rows cost
as many queries as 30 (no query per row).

The subjects and rows are made once for the module (``built_once_per_module``): 3 rows,
then every page's and API list's count (each request in a savepoint of its own, rolled
back), then 27 more; each test counts again on the 30 rows, in its own savepoint, and
compares."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.audit import log_event
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.meetings.services import create_action_item
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.service import services
from zhaoshang.service.choices import NeedCategory, ReceiptResult, SecondRoundKind
from zhaoshang.service.models import Need, Receipt
from zhaoshang.service.tests import conftest as fixtures
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module, fixture_function

_serial = itertools.count(1)
RESULTS = list(ReceiptResult.values)


def make_subjects(world):
    """The receipt and the problem whose pages are counted."""
    receipt_data = fixture_function(fixtures.receipt_data)(world)
    file_receipt = fixture_function(fixtures.file_receipt)(world, receipt_data)
    raise_need = fixture_function(fixtures.raise_need)(world)
    leader = world.user_leader
    leader.is_principal_leader = True  # forwarded items go to them
    leader.save()
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
        services.forward(world.user_manager, receipt=other, note=f"请阅示{k}")
        services.forward(world.user_manager, need=created, note=f"请研究{k}")
        # the subjects' pages list their forwarded items too
        services.forward(world.user_manager, receipt=receipt, note=f"再报{k}")
        services.forward(world.user_manager, need=need, note=f"再报{k}")
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
    ("leader", "service:forwarded", None),
    ("manager", "service:forwarded", None),  # (with ?sent=1: what they forwarded)
]


def _count(client, url, data=None) -> int:
    client.get(url, data)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _url(world, subjects, route, target) -> str:
    if target is None:
        return reverse(route)
    if target == "project":
        return reverse(route, args=[world.project1_a.pk])
    return reverse(route, args=[subjects[target].pk])


def _data(route, who=None):
    if route == "service:forwarded" and who == "manager":
        return {"sent": "1"}
    return {"period": "week", "by": "leader"} if route == "service:summary" else None


API_LISTS = ["receipts", "needs", "second-round-services", "forwards"]
# Who counts each list: forwarded items are listed only to their parties.
API_PERSON = {"forwards": "leader"}


def _api_count(client, resource) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/{resource}/", {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def counts_on_3_rows(world) -> dict:
    """The subjects and 3 rows, every count (each request rolled back), 27 more rows. In
    English, like the app's tests (conftest.py)."""
    with override_settings(LANGUAGE_CODE="en"), translation.override("en"):
        subjects = make_subjects(world)
        grow(world, subjects, 3)
        pages, api = {}, {}
        for who, route, target in PAGES:
            with transaction.atomic():
                client = client_with_session(SESSIONS[who])
                url = _url(world, subjects, route, target)
                pages[who, route, target] = _count(client, url, _data(route, who))
                transaction.set_rollback(True)
        for resource in API_LISTS:
            with transaction.atomic():
                who = API_PERSON.get(resource, "bureau")
                api[resource] = _api_count(client_with_session(SESSIONS[who]), resource)
                transaction.set_rollback(True)
        with transaction.atomic():
            response = client_with_session(SESSIONS["bureau"]).get(reverse("service:needs"))
            listed = (response.context["count"], Need.objects.count())
            transaction.set_rollback(True)
        grow(world, subjects, 27)
    return {"subjects": subjects, "pages": pages, "api": api, "listed": listed}


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize(("who", "route", "target"), PAGES)
def test_page_queries_do_not_grow_with_rows(matrix_objects, client_for, world, who, route, target):
    small = matrix_objects["pages"][who, route, target]
    url = _url(world, matrix_objects["subjects"], route, target)
    large = _count(client_for(who), url, _data(route, who))
    print(f"\n{route} as {who}: {small} queries for 3 rows, {large} for 30")
    assert small == large


@pytest.mark.parametrize("resource", API_LISTS)
def test_api_list_queries_do_not_grow_with_rows(matrix_objects, client_for, resource):
    small, rows_small = matrix_objects["api"][resource]
    large, rows_large = _api_count(client_for(API_PERSON.get(resource, "bureau")), resource)
    print(f"\n/api/v1/{resource}/: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert rows_large > rows_small and small == large


def test_the_grown_rows_are_really_listed(matrix_objects):
    """On 3 grown rows (and the subjects' problem), the list counted all of them."""
    count_shown, needs = matrix_objects["listed"]
    assert count_shown == needs == 4
