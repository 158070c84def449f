"""``POST /api/v1/projects/{id}/stage/``: a stage change with its evidence (SPEC §4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.api.tests.world_api import USERS, expected_visible, role_of, tag_of, url
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.projects.models import DocumentVersion, StageEvent

PDF = b"%PDF-1.4 test"
TODAY = "2026-06-15"


def pdf(name: str = "licence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stage_url(project) -> str:
    return url("projects", project.pk, "stage")


def test_forward_with_evidence(world, client_for):
    project = world.project1_a  # signed → registered needs the business licence
    response = client_for("bureau").post(
        stage_url(project),
        {
            "to_stage": "registered",
            "occurred_on": "2026-06-10",
            "evidence_business_license": pdf(),
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == "registered"
    assert body["registered_on"] == "2026-06-10"
    assert body["signed_on"] == "2026-03-02"
    assert body["version"] == project.version + 1
    event = StageEvent.objects.get(project=project, to_stage="registered")
    (evidence,) = event.evidence.all()
    assert evidence.document.material_type.code == "business_license"
    assert evidence.file.read() == PDF
    assert DomainEvent.objects.for_object(project).filter(verb="project.stage_changed").exists()


def test_forward_without_the_evidence_it_needs(world, client_for):
    project = world.project1_a
    response = client_for("bureau").post(
        stage_url(project), {"to_stage": "registered", "occurred_on": TODAY}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["evidence_business_license"]
    project.refresh_from_db()
    assert project.stage == "signed"
    assert not StageEvent.objects.filter(project=project).exists()


def test_evidence_already_in_the_library_is_reused(world, client_for):
    project = world.project1_a
    api = client_for("bureau")
    api.post(
        stage_url(project),
        {"to_stage": "registered", "occurred_on": "2026-06-01", "evidence_business_license": pdf()},
    )
    api.post(
        stage_url(project),
        {"to_stage": "signed", "occurred_on": "2026-06-02", "reason": "登记信息有误"},
    )

    response = api.post(stage_url(project), {"to_stage": "registered", "occurred_on": TODAY})

    assert response.status_code == 200, response.content
    assert DocumentVersion.objects.filter(document__project=project).count() == 1


def test_no_evidence_needed_as_json(world, api_for):
    project = world.project2_a  # lead → negotiating needs nothing
    response = api_for("bureau").post(
        stage_url(project), {"to_stage": "negotiating", "occurred_on": TODAY}
    )
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "negotiating"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to_stage": "capacity", "occurred_on": TODAY}, "to_stage"),  # skips stages
        ({"to_stage": "bogus", "occurred_on": TODAY}, "to_stage"),
        ({"to_stage": "signed", "occurred_on": TODAY}, "to_stage"),  # already there
        ({"to_stage": "negotiating", "occurred_on": TODAY}, "reason"),  # back, no reason
        ({"to_stage": "registered", "occurred_on": "2026-06-16"}, "occurred_on"),  # future
        ({"to_stage": "registered", "occurred_on": "15/06/2026"}, "occurred_on"),
        ({"to_stage": "registered"}, "occurred_on"),
        ({"occurred_on": TODAY}, "to_stage"),
        ({"to_stage": "registered", "occurred_on": TODAY, "version": "abc"}, "version"),
    ],
)
def test_bad_stage_change_is_400_keyed_by_field(world, api_for, payload, field):
    project = world.project1_a
    response = api_for("bureau").post(stage_url(project), payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    project.refresh_from_db()
    assert project.stage == "signed"


def test_evidence_with_lying_content_is_400(world, client_for):
    project = world.project1_a
    response = client_for("bureau").post(
        stage_url(project),
        {
            "to_stage": "registered",
            "occurred_on": TODAY,
            "evidence_business_license": pdf(content=b"MZ not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "evidence_business_license" in response.json()


def test_evidence_of_unknown_material_is_400(world, client_for):
    response = client_for("bureau").post(
        stage_url(world.project2_a),
        {"to_stage": "negotiating", "occurred_on": TODAY, "evidence_no_such_thing": pdf()},
    )
    assert response.status_code == 400
    assert "evidence_no_such_thing" in response.json()


def test_stale_version_is_409(world, api_for):
    project = world.project2_a
    response = api_for("bureau").post(
        stage_url(project),
        {"to_stage": "negotiating", "occurred_on": TODAY, "version": project.version + 5},
    )
    assert response.status_code == 409
    assert list(response.json()) == ["version"]
    project.refresh_from_db()
    assert project.stage == "lead"


def _may_record(world, user, project) -> bool:
    """SPEC §1/§4: editors of the district and the project team record stage changes."""
    if role_of(user) in (Role.CITY, Role.ENTERPRISE) or user.district_id != project.district_id:
        return False
    on_team = project.team_members.filter(user=user).exists()
    return role_of(user) in (Role.ADMIN, Role.BUREAU) or on_team


@pytest.mark.parametrize("username", USERS)
def test_who_may_change_the_stage(world, api_for, username):
    user = getattr(world, f"user_{username}")
    project = getattr(world, f"project1_{tag_of(world, user)}")
    visible = expected_visible(world, user, "projects")

    response = api_for(username).post(
        stage_url(project), {"to_stage": "negotiating", "occurred_on": TODAY, "reason": "重新谈判"}
    )

    project.refresh_from_db()
    if visible is None or role_of(user) == Role.CITY:
        assert response.status_code == 403
    elif project.pk not in visible:
        assert response.status_code == 404
    elif _may_record(world, user, project):
        assert response.status_code == 200, response.content
        assert project.stage == "negotiating"
        return
    else:
        assert response.status_code == 403
    assert project.stage == "signed"


def test_stage_of_another_districts_project_is_404(world, api_for):
    response = api_for("bureau_b").post(
        stage_url(world.project2_a), {"to_stage": "negotiating", "occurred_on": TODAY}
    )
    assert response.status_code == 404


def test_condition_action(world, api_for):
    project = world.project1_a
    api = api_for("secretary")  # on the team
    response = api.post(url("projects", project.pk, "condition"), {"condition": "delayed"})
    assert response.status_code == 400
    assert "condition_reason" in response.json()

    response = api.post(
        url("projects", project.pk, "condition"), {"condition": "delayed", "reason": "设备未到"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["condition"] == "delayed"
    assert response.json()["condition_reason"] == "设备未到"


def test_stage_dates_are_not_writable_through_the_project(world, api_for):
    project = world.project2_a
    response = api_for("bureau").patch(
        url("projects", project.pk),
        {"stage": "capacity", "capacity_on": "2026-01-01", "code": "X", "condition": "stopped"},
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.stage, project.capacity_on, project.condition) == ("lead", None, "normal")
    assert project.code == world.project2_a.code
