"""The pages and the API: filing, the approvals list (pending first, filters, export), the
actions on the request page, reporting an unapproved visit (it becomes a complaint), and
the ``inspections`` API with its nested visits and codes only for who may see them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhaoshang.complaints.models import Complaint
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.models import InspectionRequest, UnapprovedVisitReport
from zhaoshang.inspections.tests.factories import make_request

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _form(world, **extra):
    data = {
        "department": world.dept_works_a.pk,
        "kind": "inspection",
        "enterprises": [world.enterprise1_a.pk, world.enterprise2_a.pk],
        "purpose": "消防安全检查",
        "legal_basis": "《消防法》第五十三条",
        "planned_on": "2026-06-25",
        "people": "王五（执法证号 001）",
    }
    data.update(extra)
    return data


def test_file_page(client_for, world, settings):
    settings.LANGUAGE_CODE = "en"
    client = client_for("department")
    assert client.get(reverse("inspections:create")).status_code == 200
    response = client.post(reverse("inspections:create"), _form(world, legal_basis=""))
    assert response.status_code == 400
    assert not InspectionRequest.objects.exists()
    response = client.post(reverse("inspections:create"), _form(world, planned_on="2026-07-03"))
    assert response.status_code == 400
    assert "days 1–20 of each month" in response.content.decode()
    response = client.post(reverse("inspections:create"), _form(world))
    assert response.status_code == 302
    request = InspectionRequest.objects.get()
    assert request.visits.count() == 2 and request.filed_by == world.user_department


def test_list_pending_first_filters_and_export(client_for, world):
    approved = make_request(world, approve=True)
    filed = make_request(world, by=world.user_park, department=world.dept_committee_a)
    client = client_for("supervisor")
    html = client.get(reverse("inspections:list")).content.decode()
    assert html.index(filed.number) < html.index(approved.number)
    html = client.get(reverse("inspections:list"), {"status": "approved"}).content.decode()
    assert approved.number in html and filed.number not in html
    mine = client_for("department").get(reverse("inspections:list"), {"mine": "1"})
    assert approved.number in mine.content.decode()
    assert filed.number not in mine.content.decode()
    response = client.get(reverse("inspections:export"), {"kind": "inspection"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [filed.number, approved.number]


def test_nav_entries(client_for, settings):
    settings.LANGUAGE_CODE = "en"
    html = client_for("supervisor").get(reverse("home")).content.decode()
    assert "Inspection approvals" in html
    html = client_for("department").get(reverse("home")).content.decode()
    assert "Inspection requests" in html and reverse("inspections:list") + "?mine=1" in html


def test_actions_on_the_page(client_for, world):
    request = make_request(world)
    client = client_for("supervisor")
    page = client.get(request.get_absolute_url()).content.decode()
    assert 'data-action="approve"' in page and 'data-action="reject"' in page
    response = client.post(reverse("inspections:reject", args=[request.pk]), {"version": 1})
    assert response.status_code == 400
    response = client.post(reverse("inspections:approve", args=[request.pk]), {"version": 1})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    # A stale version is a 409 that changes nothing.
    response = client_for("department").post(
        reverse("inspections:cancel", args=[request.pk]), {"version": 1}
    )
    assert response.status_code == 409
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_record_and_rate_on_the_page(client_for, world, _frozen_time):
    request = make_request(world, approve=True)
    visit = request.visits.get()
    _frozen_time.move_to(datetime.datetime(2026, 6, 25, 2, tzinfo=datetime.UTC))
    url = reverse("inspections:record", args=[request.pk, visit.pk])
    client = client_for("department")
    response = client.post(url, {"version": 2, "carried_out_on": "2026-06-25", "findings": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"version": 2, "carried_out_on": "2026-06-25", "findings": "无问题"}
    )
    assert response.status_code == 302
    rate = reverse("inspections:rate", args=[request.pk, visit.pk])
    response = client_for("supervisor").post(
        rate, {"version": 3, "rating": "dissatisfied", "comment": "检查时间过长"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.rating == "dissatisfied"


def test_merge_on_the_page(client_for, world):
    works = make_request(world, approve=True)
    land = make_request(world, by=world.user_admin, department=world.dept_land_a, approve=True)
    visit, land_visit = works.visits.get(), land.visits.get()
    client = client_for("supervisor")
    page = client.get(works.get_absolute_url()).content.decode()
    assert 'data-action="merge"' in page and land.number in page
    response = client.post(
        reverse("inspections:merge", args=[works.pk, visit.pk]),
        {
            "version": visit.version,
            "others": [land_visit.pk],
            "visit_on": "2026-06-26",
            "lead_department": world.dept_land_a.pk,
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.joint_id and visit.visit_on == D(2026, 6, 26)


def test_report_an_unapproved_visit_becomes_a_complaint(client_for, world):
    client = client_for("supervisor")
    data = {
        "enterprise": world.enterprise1_a.pk,
        "department": world.dept_land_a.pk,
        "kind": "fee",
        "visited_on": "2026-06-12",
        "what_happened": "来人收取“环境评估费”两千元，未出示验证码。",
        "code_shown": "",
        "channel": "phone",
    }
    response = client.post(reverse("inspections:report"), {**data, "what_happened": ""})
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    response = client.post(reverse("inspections:report"), data)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.category == "fees" and complaint.reports_unapproved_visit
    assert complaint.department == world.dept_land_a and complaint.channel == "phone"
    report = UnapprovedVisitReport.objects.get()
    assert report.complaint == complaint and report.kind == "fee"
    assert response["Location"] == complaint.get_absolute_url()


def test_a_valid_code_is_not_an_unapproved_visit(client_for, world):
    from django.core.exceptions import ValidationError

    from zhaoshang.inspections import services

    visit = make_request(world, approve=True).visits.get()
    with pytest.raises(ValidationError) as exc:
        services.report_unapproved_visit(
            world.user_supervisor,
            district=world.district_a,
            enterprise=world.enterprise1_a,
            department=world.dept_works_a,
            kind="inspection",
            visited_on=D(2026, 6, 15),
            what_happened="来检查",
            code_shown=visit.code_display.lower(),
        )
    assert set(exc.value.message_dict) == {"code_shown"}
    assert not Complaint.objects.exists()
    complaint = services.report_unapproved_visit(
        world.user_bureau,
        district=world.district_a,
        enterprise=world.enterprise1_a,
        department=world.dept_land_a,  # the code is not theirs
        kind="inspection",
        visited_on=D(2026, 6, 15),
        what_happened="来检查",
        code_shown=visit.code,
    )
    assert complaint.category == "inspections" and complaint.reports_unapproved_visit


def test_api_life(client_for, world, _frozen_time):
    client = client_for("department")
    payload = {
        "kind": "inspection",
        "enterprises": [world.enterprise1_a.pk],
        "purpose": "安全检查",
        "legal_basis": "",
        "planned_on": "2026-06-25",
        "people": "王五",
    }
    response = client.post("/api/v1/inspections/", payload, content_type="application/json")
    assert response.status_code == 400 and "legal_basis" in response.json()
    payload["legal_basis"] = "《安全生产法》"
    response = client.post("/api/v1/inspections/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "JC-2026-0001" and data["department"] == world.dept_works_a.pk
    pk, visit_pk = data["id"], data["visits"][0]["id"]
    assert client.post(f"/api/v1/inspections/{pk}/approve/", {}).status_code == 403
    supervisor = client_for("supervisor")
    response = supervisor.post(
        f"/api/v1/inspections/{pk}/approve/", {}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    code = response.json()["visits"][0]["code"]
    assert len(code) == 20
    # Codes only for the filing department and the supervision office.
    assert client.get(f"/api/v1/inspections/{pk}/").json()["visits"][0]["code"] == code
    assert client_for("bureau").get(f"/api/v1/inspections/{pk}/").json()["visits"][0]["code"] == ""
    assert client_for("city").get(f"/api/v1/inspections/{pk}/").json()["visits"][0]["code"] == ""
    _frozen_time.move_to(datetime.datetime(2026, 6, 25, 2, tzinfo=datetime.UTC))
    response = client.post(
        f"/api/v1/inspections/{pk}/visits/{visit_pk}/record/",
        {"carried_out_on": "2026-06-25", "findings": "无问题"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    response = supervisor.post(
        f"/api/v1/inspections/{pk}/visits/{visit_pk}/rate/",
        {"rating": "satisfied"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["visits"][0]["rating"] == "satisfied"
    assert (
        supervisor.post(
            f"/api/v1/inspections/{pk}/visits/999999/rate/", {"rating": "satisfied"}
        ).status_code
        == 404
    )
    listing = supervisor.get("/api/v1/inspections/", {"status": "approved"}).json()
    assert listing["count"] == 1
    assert client_for("bureau_b").get(f"/api/v1/inspections/{pk}/").status_code == 404
    assert client_for("enterprise").get("/api/v1/inspections/").status_code == 403
    assert client_for("city").post("/api/v1/inspections/", payload).status_code == 403


def test_a_stale_visit_action_is_409(client_for, world, _frozen_time):
    request = make_request(world, approve=True)
    visit = request.visits.get()
    _frozen_time.move_to(datetime.datetime(2026, 6, 25, 2, tzinfo=datetime.UTC))
    response = client_for("department").post(
        reverse("inspections:record", args=[request.pk, visit.pk]),
        {"version": visit.version - 1, "carried_out_on": "2026-06-25", "findings": "无问题"},
    )
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.carried_out_on is None
