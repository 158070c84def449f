"""The API resources receipts, needs and second-round-services: list (paginated), create,
read, update through the services; scoping as on the pages; errors as SPEC §19 says."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from zhaoshang.meetings.models import ActionItem
from zhaoshang.service.choices import NeedStatus, ReceiptResult
from zhaoshang.service.models import Instruction, Need, Receipt


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for(client_for):
    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url, data=None):
            return self.client.get(url, data)

        def post(self, url, data=None):
            return self.client.post(url, data, content_type="application/json")

        def patch(self, url, data=None):
            return self.client.patch(url, data, content_type="application/json")

        def put(self, url, data=None):
            return self.client.put(url, data, content_type="application/json")

        def delete(self, url):
            return self.client.delete(url)

    return lambda who: JsonClient(client_for(who))


def _receipt_json(world, **overrides):
    data = {
        "project": world.project1_a.pk,
        "visited_on": "2026-06-12",
        "department": world.dept_works_a.pk,
        "handler_name": "王建国",
        "matter": "施工许可",
        "work_done": "递交材料",
        "result": ReceiptResult.IN_PROGRESS,
    }
    data.update(overrides)
    return data


def test_the_team_files_a_receipt_and_others_are_refused(world, api_for):
    response = api_for("officer").post("/api/v1/receipts/", _receipt_json(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "HZ-2026-0001" and body["addressee"] == world.user_manager.pk
    refused = api_for("outsider").post("/api/v1/receipts/", _receipt_json(world))
    assert refused.status_code == 403
    assert "not on that team" in refused.json()["detail"]
    assert api_for("city").post("/api/v1/receipts/", _receipt_json(world)).status_code == 403
    assert api_for("enterprise").get("/api/v1/receipts/").status_code == 403
    # another district's project is "not found", as if it did not exist
    other = api_for("bureau_b").post("/api/v1/receipts/", _receipt_json(world))
    assert other.status_code == 400 and "project" in other.json()
    assert Receipt.objects.count() == 1


def test_bad_input_is_400_by_field(world, api_for):
    response = api_for("secretary").post(
        "/api/v1/receipts/",
        _receipt_json(world, result=ReceiptResult.NEEDS_COORDINATION, visited_on="2026-07-01"),
    )
    assert response.status_code == 400
    assert "visited_on" in response.json()
    response = api_for("secretary").post(
        "/api/v1/receipts/", _receipt_json(world, result=ReceiptResult.NEEDS_COORDINATION)
    )
    assert response.status_code == 400 and "problems" in response.json()


def test_list_read_filters_and_scope(world, api_for, file_receipt):
    receipt = file_receipt()
    listing = api_for("bureau").get("/api/v1/receipts/")
    assert listing.json()["count"] == 1 and listing.json()["results"][0]["id"] == receipt.pk
    assert api_for("bureau_b").get("/api/v1/receipts/").json()["count"] == 0
    assert api_for("bureau_b").get(f"/api/v1/receipts/{receipt.pk}/").status_code == 404
    assert api_for("city").get(f"/api/v1/receipts/{receipt.pk}/").status_code == 200
    mine = api_for("manager").get("/api/v1/receipts/", {"mine": "true", "unread": "true"})
    assert mine.json()["count"] == 1
    assert api_for("leader").get("/api/v1/receipts/", {"mine": "true"}).json()["count"] == 0


def test_correction_by_the_filer_only_with_version(world, api_for, file_receipt):
    receipt = file_receipt()
    url = f"/api/v1/receipts/{receipt.pk}/"
    assert api_for("officer").patch(url, {"result": "done"}).status_code == 403
    missing = api_for("secretary").patch(url, {"result": "done"})
    assert missing.status_code == 400 and "correction_reason" in missing.json()
    stale = api_for("secretary").patch(
        url, {"result": "done", "correction_reason": "填错", "version": 5}
    )
    assert stale.status_code == 409
    ok = api_for("secretary").patch(
        url, {"result": "done", "correction_reason": "填错", "version": 1}
    )
    assert ok.status_code == 200 and ok.json()["result"] == "done" and ok.json()["version"] == 2
    assert api_for("secretary").delete(url).status_code == 405


def test_the_leader_reads_and_instructs(world, api_for, file_receipt):
    receipt = file_receipt()
    base = f"/api/v1/receipts/{receipt.pk}/"
    assert api_for("leader").post(base + "read/").status_code == 403
    read = api_for("manager").post(base + "read/")
    assert read.status_code == 200 and read.json()["read_at"]
    bad = api_for("manager").post(
        base + "instructions/",
        {"text": "请办理", "items": [{"due_workdays": 3}, {"owner_department": None}]},
    )
    assert bad.status_code == 400
    assert bad.json()["items"][0]["owner_department"]
    assert not Instruction.objects.exists() and not ActionItem.objects.exists()
    ok = api_for("manager").post(
        base + "instructions/",
        {
            "text": "请建设局牵头办理",
            "items": [{"owner_department": world.dept_works_a.pk, "due_workdays": 3}],
        },
    )
    assert ok.status_code == 201, ok.json()
    assert len(ok.json()["action_items"]) == 1
    assert (
        api_for("leader").post(base + "instructions/", {"text": "x", "items": []}).status_code
        == 403
    )


def test_needs_through_the_api(world, api_for):
    created = api_for("secretary").post(
        "/api/v1/needs/",
        {
            "project": world.project1_a.pk,
            "category": "land",
            "title": "用地红线调整",
            "description": "规划红线与实际不符",
            "department": world.dept_land_a.pk,
            "due_workdays": 5,
        },
    )
    assert created.status_code == 201, created.json()
    need = created.json()
    assert need["number"] == "WT-2026-0001" and need["light"] == "green" and need["days_left"] == 5
    url = f"/api/v1/needs/{need['id']}/"
    assert api_for("outsider").patch(url, {"due_workdays": 8}).status_code == 403
    changed = api_for("secretary").patch(url, {"due_workdays": 8, "version": 1})
    assert changed.status_code == 200 and changed.json()["days_left"] == 8
    assert api_for("secretary").patch(url, {"status": "closed"}).json()["status"] == "pending"
    assert api_for("department").post(url + "start/", {}).status_code == 403  # 建设局, not 国土局
    escalated = api_for("secretary").post(url + "escalate/", {"escalation_note": "需会议"})
    assert escalated.status_code == 200 and escalated.json()["status"] == NeedStatus.ESCALATED
    listing = api_for("bureau").get("/api/v1/needs/", {"escalated": "true", "open": "true"})
    assert listing.json()["count"] == 1
    again = api_for("secretary").post(url + "escalate/", {"escalation_note": "需会议"})
    assert again.status_code == 400 and "status" in again.json()
    assert api_for("bureau_b").get(url).status_code == 404
    assert api_for("secretary").delete(url).status_code == 405
    assert Need.objects.get().status == NeedStatus.ESCALATED


def test_second_round_services_through_the_api(world, api_for):
    response = api_for("secretary").post(
        "/api/v1/second-round-services/",
        {
            "kind": "financing",
            "project": world.project1_a.pk,
            "occurred_on": "2026-06-10",
            "counterparty": "区农商银行",
            "amount": "3000.00",
            "description": "项目贷款对接",
        },
    )
    assert response.status_code == 201, response.json()
    assert api_for("bureau").get("/api/v1/second-round-services/").json()["count"] == 1
    refused = api_for("outsider").post(
        "/api/v1/second-round-services/",
        {
            "kind": "partner",
            "project": world.project1_a.pk,
            "occurred_on": "2026-06-10",
            "counterparty": "x",
            "description": "y",
        },
    )
    assert refused.status_code == 403
