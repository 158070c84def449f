"""Each history row of a record keeps its many-to-many links as they were (simple-history's
m2m copy, done from the link rows' ids: ``core.history.copy_m2m_rows_by_id``)."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.meetings.choices import MeetingKind
from zhaoshang.meetings.models import Meeting
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def _links(record, field: str) -> set[tuple[int, int]]:
    return {(row.id, row.department_id) for row in getattr(record, field).all()}


def test_a_history_row_copies_the_links_of_its_moment(world):
    project = Project.objects.get(pk=world.project1_a.pk)
    project.paired_departments.set([world.dept_works_a])
    project.save()
    first = project.history.latest("history_id")
    project.paired_departments.add(world.dept_land_a)
    project.save()
    second = project.history.latest("history_id")
    through = Project.paired_departments.through
    ids = dict(through.objects.filter(project=project).values_list("department_id", "id"))
    assert _links(first, "paired_departments") == {
        (ids[world.dept_works_a.pk], world.dept_works_a.pk)
    }
    assert _links(second, "paired_departments") == {(ids[d], d) for d in ids}
    assert all(row.project_id == project.pk for row in second.paired_departments.all())


def test_a_model_with_excluded_fields_is_not_read_again(world, django_assert_num_queries):
    meeting = Meeting.objects.create(
        district=world.district_a,
        number="M-1",
        kind=MeetingKind.values[0],
        title="调度会",
        held_on=datetime.date(2026, 6, 1),
        chair=world.user_admin,
        created_by=world.user_admin,
    )
    meeting.departments.set([world.dept_works_a])
    meeting.title = "项目调度会"
    # The update and the history row, then per many-to-many field its links and their copy
    # (none for the attendees): no re-read of the meeting for its excluded fields.
    with django_assert_num_queries(2 + 2 + 1):
        meeting.save()
    record = meeting.history.latest("history_id")
    assert record.title == "项目调度会"
    assert {r.department_id for r in record.departments.all()} == {world.dept_works_a.pk}
