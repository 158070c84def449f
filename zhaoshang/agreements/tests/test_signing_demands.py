"""What the work plan demands at signing is demanded (issue 16, point 10): "在项目签约时制定
明确的投资强度、投资进度、开竣工时间及投产时间表，明确企业在节能减排、缴纳税收、解决就业等
方面的责任" — an agreement of a key or major project states all of them, and a refusal
names every missing item at once; "重大项目成立专门的领导小组" — a major project is
signed only once its own leading group is formed (at least two people).

project1_a is a major project of the world, signed on 2026-03-02."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.models import Agreement
from zhaoshang.agreements.tests.conftest import (
    SCHEDULE,
    agreement_post,
    day,
    header,
    pdf,
    standard_terms,
)
from zhaoshang.projects import services as project_services
from zhaoshang.projects.choices import Level, Stage, TeamRole
from zhaoshang.projects.models import Project

WITHOUT_DUTIES = {"tax": None, "tax_by": None, "energy": None, "energy_by": None}


def _save(world, project, terms, schedule=SCHEDULE):
    return services.save_agreement(
        world.user_bureau, project, fields=header(project), terms=terms, schedule=schedule
    )


@pytest.mark.parametrize("level", [Level.KEY, Level.MAJOR])
def test_a_key_or_major_projects_agreement_without_its_duties_is_refused_naming_all(world, level):
    project = world.project1_a
    Project.objects.filter(pk=project.pk).update(level=level)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _save(world, project, standard_terms(**WITHOUT_DUTIES))
    errors = refused.value.message_dict
    # one message naming every missing item (in the order of the terms: tax before energy)
    label = {Level.KEY: "key", Level.MAJOR: "major"}[level]
    assert errors["__all__"] == [
        f"“华鑫新能源电池项目” is a {label} project: its agreement must state the investment "
        "intensity, the investment schedule, the start, completion and production dates and "
        "the enterprise's duties on energy saving, tax and jobs. Missing: Tax, Energy saving "
        "and emissions."
    ]
    # and each on its field
    assert set(errors) >= {"tax", "tax_by", "energy", "energy_by"}
    assert not Agreement.objects.exists()


def test_every_missing_item_is_named_at_once(world):
    project = world.project1_a  # major
    terms = standard_terms(
        intensity=None, intensity_by=None, start_by=None, jobs=None, jobs_by=None, **WITHOUT_DUTIES
    )
    with pytest.raises(ValidationError) as refused:
        _save(world, project, terms, schedule=[])
    assert refused.value.message_dict["__all__"][0].endswith(
        "Missing: Start of construction, Investment intensity, Tax, Jobs, Energy saving and "
        "emissions, Investment schedule."
    )


def test_a_general_projects_agreement_may_leave_the_duties_out(world):
    project = world.project1_a
    Project.objects.filter(pk=project.pk).update(level=Level.GENERAL)
    project.refresh_from_db()
    agreement = _save(world, project, standard_terms(**WITHOUT_DUTIES, jobs=None, jobs_by=None))
    # 4 terms (start, completion, production, intensity) + 2 schedule rows
    assert agreement.obligations.count() == 6


def test_the_agreement_page_names_every_missing_item(world, client_for):
    data = agreement_post(world.project1_a, schedule=[("2026-05-31", "1000")])
    for name in ("tax", "tax_by", "jobs", "jobs_by"):
        data.pop(name)
    response = client_for("bureau").post(
        reverse("agreements:create", args=[world.project1_a.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Missing: Tax, Jobs." in html
    assert not Agreement.objects.exists()


@pytest.fixture
def major_in_prereview(world):
    return Project.objects.create(
        district=world.district_a,
        code="ZS-2026-0777",
        name="重大新材料项目",
        enterprise=world.enterprise2_a,
        park=world.park1_a,
        level=Level.MAJOR,
        stage=Stage.PREREVIEW,
        total_investment=Decimal("200000"),
    )


def _sign(world, project):
    return project_services.change_stage(
        world.user_bureau,
        project,
        Stage.SIGNED,
        datetime.date(2026, 6, 12),
        evidence_files={"investment_agreement": pdf("agreement.pdf")},
    )


def test_a_major_project_without_its_leading_group_cannot_be_signed(world, major_in_prereview):
    project = major_in_prereview
    with pytest.raises(ValidationError) as refused:
        _sign(world, project)
    assert refused.value.message_dict["to_stage"] == [
        "“重大新材料项目” is a major project: it is signed only once its own leading group "
        "(专门的领导小组) of at least 2 people is formed; it has 0. Name the members on the "
        "project team first."
    ]
    project_services.assign_team_member(
        world.user_bureau, project, TeamRole.LEADING_GROUP, world.user_leader
    )
    with pytest.raises(ValidationError, match="it has 1"):
        _sign(world, project)
    project.refresh_from_db()
    assert project.stage == Stage.PREREVIEW and project.signed_on is None
    project_services.assign_team_member(
        world.user_bureau, project, TeamRole.LEADING_GROUP, world.user_manager
    )
    _sign(world, project)
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and project.signed_on == day("2026-06-12")


def test_a_key_project_needs_no_leading_group(world, major_in_prereview):
    project = major_in_prereview
    Project.objects.filter(pk=project.pk).update(level=Level.KEY)
    project.refresh_from_db()
    _sign(world, project)
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
