"""An import batch (补录): its records with their source rows, the cascade's snapshot, undo
(refused while anything was recorded on its records since), confirm (once, the bureau),
where a record came from ({% import_source %}) and the progress a second process reads."""

from __future__ import annotations

import datetime
import json
import types
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Template

from zhaoshang.core.audit import log_event
from zhaoshang.core.imports import batches, progress
from zhaoshang.core.imports.importer import Row
from zhaoshang.core.models import DomainEvent, ImportBatch, ImportedRecord, ImportStatus
from zhaoshang.projects.choices import Stage, TeamRole
from zhaoshang.projects.models import FundsEntry, Project, ProjectTeamMember, StageEvent
from zhaoshang.testing import ROLE_USERS
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.projects import ProjectFactory

SHEETS = {"enterprises": "企业", "projects": "项目"}


def importer(kind):
    return types.SimpleNamespace(kind=kind, sheet=SHEETS[kind])


def new_batch(world, **extra) -> ImportBatch:
    return ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file=ContentFile(b"PK", name="台账.xlsx"),
        file_name="台账.xlsx",
        created_by=world.user_bureau,
        **extra,
    )


def run_import(world, batch, count=1):
    """What run_all does for a workbook of ``count`` enterprises and their projects: each
    row's records through ``record``, the import's own events, then ``finish``."""
    user = world.user_bureau
    made = []
    for n in range(count):
        enterprise = EnterpriseFactory(district=world.district_a, name=f"补录企业{n}")
        batches.record(batch, importer("enterprises"), Row(number=3 + n, raw={}), enterprise)
        project = ProjectFactory(
            district=world.district_a,
            enterprise=enterprise,
            name=f"补录项目{n}",
            stage=Stage.SIGNED,
            signed_on=datetime.date(2025, 3, 1),
        )
        # Created along with the row's project (not recorded by the row): the snapshot's.
        StageEvent.objects.create(
            project=project,
            from_stage=Stage.LEAD,
            to_stage=Stage.SIGNED,
            occurred_on=datetime.date(2025, 3, 1),
            recorded_by=user,
            is_imported=True,
            import_batch=batch,
        )
        ProjectTeamMember.objects.create(
            project=project, user=world.user_secretary, role=TeamRole.SECRETARY
        )
        batches.record(batch, importer("projects"), Row(number=4 + n, raw={}), [project])
        log_event(user, "project.created", project, summary=project.name)
        made.append((enterprise, project))
    batches.finish(batch, summary={"projects": count})
    return made


@pytest.fixture
def imported(world):
    batch = new_batch(world, status=ImportStatus.RUNNING)
    ((enterprise, project),) = run_import(world, batch)
    return types.SimpleNamespace(batch=batch, enterprise=enterprise, project=project)


def _exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


# --- recording ---------------------------------------------------------------------------------


def test_record_only_buffers_and_finish_writes_rows_and_the_snapshot(
    world, django_assert_num_queries
):
    batch = new_batch(world)
    enterprise = EnterpriseFactory(district=world.district_a)
    ContentType.objects.get_for_model(enterprise)  # (cached for the process by Django)
    with django_assert_num_queries(0):
        batches.record(batch, importer("enterprises"), Row(number=7, raw={}), enterprise)
        batches.record(batch, importer("enterprises"), Row(number=8, raw={}), None)
    assert not ImportedRecord.objects.exists()
    batches.finish(batch)
    (row,) = ImportedRecord.objects.filter(batch=batch)
    assert (row.sheet, row.row, row.object_id, row.version) == ("企业", 7, enterprise.pk, 1)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert batch.created_count == 1
    assert batch.finished_at is not None
    assert "last_event_id" in batch.summary


def test_the_snapshot_holds_what_came_along_with_the_rows(imported):
    records = ImportedRecord.objects.filter(batch=imported.batch)
    rows = {(r.content_type.model, r.row) for r in records.filter(row__isnull=False)}
    assert rows == {("enterprise", 3), ("project", 4)}
    along = {r.content_type.model for r in records.filter(row__isnull=True)}
    assert {"stageevent", "projectteammember"} <= along
    assert not along & {"enterprise", "project"}
    assert batches.snapshot(imported.batch) == 0  # taken once: a second call adds nothing
    project_row = records.get(row=4)
    assert project_row.version == imported.project.version
    batch = ImportBatch.objects.get(pk=imported.batch.pk)
    assert batch.summary["projects"] == 1
    assert batch.created_count == 2


