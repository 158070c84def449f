"""A stale edit answers 409 on every meetings page that carries a version: marking a
meeting held, issuing its minutes, editing a meeting or an action item, and the item's
actions; nothing is saved and the page says why."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, MeetingStatus
from zhaoshang.meetings.models import ActionItem, Meeting
from zhaoshang.meetings.tests.factories import make_item, make_meeting

STALE = "Someone else changed this record"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_held_and_minutes_with_a_stale_version_are_409(client_for, world):
    meeting = make_meeting(world)
    services.update_meeting(world.user_bureau, meeting, {"place": "项目现场"})  # version 2
    client = client_for("bureau")
    held = client.post(reverse("meetings:held", args=[meeting.pk]), {"version": 1})
    assert held.status_code == 409
    assert STALE in held.content.decode()
    minutes = client.post(
        reverse("meetings:minutes", args=[meeting.pk]),
        {
            "version": 1,
            "minutes_number": "东府纪〔2026〕7号",
            "minutes": "会议研究了项目推进中的问题。",
            "minutes_issued_on": "2026-06-15",
        },
    )
    assert minutes.status_code == 409
    assert STALE in minutes.content.decode()
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.status == MeetingStatus.PLANNED and meeting.version == 2


def test_an_action_item_edited_or_acted_on_with_a_stale_version_is_409(client_for, world):
    item = make_item(world)
    services.report_progress(world.user_department, item, "已对接供电公司")  # version 2
    supervisor = client_for("supervisor")
    edit = supervisor.post(
        reverse("meetings:action_item_edit", args=[item.pk]),
        {
            "version": 1,
            "title": "改名",
            "owner_department": world.dept_works_a.pk,
            "start_on": item.start_on.isoformat(),
            "due_on": item.due_on.isoformat(),
        },
    )
    assert edit.status_code == 409
    assert STALE in edit.content.decode()
    progress = client_for("department").post(
        reverse("meetings:action_item_progress", args=[item.pk]),
        {"version": 1, "text": "再报进展", "recorded_on": "2026-06-15"},
    )
    assert progress.status_code == 409
    assert 'data-testid="stale"' in progress.content.decode()
    item = ActionItem.objects.get(pk=item.pk)
    assert item.title != "改名" and item.status == ActionStatus.IN_PROGRESS
    assert item.version == 2
