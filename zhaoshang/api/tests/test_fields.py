"""The fixed field names of SPEC §19 and the derived values."""

from __future__ import annotations

from decimal import Decimal

from zhaoshang.api.tests.world_api import url

PROJECT_FIELDS = {
    "code",
    "name",
    "enterprise",
    "industry",
    "park",
    "level",
    "stage",
    "total_investment",
    "land_area",
    "is_green_channel",
}
STAGE_DATES = {
    "signed_on",
    "registered_on",
    "land_delivered_on",
    "started_on",
    "completed_on",
    "production_on",
    "capacity_on",
}
OTHER_PROJECT_FIELDS = {
    "id",
    "district",
    "kind",
    "source",
    "fixed_asset_investment",
    "planned_start_on",
    "planned_completion_on",
    "planned_production_on",
    "designed_output",
    "committed_tax",
    "committed_jobs",
    "actual_tax",
    "energy_commitment",
    "designated_leader",
    "working_group",
    "paired_departments",
    "description",
    "condition",
    "condition_reason",
    "version",
    "investment_intensity",
    "per_mu_tax",
}


def test_project_fields(world, api_for):
    project = world.project1_a
    body = api_for("bureau").get(url("projects", project.pk)).json()

    assert set(body) >= PROJECT_FIELDS | STAGE_DATES | OTHER_PROJECT_FIELDS
    assert body["code"] == project.code
    assert body["enterprise"] == world.enterprise1_a.pk
    assert body["industry"] == world.industry_a.pk
    assert body["park"] == world.park1_a.pk
    assert body["district"] == world.district_a.pk
    assert body["level"] == "major"
    assert body["stage"] == "signed"
    assert Decimal(body["total_investment"]) == Decimal("50000")
    assert Decimal(body["land_area"]) == Decimal("200")
    assert body["is_green_channel"] is False
    assert body["paired_departments"] == [world.dept_works_a.pk]
    assert body["designated_leader"] == world.user_manager.pk
    assert body["working_group"] == world.group_a.pk
    # Reached stages carry their date; the others are null until reached.
    assert body["signed_on"] == "2026-03-02"
    assert all(body[name] is None for name in STAGE_DATES - {"signed_on"})
    # 投资强度 = 40000 / 200; no actual tax yet.
    assert Decimal(body["investment_intensity"]) == Decimal("200.00")
    assert body["per_mu_tax"] is None


def test_project_list_rows_have_the_same_fields(world, api_for):
    detail = api_for("bureau").get(url("projects", world.project1_a.pk)).json()
    rows = api_for("bureau").get(url("projects")).json()["results"]
    (row,) = [r for r in rows if r["id"] == world.project1_a.pk]
    assert row == detail


def test_enterprise_fields(world, api_for):
    enterprise = world.enterprise1_a
    body = api_for("bureau").get(url("enterprises", enterprise.pk)).json()
    assert {"id", "name", "credit_code", "origin", "version", "district"} <= set(body)
    assert body["name"] == enterprise.name
    assert body["credit_code"] == enterprise.credit_code


def test_list_is_paginated(world, api_for):
    body = api_for("bureau").get(url("projects"), {"page_size": 1}).json()
    assert set(body) >= {"count", "results", "next", "previous"}
    assert body["count"] == 2
    assert len(body["results"]) == 1


def test_reference_fields(world, api_for):
    api = api_for("bureau")
    park = api.get(url("parks", world.park1_a.pk)).json()
    assert park["zone"] == world.zone_a.pk
    assert park["committee"] == world.dept_committee_a.pk
    department = api.get(url("departments", world.dept_works_a.pk)).json()
    assert department["name"] == "区建设局"
    assert department["district"] == world.district_a.pk
    industry = api.get(url("industries", world.industry_a.pk)).json()
    assert industry["category"] == "leading"
