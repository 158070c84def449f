"""The big screen's figures (驾驶舱, issue 18 point 4) against records written for the test:
the funnel by stage, the year's targets against their progress, the red list and this
week's changes (its seven-day window); what each viewer sees (a district's user never sees
another district, the city sees every one); bad input names its field. Time is frozen on
Monday 2026-06-15 10:00."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from zhaoshang.dashboard.screen import ScreenForm
from zhaoshang.dashboard.tests.screen_records import (
    D,
    funds,
    moment,
    red_signal,
    snapshot,
    stage_event,
    target,
)
from zhaoshang.projects.choices import Stage
from zhaoshang.testing.factories.org import UserFactory
from zhaoshang.testing.factories.projects import ProjectFactory


@pytest.fixture(autouse=True)
def _chinese():
    """The pages answer in the default language: labels are compared in it."""
    with translation.override("zh-hans"):
        yield


def label(stage) -> str:
    return str(Stage(stage).label)


def _data(client, query: str = "") -> dict:
    response = client.get(reverse("screen_data") + query)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def _project(world, tag="a", **extra):
    data = {
        "district": getattr(world, f"district_{tag}"),
        "enterprise": getattr(world, f"enterprise1_{tag}"),
        "industry": getattr(world, f"industry_{tag}"),
        "park": getattr(world, f"park1_{tag}"),
        "stage_changes": False,
    }
    data.update(extra)
    return ProjectFactory(**data)


def test_the_funnel_counts_and_sums_each_stage(client_for, world):
    _project(world, stage=Stage.NEGOTIATING, total_investment=Decimal("1000"))
    _project(world, stage=Stage.NEGOTIATING, total_investment=Decimal("2000"))
    _project(world, tag="b", stage=Stage.NEGOTIATING, total_investment=Decimal("9000"))
    rows = {r["stage"]: r for r in _data(client_for("bureau"))["funnel"]["rows"]}
    # The world's district a: project1_a signed (5亿), project2_a a lead (0.8亿).
    assert (rows[label("lead")]["count"], rows[label("lead")]["amount"]) == (1, "0.8")
    negotiating = rows[label("negotiating")]
    assert (negotiating["count"], negotiating["amount"]) == (2, "0.3")
    assert (rows[label("signed")]["count"], rows[label("signed")]["amount"]) == (1, "5")
    assert rows[label("started")]["count"] == 0
    data = _data(client_for("bureau"))
    funnel = data["funnel"]["option"]["series"][0]["data"]
    # The funnel's width: the projects at the stage or further on.
    assert [d["value"] for d in funnel][:5] == [4, 3, 1, 1, 0]
    assert [r["reached"] for r in data["funnel"]["rows"]][:5] == [4, 3, 1, 1, 0]
    assert funnel[1]["name"] == label("negotiating")
    text = funnel[1]["label"]["formatter"]
    assert text.startswith(label("negotiating")) and "2" in text and "0.3" in text
    assert "3" in text  # reached
    # Each stage opens the registry on it.
    assert funnel[1]["url"] == reverse("projects:list") + "?stage=negotiating"
    city = {r["stage"]: r for r in _data(client_for("city"))["funnel"]["rows"]}
    negotiating = city[label("negotiating")]
    assert (negotiating["count"], negotiating["amount"]) == (3, "1.2")


def test_the_targets_progress(client_for, world):
    target(world.district_a, signed_investment=Decimal("200000"), funds_in_place=Decimal("40000"))
    # Signed in 2026: project1_a (5亿) and a 15亿 project (tier 3: at least 10亿).
    _project(world, stage=Stage.SIGNED, total_investment=Decimal("150000"), signed_on=D(2026, 4, 1))
    _project(world, stage=Stage.SIGNED, total_investment=Decimal("7000"), signed_on=D(2025, 4, 1))
    funds(world, world.project1_a, 10000, D(2026, 5, 1))
    funds(world, world.project1_a, 5000, D(2025, 12, 1))  # last year's: not counted
    funds(world, world.project1_a, 3000, D(2026, 7, 1))  # after today: not yet
    data = _data(client_for("leader"))
    rows = data["targets"]["rows"]
    assert [(r["done"], r["target"], r["percent"]) for r in rows] == [
        ("20", "20", 100.0),  # signed investment (亿元)
        ("1", "4", 25.0),  # funds in place
        ("0", "3", 0.0),  # tier 1
        ("0", "6", 0.0),  # tier 2
        ("1", "9", 11.1),  # tier 3
    ]
    assert data["targets"]["elapsed"] == 45.5  # day 166 of 365
    bars = data["targets"]["option"]["series"][0]["data"]
    assert [b["itemStyle"]["color"] for b in bars[:2]] == ["#198754", "#dc3545"]  # ahead, behind
    # Another district's target is not the district's; the city reads each district's.
    target(world.district_b, signed_investment=Decimal("100000"), funds_in_place=Decimal("10000"))
    city = _data(client_for("city"))["targets"]["rows"]
    assert [(r["name"], r["signed_percent"]) for r in city] == [
        (world.district_a.name, 100.0),
        (world.district_b.name, 50.0),  # project1_b: 5亿 of 10亿
    ]


def test_the_targets_panel_without_a_target(client_for, world):
    data = _data(client_for("bureau"))
    assert data["targets"]["option"] is None
    html = client_for("bureau").get(reverse("screen")).content.decode()
    assert '<p class="zs-empty" data-empty="targets">' in html  # shown
    assert 'data-source="screen-targets-option"' not in html


def test_the_red_list(client_for, world):
    red_signal(world.project1_a, "施工许可审批超期", D(2026, 6, 1))
    red_signal(world.project1_a, "月报未报", D(2026, 6, 10))
    red_signal(world.project2_a, "土地交付临期", D(2026, 6, 12), light="yellow")
    red_signal(world.project1_b, "乙区超期", D(2026, 6, 5))
    ended = _project(world, stage=Stage.TERMINATED)
    red_signal(ended, "已终止项目的旧信号", D(2026, 6, 1))
    red = _data(client_for("bureau"))["redList"]
    assert red["total"] == 1
    (item,) = red["items"]
    assert item["id"] == world.project1_a.pk
    assert item["reasons"] == ["施工许可审批超期", "月报未报"]
    assert "14" in item["days"]  # red since 1 June
    assert item["url"] == reverse("projects:detail", args=[world.project1_a.pk])
    html = client_for("bureau").get(reverse("screen")).content.decode()
    assert "施工许可审批超期" in html and "乙区超期" not in html
    city = _data(client_for("city"))["redList"]
    # Longest red first.
    assert [i["id"] for i in city["items"]] == [world.project1_a.pk, world.project1_b.pk]
    assert _data(client_for("bureau"))["tiles"][-1]["value"] == 1


def test_the_red_list_of_the_park_committee(client_for, world):
    red_signal(world.project1_a, "园区一超期", D(2026, 6, 1))
    red_signal(world.project2_a, "园区二超期", D(2026, 6, 1))  # park 2: not the committee's
    items = _data(client_for("park"))["redList"]["items"]
    assert [i["id"] for i in items] == [world.project1_a.pk]


def test_this_weeks_changes_window(client_for, world):
    p1, p2 = world.project1_a, world.project2_a
    stage_event(world, p1, Stage.PREREVIEW, Stage.SIGNED, moment(D(2026, 6, 9), 0))  # first day
    stage_event(world, p2, Stage.LEAD, Stage.NEGOTIATING, moment(D(2026, 6, 15), 9))
    stage_event(world, p2, Stage.LEAD, Stage.NEGOTIATING, moment(D(2026, 6, 8), 23))  # too old
    stage_event(world, world.project1_b, Stage.LEAD, Stage.SIGNED, moment(D(2026, 6, 12)))
    reason = {"title": "审批超期", "department": "区建设局", "due_on": "2026-06-09"}
    snapshot(p1, D(2026, 6, 10), "red", [reason])  # green (never lit) → red
    snapshot(p1, D(2026, 6, 11), "red", ["审批超期", "月报未报"])  # still red: no change
    snapshot(p2, D(2026, 6, 1), "red", ["超期"])
    snapshot(p2, D(2026, 6, 14), "green")  # red → green
    snapshot(p2, D(2026, 6, 8), "yellow")  # before the window
    changes = _data(client_for("bureau"))["changes"]
    assert changes["since"] == "2026-06-09"
    assert [(i["kind"], i["project"]) for i in changes["items"]] == [
        ("stage", p2.name),
        ("green", p2.name),
        ("red", p1.name),
        ("signed", p1.name),
    ]
    assert changes["items"][0]["text"] == f"{label('lead')} → {label('negotiating')}"
    assert changes["items"][2]["text"] == "审批超期 · 区建设局"
    assert {c["key"]: c["value"] for c in changes["counts"]} == {
        "signed": 1,
        "stage": 2,
        "red": 1,
        "green": 1,
    }
    city = _data(client_for("city"))["changes"]
    assert {c["key"]: c["value"] for c in city["counts"]}["signed"] == 2


def test_a_district_user_never_sees_another_district(client_for, world):
    red_signal(world.project1_b, "乙区超期", D(2026, 6, 5))
    stage_event(world, world.project1_b, Stage.LEAD, Stage.SIGNED, moment(D(2026, 6, 12)))
    for query in ("", f"?district={world.district_b.pk}"):
        data = _data(client_for("bureau"), query)
        assert data["district"] == world.district_a.pk
        assert data["title"] == world.district_a.name
        assert data["redList"]["items"] == [] and data["changes"]["items"] == []
        assert {p["name"] for p in data["map"]["parks"]} == {
            world.park1_a.name,
            world.park2_a.name,
        }
        assert sum(r["count"] for r in data["funnel"]["rows"]) == 2
        page = client_for("bureau").get(reverse("screen") + query)
        assert page.status_code == 200
        assert "乙区超期" not in page.content.decode()


def test_the_city_sees_every_district(client_for, world):
    data = _data(client_for("city"))
    assert data["city"] is True and data["map"] is None
    assert [r["name"] for r in data["districts"]["rows"]] == [
        world.district_a.name,
        world.district_b.name,
    ]
    assert [r["projects"] for r in data["districts"]["rows"]] == [2, 2]
    assert {c["key"] for c in data["districts"]["charts"]} == {"projects", "signed", "funds", "red"}
    one = _data(client_for("city"), f"?district={world.district_b.pk}")
    assert one["city"] is False and one["title"] == world.district_b.name
    assert sum(r["count"] for r in one["funnel"]["rows"]) == 2
    assert one["map"] is not None and one["districts"] is None
    html = client_for("city").get(reverse("screen")).content.decode()
    assert f'href="/screen/?district={world.district_b.pk}"' in html


def test_a_bad_district_names_the_field(client_for, world):
    page = client_for("city").get(reverse("screen") + "?district=abc")
    assert page.status_code == 400
    field = str(ScreenForm.base_fields["district"].label)
    assert f"{field}：" in page.content.decode()
    data = client_for("city").get(reverse("screen_data") + "?district=999999")
    assert data.status_code == 400
    assert data.json()["errors"][0].startswith(f"{field}：")


def test_a_user_without_a_district_is_refused(client, world):
    user = UserFactory(district=None)
    user.groups.add(Group.objects.get(name="department"))
    client.force_login(user)
    assert client.get(reverse("screen")).status_code == 403
    assert client.get(reverse("screen_data")).status_code == 403


def test_the_page_reads_without_javascript(client_for, world):
    red_signal(world.project1_a, "施工许可审批超期", D(2026, 6, 1))
    html = client_for("leader").get(reverse("screen")).content.decode()
    for testid in ("funnel-table", "red-list", "changes", "tiles", "panel-map"):
        assert f'data-testid="{testid}"' in html
    assert 'data-url="/screen/data/"' in html
    assert 'data-interval="60"' in html


def test_the_map_page_links_to_the_screen(client_for, world):
    html = client_for("bureau").get(reverse("monitoring:map")).content.decode()
    assert 'href="/screen/" data-testid="map-screen-link"' in html
    query = f"?district={world.district_b.pk}"
    html = client_for("city").get(reverse("monitoring:map") + query).content.decode()
    assert f'href="/screen/{query}" data-testid="map-screen-link"' in html
