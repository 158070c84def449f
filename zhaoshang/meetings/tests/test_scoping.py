"""Who sees which meeting and action item (SPEC §1): ``visible_to`` is the one rule, and
the pages, the API and the export use it. Expectations follow the world's rules."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhaoshang.meetings.models import ActionItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting
from zhaoshang.testing.matrix import PEOPLE
from zhaoshang.testing.matrix import visible_project as _visible_project


def _expected(targets, kind: str, who: str) -> set[int]:
    if who == "enterprise":
        return set()
    return {obj.pk for target, obj in targets[kind].items() if _visible_project(who, target)}


@pytest.mark.parametrize("who", PEOPLE)
def test_querysets_follow_the_project_scope(world, targets, who):
    user = getattr(world, f"user_{who}")
    assert set(Meeting.objects.visible_to(user).values_list("pk", flat=True)) == _expected(
        targets, "meeting", who
    )
    assert set(ActionItem.objects.visible_to(user).values_list("pk", flat=True)) == _expected(
        targets, "item", who
    )


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("resource", "kind"), [("meetings", "meeting"), ("action-items", "item")])
def test_api_lists_and_details_follow_the_scope(client_for, world, targets, who, resource, kind):
    client = client_for(who)
    response = client.get(f"/api/v1/{resource}/", {"page_size": 500})
    if who == "enterprise":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    expected = _expected(targets, kind, who)
    assert {row["id"] for row in response.json()["results"]} == expected
    for obj in targets[kind].values():
        status = client.get(f"/api/v1/{resource}/{obj.pk}/").status_code
        assert status == (200 if obj.pk in expected else 404)


def test_park_committee_sees_what_it_attends_and_owns(world, targets):
    park = world.user_park
    committee = world.dept_committee_a
    meeting = make_meeting(world, projects=[world.project2_a], departments=[committee])
    item = make_item(world, owner=committee, project=world.project2_a)
    assert Meeting.objects.visible_to(park).filter(pk=meeting.pk).exists()
    assert ActionItem.objects.visible_to(park).filter(pk=item.pk).exists()
    assert not Meeting.objects.visible_to(park).filter(pk=targets["meeting"]["out"].pk).exists()


def test_unauthenticated_and_roleless_users_see_nothing(world, targets):
    from django.contrib.auth.models import AnonymousUser

    from zhaoshang.org.models import User

    nobody = User.objects.create(username="nobody", district=world.district_a)
    for user in (AnonymousUser(), nobody):
        assert not Meeting.objects.visible_to(user).exists()
        assert not ActionItem.objects.visible_to(user).exists()


@pytest.mark.parametrize("who", ["bureau", "park", "bureau_b", "city"])
def test_the_board_and_its_export_show_the_scope(client_for, world, targets, who):
    client = client_for(who)
    expected = _expected(targets, "item", who)
    page = client.get("/meetings/board/")
    shown = {int(pk) for pk in _attr_values(page.content.decode(), "data-item")}
    assert shown == expected
    book = load_workbook(io.BytesIO(client.get("/meetings/board/export.xlsx").content))
    numbers = {
        row[1 if who == "city" else 0] for row in book.active.iter_rows(min_row=2, values_only=True)
    }
    assert numbers == {i.number for i in ActionItem.objects.filter(pk__in=expected)}


def _attr_values(html: str, attribute: str) -> list[str]:
    import re

    return re.findall(rf'{attribute}="(\d+)"', html)
