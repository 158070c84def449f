"""Second-round service records (二次招商服务): the three kinds, for a project or an
enterprise alone, recorded by the team or the bureau."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhaoshang.core.models import DomainEvent
from zhaoshang.service import services
from zhaoshang.service.choices import SecondRoundKind
from zhaoshang.service.models import SecondRoundService
from zhaoshang.service.tests.conftest import day


def _record(user, **overrides):
    data = {
        "kind": SecondRoundKind.PARTNER,
        "occurred_on": day("2026-06-10"),
        "counterparty": "宁德某电池材料有限公司",
        "description": "引荐正极材料配套企业来区考察",
        "outcome": "已达成初步意向",
    }
    data.update(overrides)
    return services.record_second_round(user, **data)


def test_the_team_records_for_its_project(world):
    record = _record(world.user_officer, project=world.project1_a)
    assert record.enterprise == world.project1_a.enterprise
    assert record.district == world.district_a
    assert DomainEvent.objects.for_object(record).get().verb == "second_round.recorded"


def test_funds_matched_need_the_amount(world):
    with pytest.raises(ValidationError) as caught:
        _record(world.user_secretary, project=world.project1_a, kind=SecondRoundKind.FINANCING)
    assert "amount" in caught.value.error_dict
    record = _record(
        world.user_secretary,
        project=world.project1_a,
        kind=SecondRoundKind.FINANCING,
        amount=Decimal("3000"),
        counterparty="区农商银行",
    )
    assert record.amount == Decimal("3000")


def test_an_enterprise_alone_is_for_the_bureau(world):
    record = _record(
        world.user_bureau, enterprise=world.enterprise2_a, kind=SecondRoundKind.UPGRADE
    )
    assert record.project is None
    with pytest.raises(PermissionDenied):
        _record(world.user_secretary_b, enterprise=world.enterprise2_a)
    with pytest.raises(PermissionDenied):
        _record(world.user_officer, enterprise=world.enterprise2_a)


@pytest.mark.parametrize("who", ["outsider", "leader", "city", "park"])
def test_others_do_not_record(world, who):
    with pytest.raises(PermissionDenied):
        _record(getattr(world, f"user_{who}"), project=world.project1_a)
    assert not SecondRoundService.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"project": None}, "project"),
        ({"enterprise": "other"}, "enterprise"),
        ({"kind": "gift"}, "kind"),
        ({"occurred_on": day("2026-06-16")}, "occurred_on"),
        ({"counterparty": ""}, "counterparty"),
        ({"description": ""}, "description"),
        ({"amount": Decimal("-1")}, "amount"),
    ],
)
def test_bad_records_are_refused_naming_the_field(world, overrides, field):
    data = {"project": world.project1_a, **overrides}
    if data.get("enterprise") == "other":
        data["enterprise"] = world.enterprise2_a
    with pytest.raises(ValidationError) as caught:
        _record(world.user_secretary, **data)
    assert field in caught.value.error_dict
