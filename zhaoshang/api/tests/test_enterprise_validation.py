"""Enterprise input: the GB 32100 credit code is checked and unique in the district."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import credit_code, url
from zhaoshang.enterprises.models import Enterprise


def _payload(code: str) -> dict:
    return {"name": "新企业有限公司", "credit_code": code, "origin": "local"}


@pytest.mark.parametrize(
    "code",
    [
        credit_code(7)[:-1] + ("0" if credit_code(7)[-1] != "0" else "1"),  # wrong check char
        "91510100MA6ABC12",  # too short
        "91510100MA6ABC12IO",  # I and O never appear
        "",
    ],
)
def test_bad_credit_code_is_400(world, api_for, code):
    response = api_for("bureau").post(url("enterprises"), _payload(code))
    assert response.status_code == 400
    assert list(response.json()) == ["credit_code"]
    assert isinstance(response.json()["credit_code"], list)
    assert not Enterprise.objects.filter(name="新企业有限公司").exists()


def test_credit_code_is_normalised(world, api_for):
    code = credit_code(8)
    spaced = f" {code[:6].lower()} {code[6:]} "
    response = api_for("bureau").post(url("enterprises"), _payload(spaced))
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == code


def test_duplicate_credit_code_in_district_is_400(world, api_for):
    response = api_for("bureau").post(url("enterprises"), _payload(world.enterprise1_a.credit_code))
    assert response.status_code == 400
    assert list(response.json()) == ["credit_code"]


def test_unknown_origin_is_400(world, api_for):
    payload = {**_payload(credit_code(9)), "origin": "mars"}
    response = api_for("bureau").post(url("enterprises"), payload)
    assert response.status_code == 400
    assert list(response.json()) == ["origin"]
