"""The service forms' people lists are searchable selects narrowed in the browser to the
department chosen in the same form (issue 18.5): the receipt's handler account to the
department visited, each instruction row's owner person to that row's department (with the
formset's prefix)."""

from __future__ import annotations

import pytest

from zhaoshang.service.forms import ActionItemFormSet, ReceiptForm

pytestmark = pytest.mark.django_db


def test_the_handler_account_follows_the_department_visited(world):
    form = ReceiptForm(project=world.project1_a)
    handler = str(form["handler_user"])
    assert 'data-zs-search=""' in handler and 'data-depends-on="department"' in handler
    assert f'data-department="{world.dept_works_a.pk}"' in handler
    assert "data-zs-search" in str(form["department"])


def test_each_instruction_row_follows_its_own_department(world):
    rows = ActionItemFormSet(prefix="items", form_kwargs={"district_id": world.district_a.pk})
    for index, row in enumerate(rows.forms):
        person = str(row["owner_person"])
        assert f'data-depends-on="items-{index}-owner_department"' in person
        assert f'name="items-{index}-owner_department"' in str(row["owner_department"])
