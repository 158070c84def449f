"""Districts, their departments, zones, parks, industries and people."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = "org.District"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"district{n}")
    name = factory.Sequence(lambda n: f"测试{n}区")
    city = "测试市"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = "org.Department"

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"区测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试局{n}")


class ZoneFactory(DjangoModelFactory):
    class Meta:
        model = "org.Zone"

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"ZT{n}")
    name = factory.Sequence(lambda n: f"测试集中发展区{n}")
    area_km2 = Decimal("10")


class ParkFactory(DjangoModelFactory):
    class Meta:
        model = "org.Park"

    district = factory.SubFactory(DistrictFactory)
    zone = factory.SubFactory(ZoneFactory, district=factory.SelfAttribute("..district"))
    code = factory.Sequence(lambda n: f"PT{n}")
    name = factory.Sequence(lambda n: f"测试产业园{n}")
    area_km2 = Decimal("3")


class IndustryFactory(DjangoModelFactory):
    class Meta:
        model = "org.Industry"

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试产业{n}")
    category = "leading"


class UserFactory(DjangoModelFactory):
    """A user of a district; ``roles=["bureau"]`` puts them in the role groups."""

    class Meta:
        model = "org.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    district = factory.SubFactory(DistrictFactory)
    password = factory.django.Password("Test@2026pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(*Group.objects.filter(name__in=extracted))
