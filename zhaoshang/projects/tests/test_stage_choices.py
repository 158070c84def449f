"""The stage page offers exactly the moves the service accepts (the next stage, the ending
that applies and, with a reason, going back or reopening), with the evidence each needs and
whether it is on file; a stage the service refuses is not offered."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from zhaoshang.core import clock
from zhaoshang.projects import services
from zhaoshang.projects.choices import STAGE_EVIDENCE, Stage, TeamRole
from zhaoshang.projects.forms import StageChangeForm
from zhaoshang.projects.models import MaterialType, Project, ProjectTeamMember, StageEvent
from zhaoshang.projects.services.stages import stage_moves


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pdf(name="e.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


class _Undo(Exception):
    pass


def accepted_by_service(user, project: Project) -> set[str]:
    """The stages ``change_stage`` really accepts from the project's stage, given a reason,
    today's date and every file the target could need (each try undone)."""
    accepted = set()
    for stage in Stage.values:
        try:
            with transaction.atomic():
                services.change_stage(
                    user,
                    Project.objects.get(pk=project.pk),
                    stage,
                    clock.today(),
                    reason="核实后调整",
                    evidence_files={code: pdf(f"{code}.pdf") for code in STAGE_EVIDENCE[stage]},
                )
                raise _Undo
        except _Undo:
            accepted.add(stage)
        except ValidationError:
            pass
    return accepted


def offered(project: Project) -> list[str]:
    form = StageChangeForm(project=project, moves=stage_moves(project), evidence_types=[])
    return form.offered_stages()


def page_options(client, project: Project, query: str = "") -> tuple[list[str], list[str]]:
    """The stage picker's (enabled, disabled) option values on the stage page."""
    html = client.get(reverse("projects:stage", args=[project.pk]) + query).content.decode()
    picker = html.split('data-testid="stage-pick"', 1)[1].split("</select>", 1)[0]
    enabled, disabled = [], []
    for value, attrs in re.findall(r'<option value="([a-z_]+)"([^>]*)>', picker):
        (disabled if "disabled" in attrs else enabled).append(value)
    return enabled, disabled


def put_at(project: Project, stage: str) -> Project:
    Project.objects.filter(pk=project.pk).update(stage=stage)
    return Project.objects.get(pk=project.pk)


@pytest.mark.parametrize(
    "current",
    [
        Stage.LEAD,
        Stage.NEGOTIATING,
        Stage.PREREVIEW,
        Stage.SIGNED,
        Stage.STARTED,
        Stage.CAPACITY,
        Stage.TERMINATED,
        Stage.EXITED,
    ],
)
def test_the_form_offers_exactly_what_the_service_accepts(world, current):
    project = put_at(world.project2_a, current)  # a general project: no leading group needed
    assert set(offered(project)) == accepted_by_service(world.user_bureau, project)


def test_the_page_offers_the_next_stage_the_ending_and_going_back(client_for, world):
    project = put_at(world.project2_a, Stage.STARTED)
    enabled, disabled = page_options(client_for("bureau"), project)
    assert enabled == [Stage.COMPLETED, Stage.EXITED, *map(str, list(Stage)[:6])]
    assert disabled == []
    assert Stage.PRODUCTION not in enabled and Stage.TERMINATED not in enabled
    assert set(enabled) == accepted_by_service(world.user_bureau, project)


def test_a_skipped_stage_is_not_offered_and_posting_it_is_refused_by_the_service(client_for, world):
    project = world.project1_a  # signed: the next stage is 已注册
    client = client_for("bureau")
    enabled, _disabled = page_options(client, project)
    assert Stage.STARTED not in enabled and Stage.TERMINATED not in enabled
    # Asked for by address, the page falls back to the next stage.
    html = client.get(reverse("projects:stage", args=[project.pk]) + "?to=started").content
    assert 'name="to_stage" value="registered"' in html.decode()
    # Posted anyway, the service names why (not a bare “not a valid choice”), and nothing moves.
    response = client.post(
        reverse("projects:stage", args=[project.pk]),
        {"to_stage": "started", "occurred_on": "2026-06-12", "reason": "", "version": "1"},
    )
    assert response.status_code == 400
    error = response.content.decode().split('data-field="to_stage">', 1)[1].split("</div>")[0]
    assert "不能跳过阶段" in error and "已注册" in error  # (the page is in Chinese)
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and not StageEvent.objects.filter(project=project)


