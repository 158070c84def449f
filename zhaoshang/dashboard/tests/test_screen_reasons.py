"""The big screen's reasons read on a wall: a complaint or an inspection request lit by its
number alone is named as one, and a title that repeats the project's name ("<project> ·
<what>", an exit warning or a land clean-up) is read without it under the project's name.
The changes' panel says its window (the last seven days). Time is frozen on Monday
2026-06-15 10:00."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhaoshang.core.lights import Subject
from zhaoshang.dashboard.tests.screen_records import D, red_signal, snapshot


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _data(client) -> dict:
    response = client.get(reverse("screen_data"))
    assert response.status_code == 200
    return response.json()


def test_the_red_lists_reasons(client_for, world):
    project = world.project1_a
    complaint = red_signal(project, "TS-2026-0021", D(2026, 6, 1))
    complaint.subject = Subject.COMPLAINT
    complaint.save(update_fields=["subject"])
    warning = red_signal(project, f"{project.name} · 限期整改", D(2026, 6, 2))
    warning.subject = Subject.WARNING
    warning.save(update_fields=["subject"])
    schedule = red_signal(project, project.name, D(2026, 6, 3))
    schedule.subject = Subject.SCHEDULE
    schedule.save(update_fields=["subject"])
    red_signal(project, "施工许可", D(2026, 6, 4))
    (item,) = _data(client_for("bureau"))["redList"]["items"]
    assert item["reasons"] == [
        f"{Subject.COMPLAINT.label} TS-2026-0021",
        "限期整改",
        str(_("Investment behind schedule")),
    ]
    assert item["more"] == 1
    assert str(Subject.COMPLAINT.label) == "投诉"


def test_the_changes_reasons_and_window(client_for, world):
    project = world.project1_a
    reason = {"title": f"{project.name} · 限期整改", "department": "", "due_on": "2026-06-09"}
    schedule = {"title": project.name, "department": "", "due_on": ""}  # 序时进度
    snapshot(project, D(2026, 6, 12), "red", [reason, schedule])
    (item,) = _data(client_for("bureau"))["changes"]["items"]
    assert item["project"] == project.name
    assert item["text"] == f"限期整改；{_('Investment behind schedule')}"
    html = client_for("bureau").get(reverse("screen")).content.decode()
    assert 'id="zs-h-changes">Changes in the last seven days' in html or "近七日" in html
