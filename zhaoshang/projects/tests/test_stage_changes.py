"""Stage changes: in order, with the evidence each stage needs, backwards only with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.projects import services
from zhaoshang.projects.choices import STAGE_EVIDENCE, STAGE_ORDER, Stage
from zhaoshang.projects.models import DocumentVersion, Project, StageEvent

PDF = b"%PDF-1.4 evidence"


def pdf(name="e.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def evidence_for(stage):
    return {code: pdf(f"{code}.pdf") for code in STAGE_EVIDENCE[stage]}


def test_next_stage_with_its_evidence_is_recorded(world):
    project = world.project1_a  # signed
    event = services.change_stage(
        world.user_bureau,
        project,
        Stage.REGISTERED,
        datetime.date(2026, 6, 10),
        evidence_files=evidence_for(Stage.REGISTERED),
    )
    project.refresh_from_db()
    assert project.stage == Stage.REGISTERED
    assert project.registered_on == datetime.date(2026, 6, 10)
    assert project.version == 2
    assert [v.document.material_type.code for v in event.evidence.all()] == ["business_license"]
    assert DomainEvent.objects.for_object(project).filter(verb="project.stage_changed").count() == 1


def test_the_team_and_the_designated_leader_are_told(world):
    project = world.project1_a
    services.change_stage(
        world.user_bureau,
        project,
        Stage.REGISTERED,
        datetime.date(2026, 6, 10),
        evidence_files=evidence_for(Stage.REGISTERED),
    )
    told = set(
        Notification.objects.filter(verb="project.stage_changed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"manager", "secretary", "officer"}


def test_entering_without_the_evidence_is_refused_and_nothing_is_saved(world):
    project = world.project1_a
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau, project, Stage.REGISTERED, datetime.date(2026, 6, 10)
        )
    assert "evidence_business_license" in exc.value.error_dict
    assert "Business licence" in str(exc.value)
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    assert not StageEvent.objects.filter(project=project).exists()


def test_partial_evidence_names_each_missing_material(world):
    project = world.project1_a
    project.stage = Stage.LAND_DELIVERED
    project.save()
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            project,
            Stage.STARTED,
            datetime.date(2026, 6, 10),
            evidence_files={"construction_permit": pdf()},
        )
    assert set(exc.value.error_dict) == {"evidence_construction_contract", "evidence_site_photos"}
    assert not DocumentVersion.objects.filter(document__project=project).exists()


def test_evidence_already_in_the_library_is_reused(world):
    project = world.project1_a
    from zhaoshang.projects.models import MaterialType

    services.upload_document(
        world.user_bureau, project, MaterialType.objects.get(code="business_license"), pdf()
    )
    event = services.change_stage(
        world.user_bureau, project, Stage.REGISTERED, datetime.date(2026, 6, 10)
    )
    assert event.evidence.get().number == 1


def test_a_skipped_stage_is_refused_naming_the_next_one(world):
    project = world.project1_a
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            project,
            Stage.STARTED,
            datetime.date(2026, 6, 10),
            evidence_files=evidence_for(Stage.STARTED),
        )
    message = str(exc.value.error_dict["to_stage"][0].messages[0])
    assert "cannot be skipped" in message and "Registered" in message


def test_moving_back_needs_a_reason_and_clears_later_dates(world):
    project = world.project1_a
    services.change_stage(
        world.user_bureau,
        project,
        Stage.REGISTERED,
        datetime.date(2026, 6, 10),
        evidence_files=evidence_for(Stage.REGISTERED),
    )
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.change_stage(world.user_bureau, project, Stage.SIGNED, datetime.date(2026, 6, 12))
    assert "reason" in exc.value.error_dict
    event = services.change_stage(
        world.user_bureau,
        project,
        Stage.SIGNED,
        datetime.date(2026, 6, 12),
        reason="营业执照信息有误，重新办理",
    )
    project.refresh_from_db()
    assert event.is_backward
    assert project.stage == Stage.SIGNED
    assert project.registered_on is None
    assert project.signed_on == datetime.date(2026, 3, 2)


def test_future_date_and_date_before_the_previous_change_are_refused(world):
    project = world.project1_a
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            project,
            Stage.REGISTERED,
            datetime.date(2026, 6, 16),
            evidence_files=evidence_for(Stage.REGISTERED),
        )
    assert "occurred_on" in exc.value.error_dict
    services.change_stage(
        world.user_bureau,
        project,
        Stage.REGISTERED,
        datetime.date(2026, 6, 10),
        evidence_files=evidence_for(Stage.REGISTERED),
    )
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            project,
            Stage.LAND_DELIVERED,
            datetime.date(2026, 6, 1),
            evidence_files=evidence_for(Stage.LAND_DELIVERED),
        )
    assert "2026-06-10" in str(exc.value)


def test_only_unsigned_projects_terminate_and_only_signed_ones_exit(world):
    signed, lead = world.project1_a, world.project2_a
    with pytest.raises(ValidationError):
        services.change_stage(
            world.user_bureau, signed, Stage.TERMINATED, datetime.date(2026, 6, 1), reason="x"
        )
    with pytest.raises(ValidationError):
        services.change_stage(
            world.user_bureau,
            lead,
            Stage.EXITED,
            datetime.date(2026, 6, 1),
            reason="x",
            evidence_files=evidence_for(Stage.EXITED),
        )
    with pytest.raises(ValidationError) as exc:
        services.change_stage(world.user_bureau, lead, Stage.TERMINATED, datetime.date(2026, 6, 1))
    assert "reason" in exc.value.error_dict
    services.change_stage(
        world.user_bureau,
        lead,
        Stage.TERMINATED,
        datetime.date(2026, 6, 1),
        reason="企业投资意向变化",
    )
    lead.refresh_from_db()
    assert lead.stage == Stage.TERMINATED and lead.terminated_on == datetime.date(2026, 6, 1)
    services.change_stage(
        world.user_bureau,
        signed,
        Stage.EXITED,
        datetime.date(2026, 6, 1),
        reason="三个月不开工",
        evidence_files=evidence_for(Stage.EXITED),
    )
    signed.refresh_from_db()
    assert signed.exited_on == datetime.date(2026, 6, 1)


def test_walk_the_whole_line_from_lead_to_capacity(world):
    project = world.project2_a  # lead
    day = datetime.date(2025, 1, 6)
    for stage in STAGE_ORDER[1:]:
        day += datetime.timedelta(days=30)
        services.change_stage(
            world.user_bureau, project, stage, day, evidence_files=evidence_for(stage)
        )
    project.refresh_from_db()
    assert project.stage == Stage.CAPACITY
    assert all(
        getattr(project, f)
        for f in (
            "signed_on",
            "registered_on",
            "land_delivered_on",
            "started_on",
            "completed_on",
            "production_on",
            "capacity_on",
        )
    )
    assert StageEvent.objects.filter(project=project).count() == len(STAGE_ORDER) - 1


def test_a_stale_version_is_told_and_nothing_is_overwritten(world):
    project = world.project1_a
    stale = Project.objects.get(pk=project.pk)
    services.set_condition(
        world.user_bureau, project, "delayed", "设备到货延迟", expected_version=1
    )
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            stale,
            Stage.REGISTERED,
            datetime.date(2026, 6, 10),
            evidence_files=evidence_for(Stage.REGISTERED),
            expected_version=stale.version,
        )
    assert exc.value.code == "concurrent_edit"
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and project.condition == "delayed"


def test_the_stage_page_answers_409_on_a_stale_version(client_for, world):
    project = world.project1_a
    services.set_condition(
        world.user_bureau, project, "delayed", "设备到货延迟", expected_version=1
    )
    response = client_for("bureau").post(
        reverse("projects:stage", args=[project.pk]),
        {
            "to_stage": Stage.REGISTERED,
            "occurred_on": "2026-06-10",
            "version": "1",
            "evidence_business_license": pdf(),
        },
    )
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and project.version == 2


def test_the_condition_page_answers_409_on_a_stale_version(client_for, world):
    project = world.project1_a
    services.set_condition(
        world.user_bureau, project, "delayed", "设备到货延迟", expected_version=1
    )
    url = reverse("projects:condition", args=[project.pk])
    response = client_for("bureau").post(
        url, {"condition": "stopped", "condition_reason": "资金链紧张", "version": "1"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="stale"' in html
    # The page shows the project as it is now, ready for another try.
    assert 'name="version" value="2"' in html
    project.refresh_from_db()
    assert project.condition == "delayed"
    response = client_for("bureau").post(
        url, {"condition": "stopped", "condition_reason": "资金链紧张", "version": "2"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "field_message"),
    [
        ("evil.exe", b"MZ....", "not an accepted file type"),
        ("fake.pdf", b"GIF89a", "does not match"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_bad_evidence_files_are_refused(world, name, content, field_message):
    project = world.project1_a
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            project,
            Stage.REGISTERED,
            datetime.date(2026, 6, 10),
            evidence_files={"business_license": SimpleUploadedFile(name, content)},
        )
    assert field_message in str(exc.value)
    assert not DocumentVersion.objects.exists()


def test_too_big_a_file_is_refused(world, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau,
            world.project1_a,
            Stage.REGISTERED,
            datetime.date(2026, 6, 10),
            evidence_files={"business_license": pdf(content=PDF + b"x" * 20)},
        )
    assert "largest accepted file" in str(exc.value)


def test_condition_delayed_or_stopped_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.set_condition(world.user_bureau, world.project1_a, "stopped", "  ")
    assert "condition_reason" in exc.value.error_dict
    project = services.set_condition(world.user_bureau, world.project1_a, "stopped", "资金链紧张")
    assert project.condition == "stopped"
    project = services.set_condition(world.user_bureau, project, "normal", "")
    assert project.condition_reason == ""


def test_people_outside_the_team_cannot_change_stage(world):
    from django.core.exceptions import PermissionDenied

    for who in ("outsider", "leader", "city", "supervisor", "bureau_b"):
        with pytest.raises(PermissionDenied):
            services.change_stage(
                getattr(world, f"user_{who}"),
                world.project1_a,
                Stage.REGISTERED,
                datetime.date(2026, 6, 10),
                evidence_files=evidence_for(Stage.REGISTERED),
            )
    services.change_stage(
        world.user_officer,
        world.project1_a,
        Stage.REGISTERED,
        datetime.date(2026, 6, 10),
        evidence_files=evidence_for(Stage.REGISTERED),
    )
