"""A commitment's person responsible is a searchable select narrowed in the browser to the
committing department (issue 18.5); when a commitment is edited its department is not a
field, and the people are not narrowed."""

from __future__ import annotations

import pytest

from zhaoshang.agreements.forms import CommitmentForm
from zhaoshang.org.models import Department

pytestmark = pytest.mark.django_db


def test_the_person_responsible_follows_the_committing_department(world):
    departments = Department.objects.filter(district=world.district_a)
    form = CommitmentForm(project=world.project1_a, departments=departments)
    owner = str(form["owner"])
    assert 'data-zs-search=""' in owner and 'data-depends-on="department"' in owner
    assert f'data-department="{world.dept_works_a.pk}"' in owner

    editing = CommitmentForm(project=world.project1_a, departments=departments, editing=True)
    owner = str(editing["owner"])
    assert "data-zs-search" in owner and "data-depends-on" not in owner
