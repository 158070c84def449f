"""补录 (issue 20 point 1): a project's stage history imported from a ledger — its events
marked imported, its dates set as a stage change sets them, the evidence it lacks owed,
checks keyed by the date's column, and no stage change until the bureau confirms."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.core import clock
from zhaoshang.core.models import DomainEvent, ImportBatch
from zhaoshang.notifications.models import Notification
from zhaoshang.projects import services
from zhaoshang.projects.choices import STAGE_EVIDENCE, Stage
from zhaoshang.projects.models import EvidenceOwed, MaterialType, Project, StageEvent
from zhaoshang.projects.services.backfill import import_history
from zhaoshang.projects.services.stages import stage_moves

D = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pdf(name="e.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def new_project(world, name="补录项目", **extra) -> Project:
    values = {
        "name": name,
        "park": world.park1_a,
        "enterprise": world.enterprise1_a,
        "total_investment": Decimal("12000"),
        **extra,
    }
    return services.create_project(world.user_bureau, world.district_a, values)


def batch_for(world, name="台账.xlsx") -> ImportBatch:
    return ImportBatch.objects.create(
        district=world.district_a, kind="projects", file_name=name, created_by=world.user_bureau
    )


def confirm(batch, user):
    batch.confirmed_by, batch.confirmed_at = user, clock.now()
    batch.save(update_fields=["confirmed_by", "confirmed_at"])


def test_a_started_project_comes_in_with_its_line_dates_and_owed_evidence(world):
    project = new_project(world)
    batch = batch_for(world)
    dates = {
        Stage.SIGNED: D(2025, 3, 1),
        Stage.REGISTERED: D(2025, 4, 2),
        Stage.LAND_DELIVERED: D(2025, 6, 1),
        Stage.STARTED: D(2025, 9, 9),
    }
    events = import_history(
        world.user_bureau, project, Stage.STARTED, dates, batch=batch, source="台账.xlsx 第 7 行"
    )
    project.refresh_from_db()
    assert project.stage == Stage.STARTED
    assert (project.signed_on, project.registered_on) == (D(2025, 3, 1), D(2025, 4, 2))
    assert (project.land_delivered_on, project.started_on) == (D(2025, 6, 1), D(2025, 9, 9))
    assert project.completed_on is None
    rows = list(
        StageEvent.objects.filter(project=project).values_list(
            "from_stage", "to_stage", "occurred_on", "is_imported", "import_batch"
        )
    )
    # The talks before signing have no date of their own: the signing date.
    assert rows == [
        ("lead", "negotiating", D(2025, 3, 1), True, batch.pk),
        ("negotiating", "prereview", D(2025, 3, 1), True, batch.pk),
        ("prereview", "signed", D(2025, 3, 1), True, batch.pk),
        ("signed", "registered", D(2025, 4, 2), True, batch.pk),
        ("registered", "land_delivered", D(2025, 6, 1), True, batch.pk),
        ("land_delivered", "started", D(2025, 9, 9), True, batch.pk),
    ]
    assert len(events) == 6
    owed = set(
        EvidenceOwed.objects.filter(project=project).values_list("material_type__code", flat=True)
    )
    expected = {
        code
        for stage in (
            Stage.PREREVIEW,
            Stage.SIGNED,
            Stage.REGISTERED,
            Stage.LAND_DELIVERED,
            Stage.STARTED,
        )
        for code in STAGE_EVIDENCE[stage]
    }
    assert owed == expected
    event = DomainEvent.objects.for_object(project).get(verb="project.stage_imported")
    assert event.data["batch"] == batch.pk and event.data["source"] == "台账.xlsx 第 7 行"
    assert not Notification.objects.filter(verb="project.stage_changed").exists()


def test_a_stage_passed_without_its_date_takes_the_next_known_one(world):
    project = new_project(world)
    import_history(
        world.user_bureau,
        project,
        Stage.STARTED,
        {Stage.SIGNED: D(2025, 3, 1), Stage.STARTED: D(2025, 9, 9)},
    )
    project.refresh_from_db()
    assert project.registered_on == D(2025, 9, 9)
    assert project.land_delivered_on == D(2025, 9, 9)
    guessed = StageEvent.objects.get(project=project, to_stage=Stage.REGISTERED)
    assert "next known stage date" in guessed.reason


def test_a_project_still_in_talks_is_dated_the_import_day(world):
    project = new_project(world)
    import_history(world.user_bureau, project, Stage.NEGOTIATING, {})
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    event = StageEvent.objects.get(project=project)
    assert event.occurred_on == clock.today() and event.is_imported


@pytest.mark.parametrize(
    ("stage", "dates", "reason", "key", "words"),
    [
        (Stage.STARTED, {Stage.SIGNED: D(2025, 3, 1)}, "", "started_on", "needs the date"),
        (
            Stage.STARTED,
            {Stage.SIGNED: D(2025, 5, 1), Stage.STARTED: D(2025, 4, 1)},
            "",
            "started_on",
            "before that of",
        ),
        (Stage.SIGNED, {Stage.SIGNED: D(2026, 7, 1)}, "", "signed_on", "future"),
        (
            Stage.SIGNED,
            {Stage.SIGNED: D(2025, 5, 1), Stage.STARTED: D(2025, 6, 1)},
            "",
            "started_on",
            "has not reached",
        ),
        (Stage.EXITED, {Stage.EXITED: D(2026, 1, 1)}, "违约", "signed_on", "signing date"),
        (
            Stage.EXITED,
            {Stage.SIGNED: D(2025, 1, 1), Stage.EXITED: D(2026, 1, 1)},
            "",
            "stage_reason",
            "reason",
        ),
        (Stage.TERMINATED, {Stage.TERMINATED: D(2026, 1, 1)}, "", "stage_reason", "reason"),
        (
            Stage.TERMINATED,
            {Stage.SIGNED: D(2025, 1, 1), Stage.TERMINATED: D(2026, 1, 1)},
            "谈崩",
            "signed_on",
            "has not reached",
        ),
    ],
)
def test_checks_name_the_dates_column(world, stage, dates, reason, key, words):
    project = new_project(world)
    with pytest.raises(ValidationError) as exc:
        import_history(world.user_bureau, project, stage, dates, reason=reason)
    assert key in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[key])
    project.refresh_from_db()
    assert project.stage == Stage.LEAD
    assert not StageEvent.objects.filter(project=project).exists()


def test_endings_come_in_with_their_date_and_reason(world):
    exited = new_project(world, name="退出项目")
    import_history(
        world.user_bureau,
        exited,
        Stage.EXITED,
        {
            Stage.SIGNED: D(2024, 1, 5),
            Stage.LAND_DELIVERED: D(2024, 5, 1),
            Stage.EXITED: D(2026, 2, 1),
        },
        reason="逾期未开工，依约收回土地",
    )
    exited.refresh_from_db()
    assert exited.stage == Stage.EXITED and exited.exited_on == D(2026, 2, 1)
    last = StageEvent.objects.filter(project=exited).last()
    assert (last.from_stage, last.to_stage, last.reason) == (
        "land_delivered",
        "exited",
        "逾期未开工，依约收回土地",
    )
    terminated = new_project(world, name="终止项目")
    import_history(
        world.user_bureau,
        terminated,
        Stage.TERMINATED,
        {Stage.TERMINATED: D(2025, 12, 1)},
        reason="企业战略调整",
    )
    terminated.refresh_from_db()
    assert terminated.stage == Stage.TERMINATED and terminated.terminated_on == D(2025, 12, 1)
    assert StageEvent.objects.filter(project=terminated).count() == 1


def test_a_major_project_is_not_held_back_by_its_leading_group(world):
    project = new_project(world, level="major")
    import_history(world.user_bureau, project, Stage.SIGNED, {Stage.SIGNED: D(2025, 3, 1)})
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def test_only_a_project_just_registered_takes_a_history(world):
    project = world.project1_a  # signed already
    with pytest.raises(ValidationError) as exc:
        import_history(world.user_bureau, project, Stage.STARTED, {Stage.STARTED: D(2025, 1, 1)})
    assert "stage" in exc.value.message_dict


def test_no_stage_change_until_the_bureau_confirms_then_owed_evidence_does_not_block(world):
    project = new_project(world)
    batch = batch_for(world)
    import_history(
        world.user_bureau, project, Stage.SIGNED, {Stage.SIGNED: D(2025, 3, 1)}, batch=batch
    )
    project.refresh_from_db()
    moves = stage_moves(project)
    assert moves and all(m.blockers for m in moves)
    assert "台账.xlsx" in moves[0].blockers[0]
    evidence = {code: pdf(f"{code}.pdf") for code in STAGE_EVIDENCE[Stage.REGISTERED]}
    with pytest.raises(ValidationError) as exc:
        services.change_stage(
            world.user_bureau, project, Stage.REGISTERED, D(2026, 6, 1), evidence_files=evidence
        )
    assert "not confirmed" in str(exc.value.message_dict["to_stage"])
    confirm(batch, world.user_bureau)
    project = Project.objects.get(pk=project.pk)
    # The signing's agreement is still owed: it does not block the next stage.
    assert EvidenceOwed.objects.open().filter(project=project).exists()
    evidence = {code: pdf(f"{code}.pdf") for code in STAGE_EVIDENCE[Stage.REGISTERED]}
    services.change_stage(
        world.user_bureau, project, Stage.REGISTERED, D(2026, 6, 1), evidence_files=evidence
    )
    project.refresh_from_db()
    assert project.stage == Stage.REGISTERED


def test_an_upload_that_counts_settles_what_is_owed(world):
    project = new_project(world)
    import_history(world.user_bureau, project, Stage.SIGNED, {Stage.SIGNED: D(2025, 3, 1)})
    agreement = MaterialType.objects.get(code="investment_agreement")
    owed = EvidenceOwed.objects.get(project=project, material_type=agreement)
    assert owed.is_open
    version = services.upload_document(world.user_bureau, project, agreement, pdf())
    owed.refresh_from_db()
    assert owed.supplied_version == version and owed.supplied_on == clock.today()


def test_the_enterprises_upload_settles_only_once_confirmed(world):
    project = new_project(world)
    import_history(world.user_bureau, project, Stage.SIGNED, {Stage.SIGNED: D(2025, 3, 1)})
    agreement = MaterialType.objects.get(code="investment_agreement")
    version = services.upload_document(world.user_enterprise, project, agreement, pdf())
    assert version.awaits_confirmation
    owed = EvidenceOwed.objects.open().filter(project=project, material_type=agreement)
    assert owed.count() == 1
    services.confirm_document(world.user_bureau, version)
    assert not owed.exists()