def test_a_change_within_the_import_is_its_own(world):
    """A later sheet of the same import changing a record an earlier one created (a team
    sheet, an agreement on an imported project) does not block the undo."""
    batch = new_batch(world)
    project = ProjectFactory(district=world.district_a, name="同批改动")
    batches.record(batch, importer("projects"), Row(number=4, raw={}), project)
    project.save_new_version()
    log_event(world.user_bureau, "project.updated", project, summary="同一次导入")
    batches.finish(batch)
    assert batches.undo_blockers(batch) == []
    assert ImportedRecord.objects.get(batch=batch, row=4).version == 2


def test_a_protecting_record_the_import_made_is_its_own(world):
    """A record the import made without listing it, which protects one of its rows' (a
    project of an imported enterprise) or points at one generically (a ledger entry), goes
    with the batch."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    batch = new_batch(world)
    enterprise = EnterpriseFactory(district=world.district_a, name="只登记企业")
    batches.record(batch, importer("enterprises"), Row(number=3, raw={}), enterprise)
    unlisted = ProjectFactory(district=world.district_a, enterprise=enterprise, name="未列项目")
    entry = write_rule_entry(
        RuleCode.MISSED_MILESTONE, world.dept_works_a, unlisted, "同批", datetime.date(2026, 6, 1)
    )
    batches.finish(batch)
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_bureau, batch)
    for obj in (enterprise, unlisted, entry):
        assert not _exists(obj), obj


# --- undo --------------------------------------------------------------------------------------


def test_undo_deletes_the_whole_batch(world, imported):
    along = [
        *StageEvent.objects.filter(project=imported.project),
        *ProjectTeamMember.objects.filter(project=imported.project),
    ]
    assert batches.undo_blockers(imported.batch) == []
    batch = batches.undo(world.user_bureau, imported.batch)
    for obj in (imported.project, imported.enterprise, *along):
        assert not _exists(obj), obj
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert batch.undone_by == world.user_bureau
    assert batch.undone_at is not None
    event = DomainEvent.objects.filter(verb="import.undone").get()
    assert event.object_id == batch.pk
    assert _exists(world.project1_a)  # nothing else went
    # The history keeps each record as it was deleted, by whom (written in bulk).
    gone = Project.history.get(id=imported.project.pk, history_type="-")
    assert (gone.name, gone.history_user) == (imported.project.name, world.user_bureau)
    assert ProjectTeamMember.history.filter(project_id=imported.project.pk, history_type="-")
    enterprise = type(imported.enterprise).history.get(id=imported.enterprise.pk, history_type="-")
    assert (enterprise.name, enterprise.history_user) == (
        imported.enterprise.name,
        world.user_bureau,
    )
    with pytest.raises(ValidationError):
        batches.undo(world.user_bureau, batch)  # once


def test_undo_after_the_later_batch_only(world, imported):
    """A second batch that put a record on the first's records blocks the first's undo
    until it is undone itself."""
    second = new_batch(world)
    entry = FundsEntry.objects.create(
        project=imported.project,
        received_on=datetime.date(2025, 6, 1),
        amount=Decimal("100"),
        origin="in_city",
        use="fixed_assets",
        recorded_by=world.user_bureau,
    )
    batches.record(second, types.SimpleNamespace(sheet="到位资金"), Row(number=5, raw={}), entry)
    batches.finish(second)
    with pytest.raises(ValidationError):
        batches.undo(world.user_bureau, imported.batch)
    batches.undo(world.user_bureau, second)
    assert not _exists(entry)
    batches.undo(world.user_bureau, imported.batch)
    assert not _exists(imported.project)


def _refusal(world, batch) -> str:
    with pytest.raises(ValidationError) as refused:
        batches.undo(world.user_bureau, batch)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.IMPORTED
    return " ".join(refused.value.messages)


def test_a_scans_signal_does_not_block_and_goes_with_the_batch(world, imported):
    from zhaoshang.monitoring.models import Signal

    signal = Signal.objects.create(
        district=world.district_a,
        subject="case",
        content_type=ContentType.objects.get_for_model(Project),
        object_id=imported.project.pk,
        project=imported.project,
        title="亮灯",
        light="red",
        since=datetime.date(2026, 6, 15),
        checked_on=datetime.date(2026, 6, 15),
    )
    assert batches.undo_blockers(imported.batch) == []
    batches.undo(world.user_bureau, imported.batch)
    assert not _exists(signal)


def test_a_later_funds_entry_blocks_the_undo(world, imported):
    entry = FundsEntry.objects.create(
        project=imported.project,
        received_on=datetime.date(2026, 6, 1),
        amount=Decimal("300"),
        origin="in_city",
        use="fixed_assets",
        recorded_by=world.user_bureau,
    )
    blockers = batches.undo_blockers(imported.batch)
    assert len(blockers) == 1
    assert str(entry) in blockers[0]
    assert str(entry) in _refusal(world, imported.batch)
    assert _exists(imported.project) and _exists(entry)


def test_a_later_stage_change_blocks_the_undo(world, imported):
    project = Project.objects.get(pk=imported.project.pk)
    project.stage = Stage.REGISTERED
    project.registered_on = datetime.date(2026, 6, 10)
    project.save_new_version()
    StageEvent.objects.create(
        project=project,
        from_stage=Stage.SIGNED,
        to_stage=Stage.REGISTERED,
        occurred_on=datetime.date(2026, 6, 10),
        recorded_by=world.user_secretary,
    )
    log_event(world.user_secretary, "project.stage_changed", project, summary="签约 → 注册")
    message = _refusal(world, imported.batch)
    assert project.name in message  # the project changed since
    assert "→" in message  # the stage event added since


def test_an_edit_blocks_the_undo(world, imported):
    from zhaoshang.projects.services.registry import update_project

    update_project(
        world.user_bureau,
        imported.project,
        {"name": "改过名的项目"},
        expected_version=imported.project.version,
    )
    blockers = batches.undo_blockers(imported.batch)
    assert blockers and "改过名的项目" in blockers[0]
    assert len(blockers) == 1  # the change and its event: one reason for one record


def test_an_event_alone_blocks_the_undo(world, imported):
    log_event(world.user_bureau, "project.updated", imported.enterprise, summary="备注")
    (blocker,) = batches.undo_blockers(imported.batch)
    assert imported.enterprise.name in blocker


def test_a_ledger_entry_on_an_imported_record_blocks_the_undo(world, imported):
    """A record pointing at one of the batch's through a generic key (the ledger's
    evidence) counts as recorded on it."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    entry = write_rule_entry(
        RuleCode.MISSED_MILESTONE,
        world.dept_works_a,
        imported.project,
        "逾期",
        datetime.date(2026, 6, 1),
    )
    assert entry is not None
    (blocker,) = batches.undo_blockers(imported.batch)
    assert entry.reason in blocker


