"""A decision with its action-item rows and taking a point off the agenda answer through
the shared page machinery: 400 with the form's and the rows' errors at once (each by its
field, in Chinese under zh-hans), a refusal said on the meeting's page, nothing written."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.meetings import services
from zhaoshang.meetings.models import ActionItem, AgendaItem, Decision
from zhaoshang.meetings.tests.factories import make_meeting, row


def test_a_decision_shows_the_form_and_row_errors_at_once(client_for, world):
    meeting = make_meeting(world, projects=[world.project1_a])
    url = reverse("meetings:decision_create", args=[meeting.pk])
    data = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "text": "",
        "items-0-title": "接入施工用电",
        "items-0-due_on": "not a date",
        "items-1-title": "复核用地红线",
        "items-1-due_workdays": "0",
    }
    response = client_for("leader").post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    rows = response.context["rows"].forms
    assert "due_on" in rows[0].errors and "due_workdays" in rows[1].errors
    html = response.content.decode()
    for field in ("text", "due_on", "due_workdays"):
        assert f'data-field="{field}"' in html, field
    assert "该字段是必填项。" in html
    assert 'value="接入施工用电"' in html and 'value="复核用地红线"' in html
    assert not Decision.objects.exists() and not ActionItem.objects.exists()


def test_an_agenda_item_decided_on_stays_and_the_page_says_why(client_for, world):
    meeting = make_meeting(world, projects=[world.project1_a])
    agenda = meeting.agenda_items.get()
    services.record_decision(
        world.user_leader,
        meeting,
        text="由区建设局限期办结。",
        agenda_item=agenda,
        action_items=[row(world.dept_works_a)],
    )
    client = client_for("bureau")
    url = reverse("meetings:agenda_remove", args=[meeting.pk, agenda.pk])
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    # Back to the meeting's page (as before), which says why.
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "The meeting decided on this agenda item" in page.content.decode()
    assert AgendaItem.objects.filter(pk=agenda.pk).exists()


def test_an_agenda_item_taken_off_redirects_to_the_meeting(client_for, world):
    meeting = make_meeting(world, projects=[world.project1_a])
    agenda = meeting.agenda_items.get()
    response = client_for("bureau").post(
        reverse("meetings:agenda_remove", args=[meeting.pk, agenda.pk])
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert not AgendaItem.objects.filter(pk=agenda.pk).exists()
