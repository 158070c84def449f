"""An enterprise's form names the credit code's problem with the other fields' at once
and writes nothing (issue 16, point 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhaoshang.enterprises import services
from zhaoshang.enterprises.models import Enterprise


def test_a_new_enterprise_names_every_bad_field(world):
    before = Enterprise.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.create_enterprise(
            world.user_bureau,
            world.district_a,
            {"name": "", "credit_code": "12345", "origin": "mars"},
        )
    errors = caught.value.message_dict
    assert {"name", "credit_code", "origin"} <= set(errors)
    assert len(errors["credit_code"]) == 1  # said once, by the credit-code check
    assert Enterprise.objects.count() == before


def test_an_edit_names_every_bad_field_and_keeps_the_enterprise(world):
    enterprise = world.enterprise1_a
    name, code = enterprise.name, enterprise.credit_code
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.update_enterprise(
            world.user_bureau,
            enterprise,
            {"name": "", "credit_code": world.enterprise2_a.credit_code},  # taken
            expected_version=enterprise.version,
        )
    errors = caught.value.message_dict
    assert {"name", "credit_code"} <= set(errors)
    assert world.enterprise2_a.name in errors["credit_code"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors["name"][0])  # in Chinese
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.credit_code, enterprise.version) == (name, code, 1)
