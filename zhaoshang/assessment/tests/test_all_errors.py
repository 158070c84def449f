"""The year's settings name every bad field at once and write nothing (issue 16, point 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, DepartmentBase

pytestmark = pytest.mark.usefixtures("english")


def test_the_base_score_names_the_year_and_the_score_together(world):
    with pytest.raises(ValidationError) as caught:
        scoring.set_base_score(world.user_supervisor, world.district_a, "next", "ninety")
    errors = caught.value.message_dict
    assert set(errors) == {"year", "base_score"}
    assert errors["year"] == ["Year: give a year such as 2026."]
    assert errors["base_score"] == ["Base score: give a number."]
    assert not AssessmentYear.objects.exists()


def test_a_department_base_names_year_department_and_score_together(world):
    with pytest.raises(ValidationError) as caught:
        scoring.set_department_base(
            world.user_supervisor, world.district_a, 1999, world.dept_works_b, "1200"
        )
    errors = caught.value.message_dict
    assert set(errors) == {"year", "department", "base_score"}
    assert errors["base_score"] == ["Base score: give a score above 0 and at most 1000."]
    assert not AssessmentYear.objects.exists() and not DepartmentBase.objects.exists()
