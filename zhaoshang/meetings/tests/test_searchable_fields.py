"""The meeting forms' long lists are searchable selects (issue 18.5): the person in charge
follows the owner department (in a decision's rows too, with the row's prefix), and the
attending departments and people are searchable multiple selects."""

from __future__ import annotations

import pytest

from zhaoshang.meetings.forms import ActionItemForm, ActionRowFormSet, MeetingForm

pytestmark = pytest.mark.django_db


def test_the_person_in_charge_follows_the_owner_department(world):
    form = ActionItemForm(district_id=world.district_a.pk)
    person = str(form["owner_person"])
    assert 'data-depends-on="owner_department"' in person
    assert f'data-department="{world.dept_works_a.pk}"' in person
    assert "data-zs-search" in str(form["owner_department"])
    assert "data-zs-search" in str(form["project"])

    rows = ActionRowFormSet(district_id=world.district_a.pk, prefix="items")
    assert 'data-depends-on="items-1-owner_department"' in str(rows.forms[1]["owner_person"])


def test_the_meeting_form_lists(world):
    form = MeetingForm(district_id=world.district_a.pk)
    for name in ("departments", "attendees"):
        html = str(form[name])
        assert "data-zs-search" in html and "multiple" in html, name
        assert "data-pinyin" in html
    assert "data-zs-search" in str(form["chair"])
