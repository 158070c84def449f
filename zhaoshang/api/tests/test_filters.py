"""Filtering, search (with pinyin initials) and ordering of the lists."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import make_record, url


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"stage": "signed"}, {"project1_a"}),
        ({"stage": ["signed", "lead"]}, {"project1_a", "project2_a"}),
        ({"level": "major"}, {"project1_a"}),
        ({"kind": "investment"}, {"project1_a", "project2_a"}),
        ({"kind": "infrastructure"}, set()),
        ({"condition": "normal"}, {"project1_a", "project2_a"}),
        ({"is_green_channel": "false"}, {"project1_a", "project2_a"}),
        ({"is_green_channel": "true"}, set()),
        ({"park": "park1_a"}, {"project1_a"}),
        ({"park": "park2_a"}, {"project2_a"}),
        ({"industry": "industry_a"}, {"project1_a", "project2_a"}),
        ({"industry": "industry2_a"}, set()),
        ({"enterprise": "enterprise2_a"}, {"project2_a"}),
        ({"working_group": "group_a"}, {"project1_a"}),
        ({"q": "电池"}, {"project1_a"}),  # name
        ({"q": "hxxny"}, {"project1_a"}),  # pinyin initials of 华鑫新能源…
        ({"q": "HXXNY"}, {"project1_a"}),
        ({"q": "shuwei"}, {"project2_a"}),  # full pinyin of 蜀味…
        ({"q": "蜀味食品有限公司"}, {"project2_a"}),  # enterprise name
        ({"q": "zzzzzz"}, set()),
    ],
)
def test_project_filters(world, api_for, params, names):
    resolved = {}
    for key, value in params.items():
        if key in ("park", "industry", "enterprise", "working_group"):
            value = getattr(world, value).pk
        resolved[key] = value
    response = api_for("bureau").get(url("projects"), resolved)
    assert ids(response) == {getattr(world, name).pk for name in names}


def test_search_by_project_code(world, api_for):
    response = api_for("bureau").get(url("projects"), {"q": world.project2_a.code})
    assert ids(response) == {world.project2_a.pk}


def test_search_by_credit_code(world, api_for):
    response = api_for("bureau").get(url("projects"), {"q": world.enterprise1_a.credit_code})
    assert ids(response) == {world.project1_a.pk}


def test_filters_stay_inside_the_scope(world, api_for):
    """The city user filters across districts; a park user's filter never widens the scope."""
    response = api_for("city").get(url("projects"), {"stage": "signed"})
    assert ids(response) == {world.project1_a.pk, world.project1_b.pk}
    response = api_for("park").get(url("projects"), {"stage": "lead"})
    assert ids(response) == set()


def test_ordering(world, api_for):
    api = api_for("bureau")
    rows = api.get(url("projects"), {"ordering": "total_investment"}).json()["results"]
    assert [r["id"] for r in rows] == [world.project2_a.pk, world.project1_a.pk]
    rows = api.get(url("projects"), {"ordering": "-total_investment"}).json()["results"]
    assert [r["id"] for r in rows] == [world.project1_a.pk, world.project2_a.pk]


def test_enterprise_search_and_filter(world, api_for):
    api = api_for("bureau")
    assert ids(api.get(url("enterprises"), {"q": "蜀味"})) == {world.enterprise2_a.pk}
    code = world.enterprise1_a.credit_code
    assert ids(api.get(url("enterprises"), {"q": code.lower()})) == {world.enterprise1_a.pk}
    assert ids(api.get(url("enterprises"), {"origin": "local"})) == {world.enterprise2_a.pk}


def test_reference_filters(world, api_for):
    api = api_for("bureau")
    assert ids(api.get(url("departments"), {"kind": "supervision"})) == {
        world.dept_supervision_a.pk
    }
    assert ids(api.get(url("departments"), {"q": "建设"})) == {world.dept_works_a.pk}
    assert ids(api.get(url("industries"), {"category": "emerging"})) == {world.industry2_a.pk}
    other_zone = make_record(world, "parks", "a").zone
    assert ids(api.get(url("parks"), {"zone": other_zone.pk, "q": "装备"})) == {world.park1_a.pk}
