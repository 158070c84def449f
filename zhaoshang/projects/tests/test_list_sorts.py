"""The registry sorted by stage follows the stages' order (the order is computed only when
the list is sorted by it), and by the other keys as before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.projects.choices import EXIT_STAGES, STAGE_ORDER
from zhaoshang.projects.models import Project
from zhaoshang.testing.clients import SESSIONS, client_with_session

pytestmark = pytest.mark.django_db

RANK = {stage: i for i, stage in enumerate([*STAGE_ORDER, *EXIT_STAGES])}


def _codes(sort: str) -> list[str]:
    response = client_with_session(SESSIONS["bureau"]).get(reverse("projects:list"), {"sort": sort})
    assert response.status_code == 200
    return [p.code for p in response.context["page"]]


def test_sorted_by_stage_both_ways(world):
    stages = dict(Project.objects.values_list("code", "stage"))
    shown = _codes("stage")
    assert len({stages[c] for c in shown}) >= 2
    ranks = [RANK[stages[c]] for c in shown]
    assert ranks == sorted(ranks)
    ranks = [RANK[stages[c]] for c in _codes("-stage")]
    assert ranks == sorted(ranks, reverse=True)
    assert _codes("-investment")