def test_a_record_protecting_an_imported_one_blocks_the_undo(world, imported):
    later = ProjectFactory(
        district=world.district_a, enterprise=imported.enterprise, name="后来项目"
    )
    (blocker,) = batches.undo_blockers(imported.batch)
    assert later.name in blocker
    assert _exists(imported.enterprise)


def test_many_blockers_are_counted_past_the_named_ones(world, imported):
    for n in range(batches.MAX_NAMED + 3):
        FundsEntry.objects.create(
            project=imported.project,
            received_on=datetime.date(2026, 6, 1),
            amount=Decimal(n + 1),
            origin="in_city",
            use="fixed_assets",
            recorded_by=world.user_bureau,
        )
    blockers = batches.undo_blockers(imported.batch)
    assert len(blockers) == batches.MAX_NAMED + 1
    assert "3" in blockers[-1]


def test_only_an_imported_batch_is_undone(world):
    batch = new_batch(world, status=ImportStatus.CHECKED)
    with pytest.raises(ValidationError) as refused:
        batches.undo(world.user_bureau, batch)
    assert "status" in refused.value.message_dict
    assert batches.undo_blockers(batch) == []


def test_the_survey_costs_the_same_for_more_rows(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 4):
        batch = new_batch(world, status=ImportStatus.RUNNING)
        run_import(world, batch, count=size)
        with CaptureQueriesContext(connection) as queries:
            assert batches.undo_blockers(batch) == []
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- confirm and who may -----------------------------------------------------------------------


