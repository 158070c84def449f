"""Enterprises with valid unified social credit codes."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from zhaoshang.testing.factories.org import DistrictFactory


def _credit_code(n: int) -> str:
    from zhaoshang.enterprises.creditcode import make_credit_code

    return make_credit_code(f"91510100MA{n:07d}")


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = "enterprises.Enterprise"

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试科技有限公司{n}")
    credit_code = factory.Sequence(_credit_code)
    origin = "local"
