"""The merge of visits into a joint inspection reports all its errors at once, not in
rounds (issue 16, point 11): each bad field is named in the one answer and nothing is
written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.inspections import services
from zhaoshang.inspections.models import InspectionVisit, JointInspection
from zhaoshang.inspections.tests.factories import make_request

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date

# The tests run on the frozen day, Monday 2026-06-15: 06-12 is in the past.


def _visit(request) -> InspectionVisit:
    return request.visits.get()


def _refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def _untouched(*visits: InspectionVisit) -> None:
    assert not JointInspection.objects.exists()
    for visit in visits:
        fresh = InspectionVisit.objects.get(pk=visit.pk)
        assert (fresh.version, fresh.joint_id, fresh.visit_on) == (
            visit.version,
            None,
            visit.visit_on,
        )


def test_a_past_date_and_a_lead_outside_the_merge_are_named_together(world):
    visit = _visit(make_request(world, approve=True))  # 建设局
    land = _visit(
        make_request(world, by=world.user_admin, department=world.dept_land_a, approve=True)
    )
    errors = _refused(
        lambda: services.merge_visits(
            world.user_supervisor,
            visit,
            others=[land],
            visit_on=D(2026, 6, 12),
            lead_department=world.dept_bureau_a,  # neither 建设局 nor 国土局
        )
    )
    assert errors == {
        "visit_on": ["The date of the joint inspection cannot be in the past."],
        "lead_department": ["The lead department is one of the departments merged."],
    }
    _untouched(visit, land)


def test_no_date_no_lead_and_visits_of_one_department_are_named_together(world):
    first = _visit(make_request(world, approve=True))
    second = _visit(make_request(world, approve=True))  # the same department
    errors = _refused(
        lambda: services.merge_visits(
            world.user_supervisor, first, others=[second], visit_on=None, lead_department=None
        )
    )
    assert errors == {
        "visit_on": ["Give the date of the joint inspection."],
        "lead_department": ["Choose the lead department."],
        "others": ["A joint inspection merges the visits of different departments."],
    }
    _untouched(first, second)
