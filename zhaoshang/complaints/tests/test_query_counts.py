"""Query-count invariance of the complaint desk, its export and the API list (3 rows cost as
many queries as 23, among them complaints the office is verifying and findings, overruled
or not), and of the complaint page as attachments, events and an extension accumulate, at
each step of the finding (the department's account, the office's verify form, the finding)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.complaints import services
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.testing.clients import assert_counts_again, first_counts
from zhaoshang.testing.shared import built_once_per_module


def pdf():
    return SimpleUploadedFile("证据.pdf", b"%PDF-1.4 x", content_type="application/pdf")


def grow(world, n: int) -> None:
    for i in range(n):
        complaint = make_complaint(world, contact_consent=bool(i % 2))
        if i % 3:
            complaint = services.dispatch_complaint(world.user_supervisor, complaint)
        if i % 3 == 2:
            complaint = services.accept_complaint(world.user_department, complaint)
            services.request_extension(world.user_department, complaint, reason="复杂。")
        if i % 3 == 1 and i % 2:  # the department answers; every other one is verified
            complaint = services.accept_complaint(world.user_department, complaint)
            complaint = services.answer_complaint(
                world.user_department, complaint, department_view="unfounded", account="无此事。"
            )
            if i % 4 == 3:
                complaint = services.verify_complaint(
                    world.user_supervisor,
                    complaint,
                    outcome="partly",
                    finding_reason="部分属实。",
                    overrule_reason="现场核查。",
                    answer="已答复。",
                )
        if i % 4 == 0:
            services.add_attachment(world.user_supervisor, complaint, file=pdf())


def _count(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


WHO = ["supervisor", "department", "city"]
URLS = [
    reverse("complaints:list"),
    reverse("complaints:export"),
    reverse("complaints:print"),
    "/api/v1/complaints/",
]


def counts_on_3_rows(world) -> dict:
    """3 rows, every list's count for each person (each request in a savepoint of its own,
    rolled back), then 20 more rows (the page shows 25): made once for the module, each
    test counts again on the 23 rows in its own savepoint and compares. (Grown and counted
    in every test, the 23 complaints were most of the module's CPU.)"""
    grow(world, 3)
    small = first_counts(URLS, WHO)
    grow(world, 20)
    return small


globals().update(built_once_per_module(counts_on_3_rows))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url", URLS)
def test_list_query_count_does_not_grow(matrix_objects, client_for, world, who, url):
    assert_counts_again(matrix_objects, client_for(who), who, url)


@pytest.mark.parametrize("who", ["supervisor", "department"])
def test_detail_query_count_does_not_grow(client_for, world, who):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    complaint = services.accept_complaint(world.user_department, complaint)
    services.request_extension(world.user_department, complaint, reason="复杂。")
    url = reverse("complaints:detail", args=[complaint.pk])
    client = client_for(who)
    services.add_attachment(world.user_supervisor, complaint, file=pdf())
    small = _count(client, url)
    for _ in range(8):
        services.add_attachment(world.user_department, complaint, file=pdf())
    large = _count(client, url)
    assert large == small


@pytest.mark.parametrize("step", ["verifying", "found"])
@pytest.mark.parametrize("who", ["supervisor", "department"])
def test_detail_query_count_does_not_grow_through_the_finding(client_for, world, who, step):
    complaint = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    complaint = services.accept_complaint(world.user_department, complaint)
    complaint = services.answer_complaint(
        world.user_department, complaint, department_view="unfounded", account="无此事。"
    )
    if step == "found":
        complaint = services.verify_complaint(
            world.user_supervisor,
            complaint,
            outcome="substantiated",
            finding_reason="核实属实。",
            overrule_reason="执法记录不符。",
            answer="已答复。",
        )
    url = reverse("complaints:detail", args=[complaint.pk])
    client = client_for(who)
    small = _count(client, url)
    for _ in range(8):
        services.add_attachment(world.user_department, complaint, file=pdf())
    large = _count(client, url)
    assert large == small
