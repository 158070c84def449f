"""Each role's home opens on what that person must do today; every count links to the list
showing exactly those rows (the count and the list agree), and a leader reads a receipt
(圈阅) in one click."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from zhaoshang.dashboard.tests.records import make_receipt

TILE = re.compile(r'class="zs-tile[^"]*" href="([^"]+)" data-count="(\d+)"')


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _sections(html: str) -> set[str]:
    return set(re.findall(r'data-home-section="([a-z_]+)"', html))


def _list_count(client, url: str) -> int:
    """The rows a list shows for the tile's link (its paginator's count, in the context)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    for key in ("count", "page"):
        if key in context:
            value = context[key]
            return value if isinstance(value, int) else value.paginator.count
    raise AssertionError(f"no count in {url}")


@pytest.mark.parametrize(
    ("who", "sections"),
    [
        ("department", {"department"}),
        ("supervisor", {"supervisor"}),
        ("leader", {"leader"}),
        ("park", {"park"}),
        ("bureau", {"bureau"}),
        ("city", {"city"}),
        ("manager", {"leader", "team"}),
        ("secretary", {"bureau", "team"}),  # the world's secretary works at the bureau
    ],
)
def test_each_role_sees_its_sections_and_each_count_is_its_lists(client_for, who, sections):
    client = client_for(who)
    html = client.get(reverse("home")).content.decode()
    assert _sections(html) == sections
    tiles = TILE.findall(html)
    assert bool(tiles) == bool(sections - {"city"})
    for url, count in tiles:
        url = url.replace("&amp;", "&")
        assert _list_count(client, url) == int(count), url


def test_a_person_with_several_roles_sees_the_sections_of_each(client_for, world):
    from django.contrib.auth.models import Group

    world.user_supervisor.groups.add(Group.objects.get(name="leader"))
    html = client_for("supervisor").get(reverse("home")).content.decode()
    assert _sections(html) == {"leader", "supervisor"}


def test_the_counts_follow_the_records(client_for, world):
    from zhaoshang.approvals.choices import CaseStatus
    from zhaoshang.approvals.models import ApprovalCase

    client = client_for("department")
    url = reverse("approvals:worklist") + "?status=pending"

    def tile():
        html = client.get(reverse("home")).content.decode()
        return dict(TILE.findall(html))[url.replace("&", "&amp;")]

    ApprovalCase.objects.filter(pk=world.case_a.pk).update(status=CaseStatus.IN_PROGRESS)
    before = int(tile())
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(status=CaseStatus.PENDING)
    # case_a is held by the world's department handler: the tile must count it.
    assert ApprovalCase.objects.get(pk=world.case_a.pk).department_id == (
        world.user_department.department_id
    )
    assert int(tile()) == before + 1 == _list_count(client, url)


def _receipt_for(world, addressee):
    return make_receipt(world, addressee)


def test_a_leader_reads_a_receipt_in_one_click(client_for, world):
    from zhaoshang.service.models import Receipt

    receipt = _receipt_for(world, world.user_leader)
    client = client_for("leader")
    html = client.get(reverse("home")).content.decode()
    ack = reverse("home_acknowledge", args=[receipt.pk])
    assert ack in html
    response = client.post(ack)
    assert response.status_code == 302
    assert Receipt.objects.get(pk=receipt.pk).read_at is not None
    assert ack not in client.get(reverse("home")).content.decode()


def test_only_the_addressee_reads_a_receipt(client_for, world):
    from zhaoshang.service.models import Receipt

    receipt = _receipt_for(world, world.user_leader)
    response = client_for("manager").post(reverse("home_acknowledge", args=[receipt.pk]))
    assert response.status_code == 403
    assert Receipt.objects.get(pk=receipt.pk).read_at is None
    assert (
        client_for("leader").get(reverse("home_acknowledge", args=[receipt.pk])).status_code == 405
    )


def test_a_secretary_sees_the_monthly_report_missing_and_the_next_milestone(client_for, world):
    from zhaoshang.projects.choices import Stage
    from zhaoshang.projects.models import MonthlyReport, Project

    Project.objects.filter(pk=world.project1_a.pk).update(stage=Stage.STARTED)
    MonthlyReport.objects.filter(project=world.project1_a).delete()
    html = client_for("secretary").get(reverse("home")).content.decode()
    row = html.split(f'data-team-project="{world.project1_a.pk}"')[1].split("</li>")[0]
    assert "data-report-missing" in row
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        missing = translation.gettext("Monthly report for %(month)s not filed")
    assert missing % {"month": "2026-05"} in row
    assert reverse("projects:progress", args=[world.project1_a.pk]) in row


def test_the_supervision_office_does_not_open_on_an_empty_my_projects(client_for):
    html = client_for("supervisor").get(reverse("home")).content.decode()
    assert "You serve no project yet" not in html
    assert 'data-home-section="supervisor"' in html


def _chart_option(html: str, key: str) -> dict:
    found = re.search(
        rf'<script id="chart-{key}-option" type="application/json">(.*?)</script>', html
    )
    assert found, key
    return json.loads(found.group(1))


