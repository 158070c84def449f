"""The complaint desk (投诉台): filters by status, category, department, light and "against
my department"; a department's people reach it from the navigation already narrowed to the
complaints against them; the Excel export follows the filters and hides the complainant's
contact where ``contact_for`` does."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhaoshang.complaints import services
from zhaoshang.complaints.tests.factories import make_complaint

pytestmark = pytest.mark.usefixtures("english")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def desk(world):
    """fines against 建设局, dispatched (yellow: accept by tomorrow); attitude against 国土局,
    only received (no light); fees against 建设局, with the complainant's consent."""
    fines = services.dispatch_complaint(world.user_supervisor, make_complaint(world))
    attitude = make_complaint(world, category="attitude", department=world.dept_land_a)
    fees = make_complaint(world, category="fees", contact_consent=True)
    return {"fines": fines, "attitude": attitude, "fees": fees}


def _shown(client, query) -> set[str]:
    html = client.get(reverse("complaints:list"), query).content.decode()
    return {
        name
        for name, number in (
            ("fines", "TS-2026-0001"),
            ("attitude", "TS-2026-0002"),
            ("fees", "TS-2026-0003"),
        )
        if number in html
    }


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"fines", "attitude", "fees"}),
        ({"category": "attitude"}, {"attitude"}),
        ({"department": "land"}, {"attitude"}),
        ({"light": "yellow"}, {"fines"}),
        ({"status": "received"}, {"attitude", "fees"}),
        ({"mine": "1"}, {"fines", "fees"}),
        ({"mine": "1", "category": "fees"}, {"fees"}),
    ],
)
def test_desk_filters(client_for, world, desk, query, shown):
    if query.get("department") == "land":
        query = {"department": world.dept_land_a.pk}
    assert _shown(client_for("department"), query) == shown


def test_mine_is_ignored_without_a_department(client_for, world, desk):
    world.user_bureau.department = None
    world.user_bureau.save()
    assert _shown(client_for("bureau"), {"mine": "1"}) == {"fines", "attitude", "fees"}


def test_the_navigation_sends_a_department_to_the_complaints_against_it(client_for, desk):
    page = client_for("department").get(reverse("home"), **EN).content.decode()
    url = f"{reverse('complaints:list')}?mine=1"
    assert f'href="{url}"' in page and "Complaints against us" in page
    desk_page = client_for("department").get(url, **EN).content.decode()
    assert "Complaints against us" in desk_page
    supervisor = client_for("supervisor").get(reverse("home"), **EN).content.decode()
    assert "Complaint desk" in supervisor and f'href="{url}"' not in supervisor


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    return [dict(zip(head, row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize(
    ("who", "phones"),
    [
        # The department complained about sees the contact only where the complainant agreed
        # (fees); 国土局's complaint is not against it, so its contact is shown.
        (
            "department",
            {"TS-2026-0001": "", "TS-2026-0002": "13800000000", "TS-2026-0003": "13800000000"},
        ),
        (
            "supervisor",
            {
                "TS-2026-0001": "13800000000",
                "TS-2026-0002": "13800000000",
                "TS-2026-0003": "13800000000",
            },
        ),
    ],
)
def test_the_export_hides_the_contact_like_the_page(client_for, desk, who, phones):
    rows = _rows(client_for(who).get(reverse("complaints:export"), **EN))
    assert {r["Number"]: r["Contact phone"] for r in rows} == phones
    names = {r["Number"]: r["Contact person"] for r in rows}
    assert (names["TS-2026-0001"] == "") is (who == "department")


def test_the_export_follows_the_filters(client_for, desk):
    rows = _rows(client_for("supervisor").get(reverse("complaints:export"), {"mine": "1"}, **EN))
    # The supervisor's own department has no complaint against it.
    assert rows == [] or all(r["Department complained about"] != "国土局" for r in rows)
    rows = _rows(
        client_for("supervisor").get(reverse("complaints:export"), {"category": "fines"}, **EN)
    )
    assert [r["Number"] for r in rows] == ["TS-2026-0001"]
    assert rows[0]["Light"] == "Due soon" and rows[0]["Working days left"] == 1
    assert "District" not in rows[0]
    city = _rows(client_for("city").get(reverse("complaints:export"), **EN))
    assert "District" in city[0]


def test_the_desk_links_the_export_with_its_filters(client_for, desk):
    html = client_for("supervisor").get(reverse("complaints:list"), {"category": "fees"})
    assert f"{reverse('complaints:export')}?category=fees" in html.content.decode()
