"""The enterprise page shows the enterprise's complaints and its inspection and fee
requests (SPEC §9), the newest first, as far as the user may see them, in a constant
number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.enterprises.views import HISTORY_ROWS
from zhaoshang.inspections.tests.factories import make_request


def _page(client, enterprise) -> str:
    response = client.get(reverse("enterprises:detail", args=[enterprise.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_enterprise_page_lists_its_complaints_and_inspections(client_for, world):
    complaint = make_complaint(world)  # about project1_a of enterprise1_a
    request = make_request(world, approve=True)  # a visit to enterprise1_a
    other = make_complaint(world, project=world.project2_a, department=world.dept_land_a)
    html = _page(client_for("bureau"), world.enterprise1_a)
    history = html.split('data-testid="complaint-history"')[1]
    assert complaint.number in history
    if other.enterprise_id != world.enterprise1_a.pk:
        assert other.number not in history
    visits = html.split('data-testid="inspection-history"')[1]
    assert request.number in visits


def test_the_park_committee_sees_only_what_it_may(client_for, world):
    """The park committee of park 1 sees complaints about its projects but not the
    inspection requests of other departments."""
    complaint = make_complaint(world)
    request = make_request(world, approve=True)
    html = _page(client_for("park"), world.enterprise1_a)
    assert complaint.number in html
    assert request.number not in html


def test_the_newest_rows_with_the_count(client_for, world):
    for _ in range(HISTORY_ROWS + 2):
        make_complaint(world)
    html = _page(client_for("bureau"), world.enterprise1_a)
    rows = html.split('data-testid="complaint-history"')[1].split("</table>")[0]
    assert rows.count("data-complaint=") == HISTORY_ROWS
    assert f">{HISTORY_ROWS + 2}<" in html


@pytest.mark.parametrize("who", ["bureau", "park", "city"])
def test_query_count_does_not_grow(client_for, world, who):
    from zhaoshang.inspections.models import InspectionSettings

    InspectionSettings.objects.create(district=world.district_a, yearly_cap=50)
    client = client_for(who)

    def grow(n):
        for i in range(n):
            make_complaint(world)
            make_request(world, planned_on=datetime.date(2026, 6, 22 + i % 7), approve=i % 2 == 0)

    def count() -> int:
        _page(client, world.enterprise1_a)
        with CaptureQueriesContext(connection) as ctx:
            _page(client, world.enterprise1_a)
        return len(ctx.captured_queries)

    grow(1)
    small = count()
    grow(4)
    assert count() == small
