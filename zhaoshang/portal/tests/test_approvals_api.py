"""``/api/v1/portal/cases/``: the enterprise's cases with the facts of the page, scoped to
its enterprise (another's is a 404), for a session or a token; ``rate`` calls the same
``rate_case`` as the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhaoshang.portal.tests.approvals_cases import done_case, make_cases
from zhaoshang.ratings.models import Rating

LIST = "/api/v1/portal/cases/"


@pytest.fixture
def cases(world):
    return make_cases(world)


@pytest.fixture
def contact(client_for):
    return client_for("enterprise")


def test_the_route_names():
    assert reverse("api:portal-case-list") == LIST
    assert reverse("api:portal-case-rate", args=[1]) == f"{LIST}1/rate/"


def test_list_is_the_enterprise_s_own(world, cases, contact):
    other = done_case(world, world.project2_a)
    rows = contact.get(LIST).json()["results"]
    ids = {r["id"] for r in rows}
    assert {c.pk for c in cases.values()} | {world.case_a.pk} == ids
    assert other.pk not in ids and world.case_b.pk not in ids
    assert contact.get(f"{LIST}{other.pk}/").status_code == 404
    assert contact.get(f"{LIST}{world.case_b.pk}/").status_code == 404


def test_the_facts_of_a_case(world, cases, contact):
    done = contact.get(f"{LIST}{cases['done'].pk}/").json()
    assert done["status"] == "done" and done["approval_number"] == "2026-500101-04-01-000001"
    assert done["has_certificate"] is True and done["rating"] is None
    assert done["handler_phone"].startswith("023-6000")
    paused = contact.get(f"{LIST}{cases['paused'].pk}/").json()
    assert paused["paused"] is True and paused["days_left"] is None
    assert paused["pauses"][0]["reason"] == "补正：缺少勘测定界图"
    natural = contact.get(f"{LIST}{cases['natural'].pk}/").json()
    assert (natural["days_left"], natural["days_unit"]) == (5, "natural_day")
    resumed = contact.get(f"{LIST}{cases['resumed'].pk}/").json()
    assert resumed["days_unit"] == "workday" and resumed["days_left"] == 2
    returned = contact.get(f"{LIST}{cases['returned'].pk}/").json()
    assert returned["return_reason"] == "申请材料与项目备案信息不一致"


def test_filters(world, cases, contact):
    done = {r["id"] for r in contact.get(LIST, {"status": "done"}).json()["results"]}
    assert done == {cases["done"].pk}
    opened = {r["id"] for r in contact.get(LIST, {"status": "open"}).json()["results"]}
    assert cases["done"].pk not in opened and cases["returned"].pk not in opened
    mine = contact.get(LIST, {"project": world.project1_a.pk}).json()["results"]
    assert len(mine) == len(cases) + 1
    assert contact.get(LIST, {"project": world.project2_a.pk}).json()["results"] == []


def test_rate_through_the_api_once(world, cases, contact):
    url = f"{LIST}{cases['done'].pk}/rate/"
    refused = contact.post(url, {"score": "dissatisfied"}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()
    answer = contact.post(url, {"score": "satisfied"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["rating"] == "satisfied"
    again = contact.post(url, {"score": "fairly"}, content_type="application/json")
    assert again.status_code == 400 and Rating.objects.count() == 1


def test_an_open_case_is_refused_with_every_problem(world, cases, contact):
    response = contact.post(
        f"{LIST}{cases['paused'].pk}/rate/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "score" in response.json() and len(response.json()) >= 2
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["admin", "bureau", "department", "park", "supervisor"])
def test_staff_are_kept_out(world, client_for, who):
    assert client_for(who).get(LIST).status_code == 403


def test_a_token_of_the_contact_works(world, cases):
    from zhaoshang.api.services import issue_token

    _token, key = issue_token(world.user_enterprise, name="企业系统")
    rows = Client().get(LIST, HTTP_AUTHORIZATION=f"Token {key}").json()["results"]
    assert {r["id"] for r in rows} >= {c.pk for c in cases.values()}


def test_anonymous_is_refused(world, cases):
    assert Client().get(LIST).status_code in (401, 403)
    assert Client().post(f"{LIST}{cases['done'].pk}/rate/", {}).status_code in (401, 403)
    assert not Rating.objects.exists()
