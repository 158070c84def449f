"""The land pages that record a parcel, open a campaign or generate its entries answer
through the shared page machinery: 400 with every field's error at once (in Chinese under
zh-hans) and nothing written, a refusal of the service said on the page."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.land.choices import CampaignStatus
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel
from zhaoshang.land.tests.factories import make_campaign

REQUIRED_ZH = "该字段是必填项。"  # the pages speak zh-hans unless asked otherwise


def _field_errors(html: str, names) -> None:
    for name in names:
        assert f'data-field="{name}"' in html, name


def test_an_empty_parcel_form_is_400_with_every_field_named(client_for, world):
    response = client_for("park").post(reverse("land:parcel_create"), {"area": "x"})
    assert response.status_code == 400
    form = response.context["form"]
    assert {"code", "name", "park", "area", "land_use"} <= set(form.errors)
    html = response.content.decode()
    _field_errors(html, ("code", "name", "park", "area", "land_use"))
    assert REQUIRED_ZH in html
    assert not LandParcel.objects.exists()


def test_a_parcel_refused_by_the_service_keeps_the_input(client_for, world):
    client = client_for("park")
    data = {"code": "DK-P-1", "name": "园区地块", "park": world.park1_a.pk, "area": "50",
            "land_use": "industrial", "status": "reserve"}  # fmt: skip
    assert client.post(reverse("land:parcel_create"), data).status_code == 302
    again = client.post(reverse("land:parcel_create"), {**data, "name": "另一块"})
    assert again.status_code == 400
    assert "code" in again.context["form"].errors
    assert 'value="另一块"' in again.content.decode()
    assert LandParcel.objects.count() == 1


def test_an_empty_campaign_form_is_400_with_every_field_named(client_for, world):
    response = client_for("supervisor").post(reverse("land:campaign_open"), {"signed_months": "x"})
    assert response.status_code == 400
    form = response.context["form"]
    # The months of 圈而不建 and 建而不产 are the exit rules': not on the form.
    assert "delivered_months" not in form.fields and "production_months" not in form.fields
    expected = {"year", "half", "signed_months"}
    assert expected <= set(form.errors)
    _field_errors(response.content.decode(), expected)
    assert not LandCampaign.objects.exists()


def test_generating_the_entries_of_a_closed_campaign_is_400_and_adds_nothing(client_for, world):
    campaign = make_campaign(world, signed_months=3)
    campaign.status = CampaignStatus.CLOSED  # closed meanwhile, the page still open
    campaign.save()
    client = client_for("supervisor")
    count = CampaignEntry.objects.filter(campaign=campaign).count()
    response = client.post(
        reverse("land:campaign_generate", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "The campaign is closed" in response.content.decode()
    assert CampaignEntry.objects.filter(campaign=campaign).count() == count


def test_generating_the_entries_of_an_open_campaign_redirects(client_for, world):
    campaign = make_campaign(world, signed_months=3)
    response = client_for("supervisor").post(reverse("land:campaign_generate", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
