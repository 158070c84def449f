"""A service commitment names its own fields' and its steps' problems at once and writes
nothing (issue 16, point 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.agreements import services
from zhaoshang.agreements.models import Commitment, Milestone
from zhaoshang.agreements.schedule import Step, plan_backwards
from zhaoshang.agreements.tests.conftest import day


def test_a_commitment_names_its_fields_and_its_steps_together(world):
    with pytest.raises(ValidationError) as caught:
        services.create_commitment(
            world.user_department,
            world.project1_a,
            department=world.dept_works_a,
            steps=[Step("", 2), Step("竣工验收", 0)],  # no name; no working day
            title="",
            content="",
            start_on=day("2026-06-15"),
            target_on=None,
        )
    errors = caught.value.message_dict
    assert set(errors) == {"title", "content", "target_on", "steps"}
    assert len(errors["steps"]) == 2  # step 1 unnamed, step 2 of 0 days
    assert not Commitment.objects.exists() and not Milestone.objects.exists()


def test_planning_names_the_steps_and_the_target_together(world):
    with pytest.raises(ValidationError) as caught:
        plan_backwards([Step("", 1)], day("2026-06-15"), day("2026-06-15"))
    assert set(caught.value.message_dict) == {"steps", "target_on"}
