"""``/api/v1/agreements/``, ``obligations``, ``commitments`` and ``archive-versions`` (SPEC §8,
§19): scoped like the pages, every change through the services, 400 keyed by field, 403/404
outside the caller's rights or scope, 409 for a stale version."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.agreements import services
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    Commitment,
    Obligation,
    ScheduleTemplate,
)
from zhaoshang.agreements.tests.conftest import PDF
from zhaoshang.api.tests.world_api import USERS, expected_visible

RESOURCES = ("agreements", "obligations", "commitments", "archive-versions")


@pytest.fixture(autouse=True)
def english():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def api_for(client_for):
    class JsonClient:
        def __init__(self, client):
            self.client = client

        def get(self, url, data=None):
            return self.client.get(url, data, HTTP_ACCEPT_LANGUAGE="en")

        def __getattr__(self, method):
            def send(url, data=None):
                return getattr(self.client, method)(
                    url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
                )

            return send

    return lambda username: JsonClient(client_for(username))


@pytest.fixture
def records(world, make_agreement, make_commitment):
    """An agreement and a filed commitment on project1_a, project2_a and project1_b."""
    made = {}
    for project, department, bureau in (
        (world.project1_a, world.dept_works_a, world.user_bureau),
        (world.project2_a, world.dept_land_a, world.user_bureau),
        (world.project1_b, world.dept_works_b, world.user_bureau_b),
    ):
        agreement = make_agreement(project)
        commitment = make_commitment(project, department, bureau)
        version = ArchiveVersion.objects.create(
            district_id=project.district_id,
            commitment=commitment,
            number=1,
            park=project.park,
            committee=world.dept_committee_a,
            filed_by=bureau,
            content=services.snapshot(commitment),
        )
        made[project.pk] = (agreement, commitment, version)
    return made


@pytest.mark.parametrize("username", USERS)
def test_every_list_follows_the_project_scope(world, api_for, records, username):
    user = getattr(world, f"user_{username}")
    projects = expected_visible(world, user, "projects")
    api = api_for(username)
    for resource in RESOURCES:
        response = api.get(f"/api/v1/{resource}/", {"page_size": 500})
        if projects is None:
            assert response.status_code == 403, resource
            continue
        assert response.status_code == 200, resource
        rows = response.json()["results"]
        expected = {
            "agreements": {a.pk for p, (a, c, v) in records.items() if p in projects},
            "commitments": {c.pk for p, (a, c, v) in records.items() if p in projects},
            "archive-versions": {v.pk for p, (a, c, v) in records.items() if p in projects},
            "obligations": {
                o.pk
                for p, (a, c, v) in records.items()
                if p in projects
                for o in a.obligations.all()
            },
        }[resource]
        assert {row["id"] for row in rows} == expected, resource
    for project_pk, (agreement, commitment, _v) in records.items():
        code = (
            200
            if projects is not None and project_pk in projects
            else (403 if projects is None else 404)
        )
        assert api.get(f"/api/v1/agreements/{agreement.pk}/").status_code == code
        assert api.get(f"/api/v1/commitments/{commitment.pk}/").status_code == code


def _agreement_payload(world, **overrides):
    payload = {
        "project": world.project1_a.pk,
        "number": "TZXY-API-1",
        "signed_on": "2026-03-02",
        "government_party": "测试区人民政府",
        "enterprise_party": "华鑫新能源科技有限公司a",
        "contracted_investment": "50000",
        "terms": {
            "start_by": "2026-09-30",
            "completion_by": "2027-09-30",
            "production_by": "2027-12-31",
            "intensity": "200",
            "intensity_by": "2027-12-31",
            "jobs": 300,
            "jobs_by": "2028-06-30",
            # project1_a is a major project: its tax and energy duties are stated too.
            "tax": "1500",
            "tax_by": "2028-12-31",
            "energy": "单位产值能耗不高于0.35吨标准煤/万元",
            "energy_by": "2028-06-30",
        },
        "schedule": [
            {"due_on": "2026-09-30", "amount": "5000"},
            {"due_on": "2026-12-31", "amount": "20000"},
        ],
    }
    payload.update(overrides)
    return payload


def test_the_bureau_records_an_agreement_and_changes_it_with_its_version(world, api_for):
    api = api_for("bureau")
    response = api.post("/api/v1/agreements/", _agreement_payload(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["terms"]["jobs"] == 300 and len(body["schedule"]) == 2
    # 7 terms (start, completion, production, intensity, jobs, tax, energy) + 2 schedule rows
    assert body["is_performing"] is True and body["obligations_total"] == 9
    url = f"/api/v1/agreements/{body['id']}/"
    # PATCH keeps the schedule and the terms it does not name
    response = api.patch(url, {"terms": {"tax": "800", "tax_by": "2028-12-31"}, "version": 1})
    assert response.status_code == 200, response.json()
    assert response.json()["terms"]["tax"] == "800.00" and len(response.json()["schedule"]) == 2
    stale = api.patch(url, {"other_parties": "担保方", "version": 1})
    assert stale.status_code == 409 and "version" in stale.json()
    assert api.put(url, _agreement_payload(world)).status_code == 400  # PUT needs the version


def test_only_the_bureau_and_admins_write_agreements(world, api_for):
    for username in ("department", "park", "supervisor", "leader", "city"):
        response = api_for(username).post("/api/v1/agreements/", _agreement_payload(world))
        assert response.status_code == 403, username
    # the bureau of district b does not see project1_a
    response = api_for("bureau_b").post("/api/v1/agreements/", _agreement_payload(world))
    assert response.status_code == 400 and "project" in response.json()
    assert not Agreement.objects.exists()


def test_obligations_are_confirmed_with_a_file_and_waived(
    world, client_for, api_for, make_agreement
):
    agreement = make_agreement()
    tax = agreement.obligations.get(term="tax")
    client = client_for("secretary")  # on the project team
    response = client.post(
        f"/api/v1/obligations/{tax.pk}/confirm/",
        {"met_on": "2026-06-01", "evidence": SimpleUploadedFile("完税证明.pdf", PDF)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["met_on"]) == ("met", "2026-06-01")
    assert body["evidence"].endswith(f"/obligations/{tax.pk}/evidence/")
    assert client.get(body["evidence"]).status_code == 200
    # the outsider of 建设局 is not on the team: 403
    outsider = client_for("outsider").post(
        f"/api/v1/obligations/{tax.pk}/confirm/",
        {"met_on": "2026-06-01", "evidence": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert outsider.status_code == 403
    jobs = agreement.obligations.get(term="jobs")
    response = api_for("bureau").post(
        f"/api/v1/obligations/{jobs.pk}/waive/", {"reason": "补充协议"}
    )
    assert response.status_code == 200 and response.json()["status"] == "waived"
    response = api_for("bureau").post(f"/api/v1/obligations/{jobs.pk}/waive/", {"reason": "再次"})
    assert response.status_code == 400


def test_a_further_obligation_is_added_changed_and_removed(world, api_for, make_agreement):
    agreement = make_agreement()
    api = api_for("bureau")
    response = api.post(
        "/api/v1/obligations/",
        {
            "agreement": agreement.pk,
            "party": "department",
            "department": world.dept_land_a.pk,
            "kind": "service",
            "title": "交付净地",
            "target_text": "完成场地平整并移交",
            "due_on": "2026-08-31",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["light"] == "green"
    url = f"/api/v1/obligations/{body['id']}/"
    assert api.patch(url, {"due_on": "2026-09-15", "version": 1}).json()["due_on"] == "2026-09-15"
    term = agreement.obligations.get(term="start")
    assert api.patch(f"/api/v1/obligations/{term.pk}/", {"due_on": "2026-10-01"}).status_code == 400
    assert api.delete(url).status_code == 204


def test_commitments_are_planned_reported_moved_and_filed(world, api_for, records):
    template = ScheduleTemplate.objects.create(district=world.district_a, name="施工许可")
    template.steps.create(seq=1, name="图审", duration_workdays=10)
    template.steps.create(
        seq=2, name="发证", duration_workdays=5, owner_department=world.dept_center_a
    )
    api = api_for("department")
    response = api.post(
        "/api/v1/commitments/",
        {
            "project": world.project1_a.pk,
            "department": world.dept_works_a.pk,
            "title": "施工许可服务承诺",
            "content": "开工前核发施工许可证",
            "template": template.pk,
            "start_on": "2026-06-15",
            "target_on": "2026-08-31",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(m["name"], m["due_on"]) for m in body["milestones"]] == [
        ("图审", "2026-08-24"),
        ("发证", "2026-08-31"),
    ]
    assert body["milestones"][1]["owner_department"] == world.dept_center_a.pk
    url = f"/api/v1/commitments/{body['id']}/"
    first = body["milestones"][0]["id"]
    response = api.post(f"{url}progress/", {"milestone": first, "progress": 40, "note": "图审中"})
    assert response.status_code == 200 and response.json()["progress"] == 20.0
    response = api.post(
        f"{url}reschedule/", {"milestone": first, "due_on": "2026-09-01", "reason": "x"}
    )
    assert response.status_code == 400 and "due_on" in response.json()
    response = api.post(f"{url}file/", {"note": "首次报送"})
    assert response.status_code == 201 and response.json()["number"] == 1
    assert api.post(f"{url}file/", {}).status_code == 400  # nothing changed since
    # 国土局's commitment on project2_a is not the department's to file
    _a, land, _v = records[world.project2_a.pk]
    assert api.post(f"/api/v1/commitments/{land.pk}/file/", {}).status_code == 403
    # a commitment for another department is refused
    response = api.post(
        "/api/v1/commitments/",
        {
            "project": world.project1_a.pk,
            "department": world.dept_land_a.pk,
            "title": "t",
            "content": "c",
            "target_on": "2026-12-31",
            "steps": [{"name": "A", "duration": 2}],
        },
    )
    assert response.status_code == 400 and "department" in response.json()


def test_a_commitment_that_does_not_fit_is_a_400_naming_the_target(world, api_for):
    response = api_for("bureau").post(
        "/api/v1/commitments/",
        {
            "project": world.project1_a.pk,
            "department": world.dept_works_a.pk,
            "title": "t",
            "content": "c",
            "start_on": "2026-06-15",
            "target_on": "2026-06-30",
            "steps": [{"name": "A", "duration": 10}, {"name": "B", "duration": 5}],
        },
    )
    assert response.status_code == 400
    assert "2026-07-07" in response.json()["target_on"][0]
    assert not Commitment.objects.exists()


def test_a_commitment_is_replanned_through_put_and_patch(world, api_for, make_commitment):
    commitment = make_commitment()
    api = api_for("department")
    url = f"/api/v1/commitments/{commitment.pk}/"
    response = api.patch(url, {"target_on": "2026-08-14", "version": commitment.version})
    assert response.status_code == 200, response.json()
    assert response.json()["milestones"][-1]["due_on"] == "2026-08-14"
    assert api.patch(url, {"target_on": "2026-08-21", "version": 1}).status_code == 409
    ms = response.json()["milestones"]
    steps = [{"milestone": ms[0]["id"], "name": "图审", "duration": 8}]
    response = api.patch(url, {"steps": steps})
    assert response.status_code == 200 and len(response.json()["milestones"]) == 1
    assert api.delete(url).status_code == 204


@pytest.mark.parametrize("username", ["city", "enterprise", "park", "leader"])
def test_read_only_callers_change_nothing(world, api_for, records, username):
    agreement, commitment, _v = records[world.project1_a.pk]
    api = api_for(username)
    expected = 403
    assert api.patch(f"/api/v1/agreements/{agreement.pk}/", {"number": "X"}).status_code == expected
    assert api.post(f"/api/v1/commitments/{commitment.pk}/file/", {}).status_code == expected
    assert api.delete(f"/api/v1/commitments/{commitment.pk}/").status_code == expected


def test_a_shown_agreement_reads_its_obligations_term_columns_only(world, api_for, records):
    """The list and a record read the obligations' term columns (``services.TERM_VALUE_FIELDS``),
    not the confirmation's, the waiver's or the evidence's, and show the same terms and
    schedule as the service gives."""
    agreement = records[world.project1_a.pk][0]
    expected = services.term_values(Agreement.objects.get(pk=agreement.pk))
    api = api_for("bureau")
    for url in ("/api/v1/agreements/", f"/api/v1/agreements/{agreement.pk}/"):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        body = response.json()
        row = next(r for r in body.get("results", [body]) if r["id"] == agreement.pk)
        assert row["terms"]["jobs"] == expected["terms"]["jobs"]
        assert [(r["due_on"], r["amount"]) for r in row["schedule"]] == [
            (d.isoformat(), f"{a:.2f}") for d, a in expected["schedule"]
        ]
        read = [q["sql"] for q in queries if 'FROM "agreements_obligation"' in q["sql"]]
        prefetch = [sql for sql in read if '"waiver_reason"' not in sql]
        assert prefetch and all('"confirmation_note"' not in sql for sql in prefetch), read
        assert not any('"waiver_reason"' in sql and '"term"' in sql for sql in read), read


def test_an_agreement_deleted_through_the_api_keeps_its_obligations_history(
    world, api_for, make_agreement
):
    """A deletion reads whole obligations (each one's history row keeps every column),
    not the term columns a shown record reads, then each obligation again."""
    agreement = make_agreement(world.project1_a)
    titles = sorted(agreement.obligations.values_list("title", flat=True))
    with CaptureQueriesContext(connection) as queries:
        response = api_for("admin").delete(f"/api/v1/agreements/{agreement.pk}/")
    assert response.status_code == 204, response.content
    one_by_one = [
        q["sql"]
        for q in queries
        if 'FROM "agreements_obligation" WHERE "agreements_obligation"."id" =' in q["sql"]
    ]
    assert not one_by_one, one_by_one  # no obligation's columns read again one at a time
    gone = Obligation.history.filter(agreement_id=agreement.pk, history_type="-")
    assert sorted(gone.values_list("title", flat=True)) == titles
    assert all(row.kind and row.due_on for row in gone)
