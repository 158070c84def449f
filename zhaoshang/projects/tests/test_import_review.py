"""Review fix: a project row naming its enterprise as the ledger spells it — half-width
brackets for the registry's full-width ones, a stray space — finds it (the lookup folds
both; the query that loaded the candidates compared the exact text)."""

from __future__ import annotations

import pytest

from zhaoshang.core.imports import Row
from zhaoshang.projects.imports import ProjectImporter
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_enterprise_by_a_name_spelled_otherwise(world):
    enterprise = world.enterprise2_a
    enterprise.name = "华科新材料（北京）有限公司"
    enterprise.save(update_fields=["name"])
    rows = [
        Row(
            number=2,
            raw={
                "name": "导入新材料项目",
                "enterprise": "华科新材料(北京) 有限公司",
                "park": world.park2_a.name,
                "total_investment": 12000,
            },
        )
    ]
    result = ProjectImporter(world.user_bureau, world.district_a).run_rows(rows)
    assert result.ok, result.problems
    assert Project.objects.get(name="导入新材料项目").enterprise == enterprise
