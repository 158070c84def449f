"""The land pages: filters and the Excel export of the parcels, the parcel page with its
idle-land clock and record, status changes from the page (409 for a stale form), the
annual land plan's figures, opening a campaign and deciding from its page; the API."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from zhaoshang.land.choices import ParcelStatus
from zhaoshang.land.models import LandParcel, LandPlan
from zhaoshang.land.tests.factories import make_campaign, make_parcel, make_supplied

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _rows(response) -> set[int]:
    return {p.pk for p in response.context["page"]}


def test_list_filters(client_for, world, parcels):
    client = client_for("bureau")
    assert _rows(client.get(reverse("land:parcels"))) == {parcels["in"].pk, parcels["out"].pk}
    assert _rows(client.get(reverse("land:parcels"), {"status": "reserve"})) == {parcels["out"].pk}
    assert _rows(client.get(reverse("land:parcels"), {"park": world.park1_a.pk})) == {
        parcels["in"].pk
    }
    assert _rows(client.get(reverse("land:parcels"), {"clock": "idle"})) == {parcels["in"].pk}
    assert _rows(client.get(reverse("land:parcels"), {"land_use": "warehousing"})) == set()
    assert _rows(client_for("park").get(reverse("land:parcels"))) == {parcels["in"].pk}


def test_export_content(client_for, world, parcels):
    from openpyxl import load_workbook

    response = client_for("bureau").get(
        reverse("land:export"), {"status": "supplied"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.values)
    header = rows[0]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["Parcel number"] == parcels["in"].code
    assert row["Status"] == "Supplied"
    assert row["Idle from"].date() == D(2026, 1, 10)
    assert row["Days to idle"] == -156
    assert row["Idle fee (10k yuan)"] == 600
    assert row["Recoverable from"].date() == D(2027, 1, 10)


def test_parcel_page_shows_the_clock_and_the_record(client_for, world, parcels):
    response = client_for("leader").get(
        reverse("land:parcel", args=[parcels["in"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-01-10" in html and "2027-01-10" in html
    assert "156 days over" in html and "209 days left" in html
    assert "Parcel recorded" in html
    assert response.context["status_form"] is None  # a leader reads


def test_status_change_from_the_page_and_a_stale_form(client_for, world, parcels):
    client = client_for("bureau")
    parcel = parcels["in"]
    url = reverse("land:parcel_status", args=[parcel.pk])
    response = client.post(url, {"status": "idle", "version": 1})
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.IDLE and parcel.version == 2
    response = client.post(
        url,
        {"status": "recovered", "version": 1, "on": "2026-06-01", "reason": "x", "document": "y"},
    )
    assert response.status_code == 409
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.IDLE
    response = client.post(url, {"status": "recovered", "version": 2})
    assert response.status_code == 400
    assert "reason" in response.context["status_form"].errors


def test_create_and_edit_from_the_pages(client_for, world):
    client = client_for("park")
    response = client.post(
        reverse("land:parcel_create"),
        {"code": "DK-P-1", "name": "园区地块", "park": world.park1_a.pk, "area": "50",
         "land_use": "industrial", "status": "reserve"},
    )  # fmt: skip
    assert response.status_code == 302
    parcel = LandParcel.objects.get(code="DK-P-1")
    edit = reverse("land:parcel_edit", args=[parcel.pk])
    form = client.get(edit).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["name"] = "改名地块"
    assert client.post(edit, data).status_code == 302
    assert client.post(edit, data).status_code == 409  # the same (stale) version again
    parcel.refresh_from_db()
    assert parcel.name == "改名地块" and parcel.version == 2


def test_land_plan_figures(client_for, world):
    LandPlan.objects.create(
        district=world.district_a, year=2026, quota=Decimal("1000"), major_reserve=Decimal("400")
    )
    make_supplied(world, area=Decimal("200"))  # project1_a is a major project, 2026-04-01
    make_supplied(world, project=world.project2_a, area=Decimal("50"), delivered_on=D(2026, 2, 1))
    make_supplied(world, area=Decimal("70"), delivered_on=D(2025, 12, 31))  # last year
    make_parcel(world, status=ParcelStatus.RESERVED, project=world.project1_a, area=Decimal("30"))
    make_supplied(world, "b", area=Decimal("999"))
    response = client_for("leader").get(reverse("land:plan"), {"year": 2026})
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["supplied"] == Decimal("250") and row["supplied_major"] == Decimal("200")
    assert row["remaining"] == Decimal("750") and row["major_remaining"] == Decimal("200")
    assert row["other_remaining"] == Decimal("550")
    assert row["reserved_major"] == Decimal("30")
    city = client_for("city").get(reverse("land:plan"), {"year": 2026}).context["rows"]
    assert len(city) >= 2


def test_open_a_campaign_and_decide_from_its_page(client_for, world):
    client = client_for("supervisor")
    response = client.post(
        reverse("land:campaign_open"),
        {"year": 2026, "half": "H1", "delivered_months": 3, "signed_months": 3,
         "production_years": 2},
    )  # fmt: skip
    assert response.status_code == 302
    from zhaoshang.land.models import LandCampaign

    campaign = LandCampaign.objects.get(district=world.district_a, year=2026, half="H1")
    entry = campaign.entries.get(project=world.project1_a)
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200 and f'id="entry-{entry.pk}"' in page.content.decode()
    decide = reverse("land:entry_decide", args=[entry.pk])
    response = client.post(decide, {"decision": "rectify", "reason": "限期开工", "version": 1})
    assert response.status_code == 400
    assert "deadline" in response.context["groups"][1][2][0][1].errors
    response = client.post(
        decide,
        {"decision": "rectify", "reason": "限期开工", "deadline": "2026-09-30", "version": 1},
    )
    assert response.status_code == 302
    response = client.post(reverse("land:campaign_close", args=[campaign.pk]), {"version": 1})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "closed"


def test_api_create_update_status_and_errors(client_for, world):
    client = client_for("bureau")
    api = "/api/v1/land-parcels/"
    response = client.post(
        api,
        {"code": "DK-API-1", "name": "接口地块", "park": world.park1_a.pk, "area": "10",
         "land_use": "industrial"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reserve" and body["version"] == 1 and body["clock"] == ""
    pk = body["id"]
    response = client.post(
        api, {"code": "DK-API-1", "name": "x", "park": world.park1_a.pk, "area": "0",
              "land_use": "industrial"}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert set(response.json()) == {"code", "area"}
    response = client.patch(
        f"{api}{pk}/", {"name": "改", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.patch(
        f"{api}{pk}/", {"name": "旧", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    response = client.put(
        f"{api}{pk}/",
        {"code": "DK-API-1", "name": "x", "park": world.park1_a.pk, "area": "10",
         "land_use": "industrial"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "version" in response.json()
    response = client.post(
        f"{api}{pk}/status/",
        {"status": "supplied", "project": world.project1_a.pk, "on": "2026-05-01", "version": 2},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "supplied"
    response = client.get(api, {"status": "supplied", "park": world.park1_a.pk})
    assert response.json()["count"] == 1
    response = client.post(
        f"{api}{pk}/status/", {"status": "reserve"}, content_type="application/json"
    )
    assert response.status_code == 400 and "status" in response.json()
    assert client_for("city").get(api).status_code == 200
    assert client_for("city").post(api, {}, content_type="application/json").status_code == 403
    assert client_for("leader").post(api, {}, content_type="application/json").status_code == 403


def test_campaign_api_is_scoped(client_for, world):
    make_campaign(world, signed_months=3)
    make_campaign(world, "b", signed_months=3)
    body = client_for("bureau").get("/api/v1/land-campaigns/").json()
    assert body["count"] == 1
    (campaign,) = body["results"]
    assert campaign["entry_count"] >= 1 and campaign["entries"][0]["category"] == "signed"
    assert client_for("city").get("/api/v1/land-campaigns/").json()["count"] == 2
    response = client_for("bureau").post(
        "/api/v1/land-campaigns/", {}, content_type="application/json"
    )
    assert response.status_code == 400 and {"year", "half"} <= set(response.json())


def test_admin_pages_and_the_threshold_form(client, world):
    from zhaoshang.exits.models import LandThreshold

    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    names = ("landparcel", "landplan", "landcampaign", "campaignentry")
    for name in (*names, "cleanuplead"):
        assert client.get(reverse(f"admin:land_{name}_changelist")).status_code == 200, name
    # The thresholds are the district's one table, kept with the exit rules (which read it).
    assert client.get(reverse("admin:exits_landthreshold_changelist")).status_code == 200
    assert client.get(reverse("admin:exits_landthreshold_add")).status_code == 200
    LandThreshold.objects.create(district=world.district_a, park=world.park1_a)
    response = client.post(
        reverse("admin:exits_landthreshold_add"),
        {"park": world.park1_a.pk, "min_intensity": "100"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the error
    assert "already has thresholds for this park" in response.content.decode()
    assert LandThreshold.objects.filter(district=world.district_a).count() == 1
    response = client.post(
        reverse("admin:land_landplan_add"),
        {"year": 2026, "quota": "100", "major_reserve": "200"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The reserve cannot exceed the quota." in response.content.decode()
