"""The factories make what they promise: a project at each stage has the date and the
evidence of every stage it passed; the records belong to one district."""

from __future__ import annotations

import pytest

from zhaoshang.projects.choices import STAGE_DATE_FIELDS, STAGE_EVIDENCE, Stage
from zhaoshang.testing.factories import (
    STAGE_FACTORIES,
    DocumentVersionFactory,
    EnterpriseFactory,
    MonthlyReportFactory,
    ProjectFactory,
    UserFactory,
)
from zhaoshang.testing.factories.projects import stages_passed


@pytest.mark.parametrize("stage", list(STAGE_FACTORIES), ids=str)
def test_a_project_at_each_stage_has_its_dates_and_evidence(world, stage):
    project = STAGE_FACTORIES[stage](district=world.district_a)
    assert project.stage == stage
    passed = stages_passed(stage)
    for step, field in STAGE_DATE_FIELDS.items():
        assert (getattr(project, field) is not None) == (step in passed), field
    changes = list(project.stage_events.order_by("id"))
    assert [c.to_stage for c in changes] == passed
    for change in changes:
        codes = {v.document.material_type.code for v in change.evidence.all()}
        assert codes == set(STAGE_EVIDENCE[change.to_stage]), change.to_stage
    dates = [c.occurred_on for c in changes]
    assert dates == sorted(dates)


def test_the_records_of_a_project_are_of_its_district(world):
    project = ProjectFactory(district=world.district_b)
    assert project.enterprise.district == project.park.district == world.district_b
    assert project.industry.district == world.district_b
    report = MonthlyReportFactory(project=project)
    assert report.submitted_by.district == world.district_b
    version = DocumentVersionFactory(document__project=project)
    assert version.number == 1 and version.file.read().startswith(b"%PDF")
    assert DocumentVersionFactory(document=version.document).number == 2


def test_a_signed_project_without_its_changes(world):
    project = STAGE_FACTORIES[Stage.SIGNED](district=world.district_a, stage_changes=False)
    assert project.signed_on and not project.stage_events.exists()


def test_people_and_enterprises(world):
    user = UserFactory(district=world.district_a, roles=["bureau"])
    assert list(user.groups.values_list("name", flat=True)) == ["bureau"]
    assert EnterpriseFactory(district=world.district_a).credit_code != (
        EnterpriseFactory(district=world.district_a).credit_code
    )
