from __future__ import annotations

import datetime

import pytest

from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.org.models import User


@pytest.fixture
def catalogue(world) -> dict[str, ApprovalItem]:
    return {item.code: item for item in seed_catalogue(world.district_a)}


@pytest.fixture
def handler_for(world, catalogue):
    """handler_for(item) → a department handler of the item's department."""
    from django.contrib.auth.models import Group

    made: dict[int, User] = {}

    def make(item_or_department):
        department = getattr(item_or_department, "department", item_or_department)
        if department.pk not in made:
            user = User.objects.create(
                username=f"handler{department.pk}",
                district=world.district_a,
                department=department,
                rank="general",
                real_name=f"{department.short_name}经办人",
            )
            user.groups.add(Group.objects.get(name="department"))
            made[department.pk] = user
        return made[department.pk]

    return make


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