def test_confirm_once(world, imported):
    batch = batches.confirm(world.user_bureau, imported.batch)
    assert batch.confirmed_by == world.user_bureau
    assert batch.confirmed_at is not None
    assert DomainEvent.objects.filter(verb="import.confirmed", object_id=batch.pk).count() == 1
    with pytest.raises(ValidationError) as refused:
        batches.confirm(world.user_admin, imported.batch)
    assert "status" in refused.value.message_dict
    assert ImportBatch.objects.get(pk=batch.pk).confirmed_by == world.user_bureau


def test_only_an_imported_batch_is_confirmed(world):
    batch = new_batch(world, status=ImportStatus.FAILED)
    with pytest.raises(ValidationError):
        batches.confirm(world.user_bureau, batch)


@pytest.mark.parametrize("action", ["confirm", "undo"])
def test_who_may_confirm_and_undo(world, imported, action):
    """The bureau and the administrators of the batch's district; nobody else."""
    allowed = {}
    for who in [*ROLE_USERS, "secretary", "officer", "bureau_b", "admin_b"]:
        user = getattr(world, f"user_{who}")
        with transaction.atomic():
            try:
                getattr(batches, action)(user, imported.batch)
            except PermissionDenied:
                allowed[who] = False
            else:
                allowed[who] = True
            transaction.set_rollback(True)
        imported.batch.refresh_from_db()
    assert {who for who, ok in allowed.items() if ok} == {"admin", "bureau", "secretary"}


# --- where a record came from ------------------------------------------------------------------


def test_source_of_and_the_template_tag(world, imported, django_assert_num_queries):
    source = batches.source_of(imported.project)
    assert (source.batch_id, source.row, source.sheet) == (imported.batch.pk, 4, "项目")
    assert batches.source_of(world.project1_a) is None
    template = Template("{% load imports %}{% import_source obj %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"obj": imported.project}))
    assert "台账.xlsx" in html
    assert "4" in html
    assert f"#{imported.batch.pk}" in html
    assert template.render(Context({"obj": world.project1_a})).strip() == ""


def test_source_of_skips_an_undone_batch(world, imported):
    later = new_batch(world)
    batches.record(later, importer("projects"), Row(number=9, raw={}), imported.project)
    batches.finish(later)
    assert batches.source_of(imported.project).batch_id == later.pk
    ImportBatch.objects.filter(pk=later.pk).update(status=ImportStatus.UNDONE)
    assert batches.source_of(imported.project).batch_id == imported.batch.pk


# --- progress ----------------------------------------------------------------------------------


def test_progress_round_trip_through_a_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert progress.get_progress(901) is None
    assert progress.set_progress(901, 0, 200, "importing")
    path = tmp_path / "imports" / "progress" / "901.json"
    assert json.loads(path.read_text())["total"] == 200
    assert not progress.set_progress(901, 1, 200, "importing")  # < 0.5 s and < 1 %
    assert progress.set_progress(901, 2, 200, "importing")  # 1 % moved
    assert progress.set_progress(901, 2, 200, "checking")  # a new phase
    assert progress.set_progress(901, 200, 200, "checking")  # the end
    state = progress.get_progress(901)
    assert state["done"] == 200 and state["percent"] == 100 and state["phase"] == "checking"
    assert [p.name for p in path.parent.iterdir()] == ["901.json"]  # no temporary left
    path.write_text("{half")
    assert progress.get_progress(901) is None
    progress.clear_progress(901)
    assert not path.exists()


def test_progress_through_the_cache_with_redis(monkeypatch):
    monkeypatch.setattr(progress, "_uses_redis", lambda: True)
    progress.set_progress(902, 5, 10, "importing", force=True)
    assert progress.get_progress(902)["percent"] == 50
    progress.clear_progress(902)
    assert progress.get_progress(902) is None
