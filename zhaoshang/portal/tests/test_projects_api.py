"""``/api/v1/portal/projects/``, ``…/obligations/`` and ``…/commitments/``: read-only, scoped
to the caller's enterprise (another enterprise's id is a 404; staff and anonymous callers
are refused), with the facts of the pages; a contact's API token works as its session."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.tests import conftest as agreement_fixtures
from zhaoshang.api.services import issue_token
from zhaoshang.monitoring.services import refresh_signals
from zhaoshang.portal.tests.test_projects_pages import _need, _version
from zhaoshang.projects.models import StageEvent
from zhaoshang.testing.shared import fixture_function

D = datetime.date
PROJECTS = "/api/v1/portal/projects/"
OBLIGATIONS = "/api/v1/portal/obligations/"
COMMITMENTS = "/api/v1/portal/commitments/"


@pytest.fixture
def contact(client_for):
    return client_for("enterprise")


@pytest.fixture
def signed(world):
    """Agreements and commitments of project1_a (the enterprise's) and project2_a (not)."""
    make_agreement = fixture_function(agreement_fixtures.make_agreement)(world)
    make_commitment = fixture_function(agreement_fixtures.make_commitment)(world)
    own = make_agreement()
    services.add_obligation(
        world.user_bureau,
        own,
        party=Party.DEPARTMENT,
        department=world.dept_land_a,
        kind=ObligationKind.SERVICE,
        title="交付净地",
        target_text="完成场地平整",
        due_on=D(2026, 8, 31),
    )
    other = make_agreement(project=world.project2_a, number="TZXY-OTHER")
    return {
        "agreement": own,
        "commitment": make_commitment(),
        "other_agreement": other,
        "other_commitment": make_commitment(project=world.project2_a, title="别家的承诺"),
    }


def test_the_route_names():
    assert reverse("api:portal-project-list") == PROJECTS
    assert reverse("api:portal-obligation-list") == OBLIGATIONS
    assert reverse("api:portal-commitment-list") == COMMITMENTS


def test_projects_are_the_enterprises_own(world, contact):
    rows = contact.get(PROJECTS).json()["results"]
    assert [r["id"] for r in rows] == [world.project1_a.pk]
    for other in (world.project2_a, world.project1_b):
        assert contact.get(f"{PROJECTS}{other.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["bureau", "admin", "department", "city", "park"])
def test_staff_are_refused(world, client_for, who):
    client = client_for(who)
    for url in (PROJECTS, f"{PROJECTS}{world.project1_a.pk}/", OBLIGATIONS, COMMITMENTS):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_refused(world):
    for url in (PROJECTS, OBLIGATIONS, COMMITMENTS):
        assert Client().get(url).status_code in (401, 403)


def test_a_contacts_token_reads_the_same(world):
    _row, key = issue_token(world.user_enterprise)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    rows = client.get(PROJECTS).json()["results"]
    assert [r["id"] for r in rows] == [world.project1_a.pk]


def test_project_card_and_detail(world, contact, signed):
    _need(world, world.project1_a)
    refresh_signals()
    version = _version(world, world.project1_a, "investment_agreement", world.user_bureau)
    internal = _version(world, world.project1_a, "land_preliminary_opinion", world.user_bureau)
    event = StageEvent.objects.create(
        project=world.project1_a,
        from_stage="prereview",
        to_stage="signed",
        occurred_on=D(2026, 3, 2),
        recorded_by=world.user_bureau,
    )
    event.evidence.add(version, internal)
    card = contact.get(PROJECTS).json()["results"][0]
    assert card["code"] == world.project1_a.code and card["stage"] == "signed"
    assert card["project_light"] in ("yellow", "red")
    assert "临时用电增容" in {r["title"] for r in card["light_reasons"]}
    assert card["next_deadline"]["due_on"] is not None
    detail = contact.get(f"{PROJECTS}{world.project1_a.pk}/").json()
    assert detail["leader"]["name"] == world.user_manager.display_name
    assert {m["role"] for m in detail["team"]} == {"manager", "secretary", "service_officer"}
    signed_step = next(s for s in detail["stage_line"] if s["stage"] == "signed")
    assert (signed_step["state"], signed_step["date"]) == ("current", "2026-03-02")
    evidence = detail["stage_events"][0]["evidence"]
    assert [e["id"] for e in evidence] == [version.pk]
    assert evidence[0]["url"] == reverse(
        "portal:project_document", args=[world.project1_a.pk, version.pk]
    )
    own = {d["deadline_kind"] for d in detail["deadlines"]["enterprise"]}
    gov = {d["deadline_kind"] for d in detail["deadlines"]["government"]}
    assert {"obligation", "report"} <= own
    assert gov == {"case", "obligation", "milestone", "need"}


def test_obligations_and_commitments_are_the_enterprises_own(world, contact, signed):
    rows = contact.get(OBLIGATIONS, {"page_size": 500}).json()["results"]
    assert rows and {r["project"] for r in rows} == {world.project1_a.pk}
    land = next(r for r in rows if r["party"] == "department")
    assert land["department_name"] == "区国土局" and land["status"] == "pending"
    missed = next(r for r in rows if r["due_on"] == "2026-05-31")
    assert missed["status"] == "missed" and missed["light"] == "red"
    departments = contact.get(OBLIGATIONS, {"party": "department"}).json()["results"]
    assert [r["id"] for r in departments] == [land["id"]]
    other = signed["other_agreement"].obligations.first()
    assert contact.get(f"{OBLIGATIONS}{other.pk}/").status_code == 404

    commitments = contact.get(COMMITMENTS).json()["results"]
    assert [c["id"] for c in commitments] == [signed["commitment"].pk]
    assert [m["seq"] for m in commitments[0]["milestones"]] == [1, 2, 3]
    assert "due_is_provisional" in commitments[0]["milestones"][0]
    hidden = signed["other_commitment"].pk
    assert contact.get(f"{COMMITMENTS}{hidden}/").status_code == 404
