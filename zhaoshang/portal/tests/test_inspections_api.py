"""The portal API's inspections: the enterprise's own visits only (another enterprise's is
a 404, staff are refused), the check of a code, the report of an unapproved visit and
the rating of a visit, through the same services as the pages; all in the OpenAPI
document."""

from __future__ import annotations

import pytest

from zhaoshang.complaints.models import Complaint
from zhaoshang.inspections import services
from zhaoshang.inspections.tests.factories import make_request
from zhaoshang.ratings.models import Rating
from zhaoshang.testing.world import FROZEN_NOW

TODAY = FROZEN_NOW.date()
BASE = "/api/v1/portal/inspections/"


def _today_visit(world, tag="a", enterprise=None):
    enterprise = enterprise or getattr(world, f"enterprise1_{tag}")
    request = make_request(
        world,
        tag,
        enterprises=[enterprise],
        approve=True,
        planned_on=TODAY,
        quiet_day_reason="安全生产专项整治，时间紧",
    )
    return request.visits.get()


@pytest.fixture
def visits(world):
    return {
        "in": _today_visit(world),
        "out": _today_visit(world, enterprise=world.enterprise2_a),
        "other": _today_visit(world, "b"),
    }


def test_the_list_is_the_enterprises_own_visits(client_for, visits):
    response = client_for("enterprise").get(BASE)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [visits["in"].pk]
    row = rows[0]
    assert row["code"] == visits["in"].code and row["visit_state"] == "today"
    assert row["kind"] == "inspection" and row["department"] == visits["in"].request.department_id
    assert client_for("enterprise").get(BASE, {"when": "past"}).json()["results"] == []


@pytest.mark.parametrize("target", ["out", "other"])
def test_another_enterprises_visit_is_404(client_for, visits, target):
    client = client_for("enterprise")
    assert client.get(f"{BASE}{visits[target].pk}/").status_code == 404
    response = client.post(f"{BASE}{visits[target].pk}/rate/", {"rating": "satisfied"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["bureau", "supervisor", "department", "city"])
def test_staff_do_not_use_the_portal_api(client_for, visits, who):
    client = client_for(who)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}check/", {"code": visits["in"].code}).status_code == 403


def test_anonymous_callers_are_refused(client, visits):
    assert client.get(BASE).status_code in (401, 403)


def test_the_check_answers_for_today_and_the_enterprise(client_for, visits):
    client = client_for("enterprise")
    answer = client.get(f"{BASE}check/", {"code": visits["in"].code_display}).json()
    assert answer["answer"] == "today" and answer["approved_today"] is True
    assert answer["visit"]["id"] == visits["in"].pk
    assert answer["departments"][0]["inspectors"].startswith("张三")
    other = client.get(f"{BASE}check/", {"code": visits["out"].code}).json()
    assert other["answer"] == "other_enterprise" and other["approved_today"] is False
    assert other["visit"] is None and other["departments"] == []
    unknown = client.get(f"{BASE}check/", {"code": "X"}).json()
    assert unknown["answer"] == "unknown"


def test_the_check_needs_a_code_and_stops_guessers(client_for, visits, settings):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 1
    client = client_for("enterprise")
    response = client.get(f"{BASE}check/")
    assert response.status_code == 400 and "code" in response.json()
    assert client.get(f"{BASE}check/", {"code": "X"}).status_code == 200
    response = client.get(f"{BASE}check/", {"code": visits["in"].code})
    assert response.status_code == 429


def test_a_report_becomes_the_enterprises_complaint(world, client_for):
    response = client_for("enterprise").post(
        f"{BASE}report/",
        {
            "department": world.dept_land_a.pk,
            "kind": "fee",
            "visited_on": "2026-06-14",
            "what_happened": "收取“年检费”500元，未出示任何文件",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.number == response.json()["number"]
    assert (complaint.enterprise, complaint.channel, complaint.category) == (
        world.enterprise1_a,
        "portal",
        "fees",
    )


def test_an_empty_report_names_every_field_and_writes_nothing(client_for):
    response = client_for("enterprise").post(f"{BASE}report/", {}, content_type="application/json")
    assert response.status_code == 400
    assert {"department", "kind", "visited_on", "what_happened"} <= set(response.json())
    assert not Complaint.objects.exists()


def test_the_contact_rates_a_visit_carried_out(world, client_for, visits):
    visit = services.record_visit(
        world.user_department, visits["in"], carried_out_on=TODAY, findings="无问题"
    )
    client = client_for("enterprise")
    url = f"{BASE}{visit.pk}/rate/"
    response = client.post(url, {"rating": "dissatisfied"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"comment"}
    response = client.post(
        url, {"rating": "satisfied", "version": visit.version - 1}, content_type="application/json"
    )
    assert response.status_code == 409
    response = client.post(
        url, {"rating": "satisfied", "version": visit.version}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["rating"] == "satisfied"
    assert Rating.objects.get(subject_kind="visit", subject_id=visit.pk).score == "satisfied"


def test_the_resources_are_in_the_openapi_document(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("", "{id}/", "{id}/rate/", "check/", "report/"):
        assert f"{BASE}{path}" in schema["paths"], path


def test_a_report_names_a_future_date_with_the_missing_fields(world, client_for):
    client = client_for("enterprise")
    body = {"department": world.dept_land_a.pk, "kind": "inspection", "visited_on": "2026-07-01"}
    response = client.post(f"{BASE}report/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"visited_on", "what_happened"}
    response = client.post(f"{BASE}report/", [body], content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert not Complaint.objects.exists()