def test_the_bureau_reads_the_registrys_funnel_and_this_months_moves(client_for, world):
    from zhaoshang.projects.choices import STAGE_ORDER, Stage
    from zhaoshang.projects.models import StageEvent

    StageEvent.objects.create(
        project=world.project2_a,
        from_stage=Stage.LEAD,
        to_stage=Stage.NEGOTIATING,
        occurred_on=datetime.date(2026, 6, 3),
        recorded_by=world.user_bureau,
    )
    client = client_for("bureau")
    html = client.get(reverse("home")).content.decode()
    option = _chart_option(html, "home-funnel")
    data = option["series"][0]["data"]
    assert [d["url"] for d in data] == [
        reverse("projects:list") + f"?stage={stage}" for stage in STAGE_ORDER
    ]
    # Each stage's own count (its label's first line) is the registry's rows behind its link:
    # project2_a a lead, project1_a signed.
    counts = [_list_count(client, item["url"]) for item in data]
    assert counts == [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    for item, n in zip(data, counts, strict=True):
        first, second = item["label"]["formatter"].split("\n")
        assert first.startswith(item["name"]) and str(n) in first, item["label"]
    # The width: the projects that reached the stage (there or further on).
    assert [d["value"] for d in data] == [2, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    signed = data[STAGE_ORDER.index(Stage.SIGNED)]
    assert "5" in signed["label"]["formatter"].split("\n")[1]  # 50000 万元 = 5 亿
    moves = html.split('data-testid="home-moves"')[1].split("</ul>")[0]
    assert world.project2_a.name in moves
    assert reverse("projects:list") + "?changed=moved" in moves
    assert "Projects by stage" not in html  # the chart replaces the small funnel


def test_the_leader_sees_their_projects_with_their_lights(client_for, world):
    from zhaoshang.monitoring.tests.test_board_home_filters import _signal

    _signal(world, world.project1_a, 1, datetime.date(2026, 6, 2))
    html = client_for("manager").get(reverse("home")).content.decode()
    row = html.split(f'data-my-project="{world.project1_a.pk}"')[1].split("</tr>")[0]
    assert 'data-light="red"' in row
    tiles = {url.replace("&amp;", "&"): int(n) for url, n in TILE.findall(html)}
    assert tiles[reverse("monitoring:board") + "?my_projects=on"] == 1


def test_the_city_reads_the_districts_side_by_side(client_for, world):
    html = client_for("city").get(reverse("home")).content.decode()
    option = _chart_option(html, "home-districts")
    assert option["xAxis"]["data"] == [world.district_a.name, world.district_b.name]
    projects = option["series"][0]["data"]
    registry = reverse("projects:list")
    assert projects[0] == {"value": 2, "url": f"{registry}?district={world.district_a.pk}"}
    assert _chart_option(html, "home-districts-money")["series"][0]["data"][0]["value"] == 50000
    table = html.split('data-testid="home-districts-table"')[1].split("</table>")[0]
    assert f'href="{registry}?district={world.district_b.pk}"' in table
    assert reverse("kpis:compare") in html


def test_the_secretary_files_the_receipts_of_the_cases_with_none(client_for, world):
    from zhaoshang.approvals.models import ApprovalCase

    client = client_for("secretary")
    url = reverse("approvals:worklist") + "?mine=on&amp;no_receipt=on"

    def tile() -> int:
        return int(dict(TILE.findall(client.get(reverse("home")).content.decode()))[url])

    before = tile()
    assert before == _list_count(client, url.replace("&amp;", "&")) >= 1
    receipt = make_receipt(world, world.user_manager)
    receipt.approval_case = ApprovalCase.objects.get(pk=world.case_a.pk)
    receipt.save(update_fields=["approval_case"])
    assert tile() == before - 1


def test_a_principal_leader_reads_what_was_forwarded_to_them(client_for, world):
    from zhaoshang.service import services

    leader = world.user_leader
    leader.is_principal_leader = True
    leader.save(update_fields=["is_principal_leader"])
    receipt = make_receipt(world, world.user_manager)
    services.forward(world.user_manager, receipt=receipt, note="用地指标缺口，请区长研究。")
    client = client_for("leader")
    url = reverse("service:forwarded") + "?unread=1"
    tiles = dict(TILE.findall(client.get(reverse("home")).content.decode()))
    assert int(tiles[url]) == 1 == _list_count(client, url)
    assert url not in dict(
        TILE.findall(client_for("manager").get(reverse("home")).content.decode())
    )


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("leader", True),
        ("bureau", True),
        ("supervisor", True),
        ("city", True),
        ("department", False),
        ("park", False),
    ],
)
def test_those_who_steer_reach_the_big_screen_from_their_home(client_for, who, shown):
    html = client_for(who).get(reverse("home")).content.decode()
    assert ('data-testid="home-screen-link"' in html) is shown
    if shown:
        assert f'href="{reverse("screen")}"' in html
