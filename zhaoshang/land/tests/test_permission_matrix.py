"""Every person of the world × every route of the land app × an in-scope, an out-of-scope
and an other-district target.

The table of the generator (``zhaoshang/testing/matrix.py``). Expectations are the rules
of SPEC §1 and §11 (``land/permissions.py``) written over the world.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.land.models import CleanupLead
from zhaoshang.land.tests import conftest as fixtures
from zhaoshang.testing.matrix import PEOPLE, Matrix, own_district, visible_project
from zhaoshang.testing.shared import built_once_per_module, fixture_function

# route name -> (kind of object in the URL, what the user needs, method)
# needs: "staff" (any government user), "add" (who records parcels), "open" (who opens
# campaigns), "view" (can see it), "edit" (who edits the parcel), "manage" (who decides
# and closes the campaign)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "land:parcels": (None, "staff", "GET"),
    "land:export": (None, "staff", "GET"),
    "land:plan": (None, "staff", "GET"),
    "land:parcel_create": (None, "add", "GET"),
    "land:parcel": ("parcel", "view", "GET"),
    "land:parcel_edit": ("parcel", "edit", "GET"),
    "land:parcel_status": ("parcel", "edit", "POST"),
    "land:campaigns": (None, "staff", "GET"),
    "land:campaign_open": (None, "open", "GET"),
    "land:campaign": ("campaign", "view", "GET"),
    "land:campaign_export": ("campaign", "view", "GET"),
    "land:campaign_generate": ("campaign", "manage", "POST"),
    "land:campaign_close": ("campaign", "manage", "POST"),
    "land:entry_decide": ("entry", "manage", "POST"),
    "land:entry_action": ("entry", "manage", "POST"),
}

EDITORS = {"admin", "bureau", "secretary", "bureau_b"}  # secretary holds the bureau role
ADDERS = EDITORS | {"park"}
# The leader holds district a's clean-up duty (分管工业副区长: a CleanupLead, made in build).
CAMPAIGNERS = {"admin", "bureau", "secretary", "supervisor", "bureau_b", "leader"}


def _visible_campaign(who: str, target: str) -> bool:
    """Campaigns are seen by every government user of the district (park committees too)."""
    if who == "city":
        return True
    return (who == "bureau_b") == (target == "other")


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if who == "enterprise":
        return 403  # the portal boundary: no staff page
    if needs == "staff":
        return 200
    if needs == "add":
        return 200 if who in ADDERS else 403
    if needs == "open":
        return 200 if who in CAMPAIGNERS else 403
    visible = _visible_campaign(who, target) if kind == "campaign" else visible_project(who, target)
    if not visible:
        return 404
    if needs == "view":
        return 200
    own = own_district(who, target)
    if needs == "edit":
        allowed = own and (who in EDITORS or (who == "park" and target == "in"))
    else:  # manage
        allowed = own and who in CAMPAIGNERS
    if not allowed:
        return 403
    if route == "land:campaign_generate":
        return 302  # nothing new to add: back to the campaign
    if method == "POST":
        return 400  # an empty form (or a campaign with undecided entries) changes nothing
    return 200


def build(world):
    """The app conftest's parcels, campaigns and entries, built once for the module
    (``built_once_per_module``); every test of the module takes them from there."""
    CleanupLead.objects.create(district=world.district_a, leader=world.user_leader)
    parcels = fixture_function(fixtures.parcels)(world)
    campaigns = fixture_function(fixtures.campaigns)(world)
    entries = fixture_function(fixtures.entries)(world, campaigns)
    return {"parcel": parcels, "campaign": campaigns, "entry": entries}


globals().update(built_once_per_module(build))


@pytest.fixture
def parcels(matrix_objects):
    return matrix_objects["parcel"]


def url(objects, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if kind is None:
        return reverse(route)
    if route == "land:entry_action":  # confirming a rectification (the empty form: 400)
        return reverse(route, args=[objects[kind][target].pk, "rectified"])
    return reverse(route, args=[objects[kind][target].pk])


def unchanged(objects, route: str, target: str | None):
    """Nothing a refused or an empty request sends changes the record."""
    kind = ROUTES[route][0]
    record = objects[kind][target] if target else None
    before = record.version if record is not None else None

    def check(who, status):
        if record is not None:
            record.refresh_from_db()
            assert record.version == before, who

    return check


globals().update(Matrix(ROUTES, expected, url, namespaces=["land"], check=unchanged).tests())


API = "/api/v1/land-parcels/"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "out", "other"])
def test_api_read_and_write_follow_the_same_rules(client_for, parcels, who, target):
    client = client_for(who)
    parcel = parcels[target]
    response = client.get(f"{API}{parcel.pk}/")
    if who == "enterprise":
        assert response.status_code == 403
        return
    visible = visible_project(who, target)
    assert response.status_code == (200 if visible else 404)
    listed = {row["id"] for row in client.get(API, {"page_size": 500}).json()["results"]}
    assert (parcel.pk in listed) == visible
    response = client.patch(
        f"{API}{parcel.pk}/", {"note": "改", "version": 1}, content_type="application/json"
    )
    own = own_district(who, target)
    may_edit = own and (who in EDITORS or (who == "park" and target == "in"))
    if who == "city":
        assert response.status_code == 403
    elif not visible:
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if may_edit else 403), response.content


ENTRY_API = "/api/v1/land-campaign-entries/"
# action -> who may take it beside seeing the entry (an empty body then answers 400)
ENTRY_ACTIONS = {
    "decide": CAMPAIGNERS,
    "rectified": CAMPAIGNERS,
    # 已退出 is a stage change too: the campaigners who also edit the project.
    "exit": CAMPAIGNERS & (EDITORS | {"manager", "officer"}),
}


def _api_expected(who: str, target: str, may: set) -> int:
    if who == "enterprise":
        return 403
    if not _visible_campaign(who, target) or not visible_project(who, target):
        return 404
    if who == "city" or not own_district(who, target) or who not in may:
        return 403
    return 400


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "out", "other"])
@pytest.mark.parametrize("action", ENTRY_ACTIONS)
def test_api_entry_actions_follow_the_same_rules(client_for, matrix_objects, who, target, action):
    entry = matrix_objects["entry"][target]
    before = entry.version
    response = client_for(who).post(
        f"{ENTRY_API}{entry.pk}/{action}/", {}, content_type="application/json"
    )
    assert response.status_code == _api_expected(who, target, ENTRY_ACTIONS[action]), (
        response.content
    )
    entry.refresh_from_db()
    assert entry.version == before


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", ["in", "other"])
def test_api_campaign_open_and_close_follow_the_same_rules(client_for, matrix_objects, who, target):
    campaign = matrix_objects["campaign"][target]
    client = client_for(who)
    response = client.post(
        f"/api/v1/land-campaigns/{campaign.pk}/close/", {}, content_type="application/json"
    )
    assert response.status_code == _api_expected(who, target, CAMPAIGNERS)  # undecided: 400
    response = client.post("/api/v1/land-campaigns/", {}, content_type="application/json")
    if who == "enterprise" or who == "city":
        assert response.status_code == 403
    else:
        assert response.status_code == (400 if who in CAMPAIGNERS else 403), response.content