def test_a_major_project_without_its_leading_group_is_not_offered_signing(client_for, world):
    project = put_at(world.project1_a, Stage.PREREVIEW)  # major, no leading group yet
    client = client_for("bureau")
    assert Stage.SIGNED not in offered(project)
    assert Stage.SIGNED not in accepted_by_service(world.user_bureau, project)
    enabled, disabled = page_options(client, project)
    assert Stage.SIGNED not in enabled and disabled == [Stage.SIGNED]
    html = client.get(reverse("projects:stage", args=[project.pk])).content.decode()
    with translation.override("zh-hans"):
        (blocker,) = next(m for m in stage_moves(project) if m.stage == Stage.SIGNED).blockers
    signed_row = html.split('data-stage="signed"', 1)[1]
    assert blocker.split("：")[0] in signed_row and "text-danger" in signed_row
    for member in (world.user_officer, world.user_secretary):
        ProjectTeamMember.objects.create(project=project, user=member, role=TeamRole.LEADING_GROUP)
    assert Stage.SIGNED in offered(project)
    assert Stage.SIGNED in accepted_by_service(world.user_bureau, project)


def test_each_offered_stage_shows_the_evidence_it_needs_and_what_is_on_file(client_for, world):
    project = world.project1_a  # signed
    services.upload_document(
        world.user_bureau, project, MaterialType.objects.get(code="business_license"), pdf()
    )
    html = client_for("bureau").get(reverse("projects:stage", args=[project.pk])).content.decode()
    moves = html.split('data-testid="stage-moves"', 1)[1]
    parts = re.split(r'data-stage="([a-z_]+)"', moves)
    rows = dict(zip(parts[1::2], parts[2::2], strict=True))
    with translation.override("zh-hans"):
        licence = str(MaterialType.objects.get(code="business_license").label)
        clearance = str(MaterialType.objects.get(code="clearance_decision").label)
    registered = rows[Stage.REGISTERED]
    assert licence in registered
    assert 'data-evidence="business_license" data-on-file="yes"' in registered
    assert "data-needs-reason" not in registered.split(">", 1)[0]
    exited = rows[Stage.EXITED]
    assert clearance in exited and 'data-evidence="clearance_decision" data-on-file="no"' in exited
    assert exited.startswith(" data-needs-reason>")
    assert "data-evidence" not in rows[Stage.PREREVIEW]  # going back needs none
    assert set(rows) == {Stage.REGISTERED, Stage.EXITED, *map(str, list(Stage)[:3])}


def test_going_back_marks_the_reason_as_needed(client_for, world):
    project = put_at(world.project2_a, Stage.STARTED)
    url = reverse("projects:stage", args=[project.pk])
    html = client_for("bureau").get(url + "?to=signed").content.decode()
    assert 'name="to_stage" value="signed"' in html
    label = html.split('for="id_reason"', 1)[1].split("</label>", 1)[0]
    assert 'class="text-danger">*' in label  # the reason is marked as needed
    assert "evidence_investment_agreement" not in html  # going back needs no evidence
    response = client_for("bureau").post(
        url, {"to_stage": "signed", "occurred_on": "2026-06-12", "reason": "", "version": "1"}
    )
    assert response.status_code == 400 and 'data-field="reason"' in response.content.decode()


def test_an_ended_project_is_offered_only_reopening(client_for, world):
    project = put_at(world.project2_a, Stage.TERMINATED)
    enabled, _disabled = page_options(client_for("bureau"), project)
    assert enabled == [str(s) for s in list(Stage)[:10]]
    html = client_for("bureau").get(reverse("projects:stage", args=[project.pk])).content.decode()
    assert 'data-testid="stage-form"' not in html  # no target until one is chosen
    assert 'data-testid="choose-first"' in html
