"""Query-count invariance of the service hall's needs and complaints: the lists (page and
API) and a record's page cost as many queries with 3 records (each with files, answered
and rated) as with 23."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.complaints import services as complaint_services
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.service import services
from zhaoshang.testing.clients import counted_apart, counted_get
from zhaoshang.testing.shared import built_once_per_module

COUNTS: dict[str, int] = {}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def grow_needs(world, n: int):
    """``n`` needs of enterprise1_a, each with two files, answered and rated; the last
    one is returned."""
    need = None
    for i in range(n):
        need = services.raise_enterprise_need(
            world.user_enterprise,
            world.project1_a,
            category="land",
            title=f"诉求{i}",
            description="说明",
            department=world.dept_works_a,
            files=[_pdf(f"a{i}.pdf"), _pdf(f"b{i}.pdf")],
        )
        services.start_need(world.user_department, need)
        need = services.resolve_need(world.user_department, need, "已协调解决。")
        services.rate_need(world.user_enterprise, need, score="satisfied")
    return need


def grow_complaints(world, n: int):
    """``n`` complaints of enterprise1_a lodged in the portal with a file, answered by the
    supervision office and rated; the last one is returned."""
    complaint = None
    for _ in range(n):
        complaint = make_complaint(
            world, by=world.user_enterprise, channel="portal", attachments=[_pdf("单据.pdf")]
        )
        complaint = complaint_services.dispatch_complaint(world.user_supervisor, complaint)
        complaint = complaint_services.accept_complaint(world.user_department, complaint)
        complaint = complaint_services.answer_complaint(
            world.user_department, complaint, department_view="unfounded", account="情况说明"
        )
        complaint = complaint_services.verify_complaint(
            world.user_supervisor,
            complaint,
            outcome="unfounded",
            finding_reason="核实无此事。",
            answer="经核实，无此事。",
        )
        complaint = complaint_services.rate_complaint(
            world.user_enterprise, complaint, rating="fairly"
        )
    return complaint


PAGES = [
    ("needs", grow_needs, lambda r: reverse("portal:needs"), {}),
    ("needs-api", grow_needs, lambda r: "/api/v1/portal/needs/", {"page_size": 500}),
    ("need", grow_needs, lambda r: reverse("portal:need", args=[r.pk]), {}),
    ("need-api", grow_needs, lambda r: f"/api/v1/portal/needs/{r.pk}/", {}),
    ("complaints", grow_complaints, lambda r: reverse("portal:complaints"), {}),
    (
        "complaints-api",
        grow_complaints,
        lambda r: "/api/v1/portal/complaints/",
        {"page_size": 500},
    ),
    ("complaint", grow_complaints, lambda r: reverse("portal:complaint", args=[r.pk]), {}),
    (
        "complaint-api",
        grow_complaints,
        lambda r: f"/api/v1/portal/complaints/{r.pk}/",
        {},
    ),
]


def counts_on_3_records(world) -> dict:
    """3 needs and 3 complaints, every page's count (each request in a savepoint of its own,
    rolled back), then 20 more of each: made once for the module, each test counts again on
    the 23 in its own savepoint and compares. (Grown in every test, the 23 records were most
    of the module's CPU.)"""
    first = {grow: grow(world, 3) for grow in (grow_needs, grow_complaints)}
    small = {}
    for name, grow, url, params in PAGES:
        small[name] = counted_apart("enterprise", url(first[grow]), params)
    last = {grow: grow(world, 20) for grow in (grow_needs, grow_complaints)}
    return {"small": small, "last": last}


globals().update(built_once_per_module(counts_on_3_records))


@pytest.mark.parametrize(("name", "grow", "url", "params"), PAGES, ids=[p[0] for p in PAGES])
def test_the_query_count_does_not_grow(matrix_objects, client_for, world, name, grow, url, params):
    status, small = matrix_objects["small"][name]
    assert status == 200, name
    record = matrix_objects["last"][grow]
    status, large = counted_get(client_for("enterprise"), url(record), params)
    assert status == 200, name
    COUNTS[name] = large
    print(f"{name}: {small} queries for 3 records, {large} for 23")  # noqa: T201
    assert large == small
