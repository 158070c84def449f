"""Each role's home opens on what that person must do today; every count links to the list
showing exactly those rows (the count and the list agree), and a leader reads a receipt
(圈阅) in one click."""

from __future__ import annotations

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
        ("bureau", set()),
        ("city", set()),
        ("manager", {"leader", "team"}),
        ("secretary", {"team"}),
    ],
)
def test_each_role_sees_its_sections_and_each_count_is_its_lists(client_for, who, sections):
    client = client_for(who)
    html = client.get(reverse("home")).content.decode()
    assert _sections(html) == sections
    tiles = TILE.findall(html)
    assert bool(tiles) == bool(sections - {"team"})
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
