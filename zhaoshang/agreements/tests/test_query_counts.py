"""Query-count invariance of every agreements page and API list: 3 rows cost as many
queries as 30 (no query per row).

The subjects and rows are made once for the module (``built_once_per_module``): 3 rows,
then every page's and API list's count (each request in a savepoint of its own, rolled
back), then 27 more; each test counts its page again on the 30 rows, in its own savepoint,
and compares."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ChangeStatus, ObligationKind, Party, Term
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    ChangeRequest,
    Commitment,
    Milestone,
    MilestoneMove,
    Obligation,
    ObligationBreach,
)
from zhaoshang.agreements.tests import conftest as fixtures
from zhaoshang.agreements.tests.conftest import day, pdf
from zhaoshang.core.audit import log_event
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project, StageEvent
from zhaoshang.testing.clients import SESSIONS, client_with_session
from zhaoshang.testing.shared import built_once_per_module, fixture_function

_serial = itertools.count(1)
KINDS = [
    (ObligationKind.FUNDS, {"target_amount": Decimal("100")}),
    (ObligationKind.STAGE, {"target_stage": "started"}),
    (ObligationKind.INVESTMENT, {"target_amount": Decimal("5")}),
    (ObligationKind.TAX, {"target_amount": Decimal("10")}),
    (ObligationKind.SERVICE, {"target_text": "交付"}),
]


def make_subjects(world):
    make_agreement = fixture_function(fixtures.make_agreement)(world)
    make_commitment = fixture_function(fixtures.make_commitment)(world)
    agreement = make_agreement()
    commitment = make_commitment()
    services.file_commitment(world.user_department, commitment)
    second = commitment.milestones.get(seq=2)
    change = services.request_change(
        world.user_department, commitment, moves=[(second, day("2026-07-28"))], reason="顺延"
    )
    tax = agreement.obligations.get(term=Term.TAX)
    services.confirm_obligation(world.user_bureau, tax, met_on=day("2026-06-01"), evidence=pdf())
    new_project = Project.objects.create(
        district=world.district_a,
        code="ZS-2026-0999",
        name="计数新签项目",
        park=world.park1_a,
        total_investment=Decimal("100"),
        stage="signed",
        signed_on=day("2026-05-01"),
    )
    further = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_land_a,
        kind=ObligationKind.SERVICE,
        title="交付净地",
        target_text="完成场地平整",
        due_on=day("2026-08-31"),
    )
    return {
        "change": change,
        "further_obligation": further,
        "agreement": agreement,
        "commitment": commitment,
        "obligation": agreement.obligations.get(term=Term.SCHEDULE, due_on=day("2026-05-31")),
        "new_project": new_project,
        "project": world.project1_a,
    }


def grow(world, subjects, n: int) -> None:
    """n more of every row the pages and lists show, each with its own relations."""
    admin = world.user_admin
    agreement, commitment = subjects["agreement"], subjects["commitment"]
    project = world.project1_a
    departments = [world.dept_works_a, world.dept_land_a, world.dept_center_a]
    for i in range(n):
        k = next(_serial)
        department = departments[i % 3]
        # the subject project: funds, reports, stage events, obligations of every kind
        FundsEntry.objects.create(
            project=project,
            received_on=day("2026-01-01") + datetime.timedelta(days=k),
            amount=Decimal("7"),
            origin="in_city",
            use="fixed_assets",
            recorded_by=admin,
        )
        MonthlyReport.objects.create(
            project=project,
            month=datetime.date(2020 + k // 12, k % 12 + 1, 1),
            investment_this_month=Decimal("1"),
            investment_cumulative=Decimal(k * 5),
            image_progress="进度",
            submitted_by=admin,
            submitted_at=timezone.now(),
        )
        StageEvent.objects.create(
            project=project,
            from_stage="signed",
            to_stage="started",
            occurred_on=day("2026-04-01"),
            recorded_by=admin,
        )
        kind, target = KINDS[i % len(KINDS)]
        ob = Obligation.objects.create(
            district=world.district_a,
            agreement=agreement,
            party=Party.DEPARTMENT
            if kind in (ObligationKind.SERVICE, ObligationKind.STAGE)
            else Party.ENTERPRISE,
            department=department
            if kind in (ObligationKind.SERVICE, ObligationKind.STAGE)
            else None,
            kind=kind,
            title=f"计数义务{k}",
            due_on=day("2026-03-10") + datetime.timedelta(days=7 * (k % 40)),
            **target,
        )
        if i % 2:
            ObligationBreach.objects.create(
                district=world.district_a,
                obligation=ob,
                project=project,
                party=ob.party,
                department=ob.department,
                due_on=ob.due_on,
                occurred_on=ob.due_on,
            )
        log_event(admin, "obligation.updated", subjects["obligation"], summary=f"改{k}")
        # the subject commitment: milestones, versions, events
        Milestone.objects.create(
            commitment=commitment,
            seq=100 + k,
            name=f"计数节点{k}",
            duration_workdays=2,
            planned_start_on=day("2026-06-01") + datetime.timedelta(days=k % 30),
            due_on=day("2026-06-03") + datetime.timedelta(days=k % 30),
            owner_department=department,
            owner=world.user_officer if i % 2 else None,
            progress=k % 100,
            done_on=day("2026-06-05") if i % 4 == 0 else None,
        )
        ArchiveVersion.objects.create(
            district=world.district_a,
            commitment=commitment,
            number=100 + k,
            park=world.park1_a,
            committee=world.dept_committee_a,
            filed_by=admin,
            content=services.snapshot(commitment),
        )
        log_event(admin, "milestone.progress", commitment, summary=f"进度{k}")
        # the subject commitment's decided change requests, and the subject request's moves
        ChangeRequest.objects.create(
            district=world.district_a,
            commitment=commitment,
            status=ChangeStatus.REFUSED,
            reason=f"计数变更{k}",
            old_target_on=commitment.target_on,
            filed_version=1,
            requested_by=world.user_department if i % 2 else admin,
            decided_by=world.user_park if i % 2 else world.user_supervisor,
            decided_at=timezone.now(),
            decision_note="不同意",
        )
        MilestoneMove.objects.create(
            request=subjects["change"],
            milestone=Milestone.objects.get(commitment=commitment, seq=100 + k),
            old_due_on=day("2026-06-03"),
            new_due_on=day("2026-07-03"),
        )
        # other projects with agreements and commitments of their own
        other = Project.objects.create(
            district=world.district_a,
            code=f"ZS-2026-8{k:03d}",
            name=f"计数项目{k}",
            enterprise=world.enterprise2_a,
            park=world.park1_a,
            total_investment=Decimal("100"),
            stage="signed",
            signed_on=day("2026-02-01"),
        )
        other_agreement = Agreement.objects.create(
            district=world.district_a,
            project=other,
            number=f"JS-{k}",
            signed_on=day("2026-02-01"),
            government_party="区政府",
            enterprise_party="企业",
            contracted_investment=Decimal("100"),
            created_by=admin,
        )
        Obligation.objects.create(
            district=world.district_a,
            agreement=other_agreement,
            term=Term.SCHEDULE,
            party=Party.ENTERPRISE,
            kind=ObligationKind.FUNDS,
            target_amount=Decimal("10"),
            due_on=day("2026-05-01"),
        )
        other_commitment = Commitment.objects.create(
            district=world.district_a,
            project=other,
            department=department if i % 3 else world.dept_works_a,
            title=f"计数承诺{k}",
            content="承诺",
            owner=world.user_department if i % 2 else None,
            start_on=day("2026-05-01"),
            target_on=day("2026-06-10") + datetime.timedelta(days=k % 20),
            created_by=admin,
            filed_version=1,
        )
        for seq in (1, 2):
            Milestone.objects.create(
                commitment=other_commitment,
                seq=seq,
                name=f"节点{seq}",
                duration_workdays=3,
                planned_start_on=day("2026-05-20"),
                due_on=day("2026-06-10") + datetime.timedelta(days=seq + k % 10),
                owner_department=world.dept_works_a if seq == 1 else department,
            )
        ArchiveVersion.objects.create(
            district=world.district_a,
            commitment=other_commitment,
            number=1,
            park=world.park1_a,
            committee=world.dept_committee_a,
            filed_by=world.user_department,
            content=services.snapshot(other_commitment),
        )


PAGES = [
    ("bureau", "agreements:project", "project"),
    ("park", "agreements:project", "project"),
    ("bureau", "agreements:create", "new_project"),
    ("bureau", "agreements:edit", "agreement"),
    ("bureau", "agreements:obligation_create", "agreement"),
    ("bureau", "agreements:obligation", "obligation"),
    ("bureau", "agreements:obligation_edit", "further_obligation"),
    ("bureau", "agreements:commitments", None),
    ("department", "agreements:commitments", None),
    ("city", "agreements:commitments", None),
    ("bureau", "agreements:milestones", None),
    ("department", "agreements:milestones", None),
    ("park", "agreements:archive", None),
    ("city", "agreements:archive", None),
    ("department", "agreements:commitment_create", "project"),
    ("department", "agreements:commitment", "commitment"),
    ("leader", "agreements:commitment", "commitment"),
    ("bureau", "agreements:gantt", "commitment"),
    ("department", "agreements:commitment_edit", "commitment"),
    ("park", "agreements:version", "version"),
    ("park", "agreements:compare", "commitment"),
    ("park", "agreements:change", "change"),
    ("department", "agreements:change", "change"),
    ("supervisor", "agreements:change", "change"),
]


def _url(subjects, route, kind) -> str:
    if kind == "version":
        args = [ArchiveVersion.objects.filter(commitment=subjects["commitment"]).first().pk]
    elif kind:
        args = [subjects[kind].pk]
    else:
        args = []
    return reverse(route, args=args)


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "route", "kind"), [pytest.param(w, r, k, id=f"{w}-{r}") for w, r, k in PAGES]
)
def test_page_query_count_does_not_grow_with_rows(matrix_objects, client_for, who, route, kind):
    small = matrix_objects["pages"][who, route]
    large = _count(client_for(who), _url(matrix_objects["subjects"], route, kind))
    print(f"\n{who} {route}: {small} queries for 3 rows, {large} for 30")
    assert large == small, f"{route}: {small} queries for 3 rows, {large} for 30"


def test_every_page_route_is_counted():
    from zhaoshang.agreements.tests.test_permission_matrix import ROUTES

    pages = {r for r, (_k, _n, method) in ROUTES.items() if method == "GET"}
    # the evidence download is a file, not a page; the key projects' Gantt is counted with
    # key projects' commitments in test_key_gantt.py (3 vs 30 rows)
    not_here = {"agreements:obligation_evidence", "agreements:key_gantt"}
    assert pages - not_here == {route for _w, route, _k in PAGES}


API_READERS = ["bureau", "city", "park"]
API_LISTS = ["agreements", "obligations", "commitments", "archive-versions"]


def _api_count(client, resource) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/{resource}/", {"page_size": 200})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def counts_on_3_rows(world) -> dict:
    """The subjects and 3 rows, every page's and API list's count (each request rolled
    back), then 27 more rows. In English, like the app's tests (conftest.py)."""
    with translation.override("en"):
        subjects = make_subjects(world)
        grow(world, subjects, 3)
        pages, api = {}, {}
        for who, route, kind in PAGES:
            with transaction.atomic():
                client = client_with_session(SESSIONS[who])
                pages[who, route] = _count(client, _url(subjects, route, kind))
                transaction.set_rollback(True)
        for who in API_READERS:
            for resource in API_LISTS:
                with transaction.atomic():
                    api[who, resource] = _api_count(client_with_session(SESSIONS[who]), resource)
                    transaction.set_rollback(True)
        grow(world, subjects, 27)
    return {"subjects": subjects, "pages": pages, "api": api}


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize("who", API_READERS)
@pytest.mark.parametrize("resource", API_LISTS)
def test_api_list_query_count_does_not_grow_with_rows(matrix_objects, client_for, who, resource):
    small, rows_small = matrix_objects["api"][who, resource]
    large, rows_large = _api_count(client_for(who), resource)
    assert rows_large > rows_small
    print(f"\n{resource} as {who}: {small} queries for {rows_small} rows, {large} for {rows_large}")
    assert small == large
