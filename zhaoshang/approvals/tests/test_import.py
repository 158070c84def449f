"""Import of approval cases in flight (补录, issue 20): each row replayed through the
services on its own days, so the case lands as if recorded step by step."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus, LimitUnit, Party, PauseKind, Phase
from zhaoshang.approvals.imports import CaseImporter
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.tests.conftest import day
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core.imports import Row
from zhaoshang.core.imports.parsers import normalize_key
from zhaoshang.notifications.models import Notification


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def label(key: str) -> str:
    return str(next(c.label for c in CaseImporter.columns if c.key == key))


def rows(*raws: dict) -> list[Row]:
    return [Row(number=n, raw=dict(raw)) for n, raw in enumerate(raws, start=2)]


def run(world, *raws: dict, user=None, dry_run=False):
    importer = CaseImporter(user or world.user_admin, world.district_a)
    return importer.run_rows(rows(*raws), dry_run=dry_run)


def problems(result) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in result.problems}


def case_of(world, code: str) -> ApprovalCase:
    return ApprovalCase.objects.get(project=world.project1_a, item__code=code)


def test_the_office_headers_name_the_columns():
    names = {}
    for column in CaseImporter.columns:
        for name in column.header_names():
            assert name not in names, f"{name} names {names.get(name)} and {column.key}"
            names[name] = column.key
    for header, key in {
        "事项名称": "item",
        "审批事项": "item",
        "办理部门": "department",
        "承办部门": "department",
        "申请日期": "registered_on",
        "收件日期": "registered_on",
        "受理日期": "accepted_on",
        "材料齐全日期": "materials_complete_on",
        "暂停起止": "pause_period",
        "延期日期": "extended_on",
        "办结日期": "done_on",
        "批准文号": "approval_number",
        "办理状态": "state",
    }.items():
        assert names[normalize_key(header)] == key


def test_only_the_districts_administrators_import_cases(world):
    assert CaseImporter(world.user_admin, world.district_a).allowed()
    assert not CaseImporter(world.user_admin, world.district_b).allowed()
    for who in ("bureau", "service_center", "department", "leader", "city", "enterprise"):
        assert not CaseImporter(getattr(world, f"user_{who}"), world.district_a).allowed()
    with pytest.raises(PermissionDenied):
        run(world, {"project": "x"}, user=world.user_bureau)


def test_a_paused_case_lands_with_the_due_date_the_steps_give(world, catalogue):
    result = run(
        world,
        {
            "project": world.project1_a.code,
            "item": "企业投资项目备案",
            "registered_on": "2026.6.1",
            "materials_complete_on": "2026年6月8日",
            "accepted_on": "2026-06-08",
            "pause_kind": "专家评审",
            "pause_period": "2026.6.9-2026.6.12",
            "state": "在办",
        },
    )
    assert result.ok, result.problems
    case = case_of(world, "XM-01")
    # As test_case_life: due 06-11, then the paused working days 10, 11, 12 → 06-16.
    assert case.status == CaseStatus.ACCEPTED and not case.paused
    assert case.due_on == day("2026-06-16")
    assert case.registered_on == day("2026-06-01")
    assert case.department == catalogue["XM-01"].department
    assert case.registered_by == world.user_admin and case.handler == world.user_admin
    pause = case.pauses.get()
    assert (pause.kind, pause.started_on, pause.ended_on) == (
        PauseKind.EXPERT_REVIEW,
        day("2026-06-09"),
        day("2026-06-12"),
    )


def test_an_open_pause_and_an_extension(world, catalogue):
    result = run(
        world,
        {
            "project": world.project1_a.name,
            "item": "XM-01",
            "department": "区建设局",
            "registered_on": "2026-06-10",
            "materials_complete_on": "2026-06-12",
            "accepted_on": "2026-06-12",
            "extended_on": "2026-06-12",
            "extension_approver": world.user_leader.real_name,
            "extension_reason": "需现场踏勘",
            "extended_due_on": "2026-06-29",
            "extension_days": 7,
            "pause_from": "2026-06-15",
            "state": "暂停",
        },
    )
    assert result.ok, result.problems
    case = case_of(world, "XM-01")
    assert case.status == CaseStatus.SUPPLEMENT and case.paused  # 补正 by default
    assert case.extended and case.extension_approver == world.user_leader
    # 10 working days after 06-12, across the Dragon Boat holiday (06-19): 06-29.
    assert case.due_on == day("2026-06-29")
    assert case.department == world.dept_works_a
    assert "补录" in case.pauses.get().reason and case.extension_reason.startswith("需现场踏勘")


def test_the_ledgers_extension_figures_are_kept_and_the_limit_is_the_platforms(world, catalogue):
    result = run(
        world,
        {
            "project": world.project1_a.code,
            "item": "XM-01",
            "registered_on": "2026-06-10",
            "materials_complete_on": "2026-06-12",
            "accepted_on": "2026-06-12",
            "extended_on": "2026-06-12",
            "extension_approver": world.user_leader.username,
            "extended_due_on": "2026-06-19",
            "extension_days": 5,
        },
    )
    assert result.ok, result.problems
    case = case_of(world, "XM-01")
    assert case.due_on == day("2026-06-29")  # the item's special limit, as a step would give
    assert "5" in case.extension_reason and "2026-06-19" in case.extension_reason


def test_a_prerequisite_done_before_the_platform_does_not_hold_up_the_acceptance(world, catalogue):
    """补录: a prerequisite with no case on the platform was done before it; one with an
    open case still holds the acceptance up (the service's rule)."""
    row = {
        "item": "建设用地规划许可证",  # XM-03, after XM-02
        "registered_on": "2026-06-01",
        "materials_complete_on": "2026-06-01",
        "accepted_on": "2026-06-02",
    }
    result = run(world, {**row, "project": world.project1_a.code})
    assert result.ok, result.problems
    assert case_of(world, "XM-03").status == CaseStatus.ACCEPTED
    result = run(world, {**row, "project": world.project2_a.code})  # its XM-02 case is open
    assert problems(result) == {(2, label("accepted_on"))}


def test_natural_days_count_calendar_days(world, catalogue):
    ApprovalItem.objects.create(
        district=world.district_a,
        code="ZZ-01",
        name="自然日事项",
        department=world.dept_works_a,
        phase=Phase.UTILITIES,
        time_limit=15,
        time_limit_unit=LimitUnit.NATURAL_DAY,
        in_green_channel=False,
    )
    result = run(
        world,
        {
            "project": world.project1_a.code,
            "item": "ZZ-01",
            "registered_on": "2026-06-01",
            "materials_complete_on": "2026-06-01",
            "accepted_on": "2026-06-02",
            "pause_period": "2026年6月3日至6月5日",  # the end in the start's year
        },
    )
    assert result.ok, result.problems
    # 15 natural days after 06-01, plus the 2 paused calendar days → 06-18.
    assert case_of(world, "ZZ-01").due_on == day("2026-06-18")


def test_a_case_done_late_is_history_with_its_ledger_entry(world, catalogue):
    before = Notification.objects.count()
    result = run(
        world,
        {
            "project": world.project1_a.code,
            "item": "XM-01",
            "registered_on": "2026-05-06",
            "materials_complete_on": "2026-05-06",
            "accepted_on": "2026-05-06",
            "done_on": "2026-05-20",
            "approval_number": "发改备〔2026〕12号",
            "state": "已办结",
        },
        {
            # Its prerequisite (XM-01) is done by the row above: accepted by the rules.
            "project": world.project1_a.code,
            "item": "用地预审与选址意见书",
            "registered_on": "2026-05-21",
            "materials_complete_on": "2026-05-21",
            "accepted_on": "2026-05-22",
        },
    )
    assert result.ok, result.problems
    case = case_of(world, "XM-01")
    assert case.status == CaseStatus.DONE and case.done_on == day("2026-05-20")
    expected = services.due_after(day("2026-05-06"), 3, LimitUnit.WORKDAY).date
    assert case.due_on == expected < case.done_on
    assert case.approval_number == "发改备〔2026〕12号"
    assert case.late_party == Party.DEPARTMENT
    assert LedgerEntry.objects.filter(evidence_id=case.pk, department=case.department).exists()
    assert Notification.objects.count() == before  # 补录 tells nobody
    assert case_of(world, "XM-02").status == CaseStatus.ACCEPTED


def test_every_check_is_named_by_row_and_column(world, catalogue):
    good = {
        "project": world.project1_a.code,
        "item": "XM-01",
        "registered_on": "2026-06-01",
    }
    result = run(
        world,
        {**good, "project": "不存在的项目"},  # 2
        {**good, "item": "不存在的事项"},  # 3
        {**good, "department": "不存在的部门"},  # 4
        {**good, "registered_on": "2026-07-01"},  # 5: future
        {**good, "materials_complete_on": "2026-05-30"},  # 6: before registration
        {**good, "accepted_on": "2026-05-30"},  # 7: before registration
        {**good, "materials_complete_on": "2026-06-03", "accepted_on": "2026-06-02"},  # 8
        {**good, "pause_from": "2026-06-03"},  # 9: not accepted
        {
            **good,
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
            "pause_period": "2026-06-05 至 2026-06-04",
        },  # 10: pause ends before it starts
        {
            **good,
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
            "pause_from": "2026-06-03",
            "done_on": "2026-06-08",
        },  # 11: done while paused
        {**good, "approval_number": "X-1"},  # 12: not done
        {**good, "extension_approver": world.user_leader.username},  # 13: no date
        {
            **good,
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
            "extended_on": "2026-06-03",
            "extension_approver": world.user_bureau.username,
        },  # 14: not an approver
        {
            **good,
            "project": world.project2_a.code,  # whose XM-02 case is open
            "item": "建设用地规划许可证",
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
        },  # 15: prerequisites not done (service)  # fmt: skip
        {**good, "done_on": "2026-06-05"},  # 16: done, never accepted
        {**good, "registered_on": "上月"},  # 17: not a date
        {**good, "pause_kind": "听证"},  # 18: a kind without dates
        {**good, "item": world.item_works_b.code},  # 19: another district's item
        {**good, "state": "暂停"},  # 20: no open pause
        {**good, "state": "办结"},  # 21: no done date
        {**good, "state": "延期"},  # 22: no extension
        {
            **good,
            "state": "待受理",
            "materials_complete_on": "2026-06-01",
            "accepted_on": "2026-06-02",
        },  # 23: accepted  # fmt: skip
        {**good, "state": "在途"},  # 24: not a status
    )
    assert problems(result) == {
        (2, label("project")),
        (3, label("item")),
        (4, label("department")),
        (5, label("registered_on")),
        (6, label("materials_complete_on")),
        (7, label("accepted_on")),
        (8, label("accepted_on")),
        (9, label("pause_from")),
        (10, label("pause_period")),
        (11, label("pause_to")),
        (12, label("approval_number")),
        (13, label("extended_on")),
        (14, label("extension_approver")),
        (15, label("accepted_on")),
        (16, label("done_on")),
        (17, label("registered_on")),
        (18, label("pause_kind")),
        (19, label("item")),
        (20, label("pause_from")),
        (21, label("done_on")),
        (22, label("extended_on")),
        (23, label("state")),
        (24, label("state")),
    }
    assert all(p.message for p in result.problems)
    assert not ApprovalCase.objects.filter(registered_by=world.user_admin).exists()


def test_the_same_case_twice_or_already_registered(world, catalogue):
    good = {"project": world.project1_a.code, "item": "XM-01", "registered_on": "2026-06-01"}
    result = run(world, good, good, {**good, "item": world.item_works_a.name})
    assert problems(result) == {(3, label("item")), (4, label("item"))}


def test_all_or_nothing_and_the_dry_run(world, catalogue):
    good = {
        "project": world.project1_a.code,
        "item": "XM-01",
        "registered_on": "2026-06-01",
        "materials_complete_on": "2026-06-01",
    }
    result = run(world, good, {**good, "item": "XM-04", "registered_on": "2026-13-01"})
    assert not result.ok
    assert not ApprovalCase.objects.filter(item__code="XM-01").exists()
    result = run(world, good, dry_run=True)
    assert result.ok and not ApprovalCase.objects.filter(item__code="XM-01").exists()
    result = run(world, {**good, "materials_complete_on": None, "accepted_on": "2026-06-01"})
    assert result.ok and case_of(world, "XM-01").materials_complete_on == day("2026-06-01")
    ApprovalCase.objects.filter(item__code="XM-01").delete()
    result = run(world, good)
    assert result.ok and case_of(world, "XM-01").due_on == day("2026-06-04")


def test_the_query_count_grows_by_a_bounded_number_per_row(world, catalogue):
    codes = ["XM-01", "XM-04", "XM-05", "XM-06", "GC-09", "XM-07"]
    known = set(
        ApprovalItem.objects.filter(district=world.district_a).values_list("code", flat=True)
    )
    codes = [c for c in codes if c in known][:6]

    def raw(code):
        return {
            "project": world.project2_a.code,
            "item": code,
            "registered_on": "2026-06-01",
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
            "pause_period": "2026-06-03 至 2026-06-04",
            "done_on": "2026-06-10",
        }

    def count(n):
        with CaptureQueriesContext(connection) as ctx:
            result = run(world, *[raw(c) for c in codes[:n]], dry_run=True)
        assert result.ok, result.problems
        return len(ctx.captured_queries)

    two, many = count(2), count(len(codes))
    per_row = (many - two) / (len(codes) - 2)
    # Six steps a row (registered … done), each a service that locks, saves and logs: a
    # constant per row, whatever the file's length.
    assert per_row <= 64, per_row
    assert two - 2 * per_row <= 15  # what the file costs besides its rows: a few lookups


def test_a_case_late_before_the_go_live_date_docks_nobody(world, catalogue):
    district = world.district_a
    district.go_live_on = day("2026-06-01")
    district.save(update_fields=["go_live_on"])
    late = {
        "project": world.project1_a.code,
        "registered_on": "2026-05-06",
        "materials_complete_on": "2026-05-06",
        "accepted_on": "2026-05-06",
        "done_on": "2026-06-10",
    }
    result = run(
        world,
        {**late, "item": "XM-01"},  # due in May: before the go-live date
        {
            **late,
            "project": world.project2_a.code,
            "item": "XM-01",
            "registered_on": "2026-06-01",
            "materials_complete_on": "2026-06-01",
            "accepted_on": "2026-06-01",
        },  # fmt: skip
    )
    assert result.ok, result.problems
    before = case_of(world, "XM-01")
    after = ApprovalCase.objects.get(project=world.project2_a, item__code="XM-01")
    assert before.done_late and before.due_on < district.go_live_on
    assert not LedgerEntry.objects.filter(evidence_id=before.pk).exists()
    assert after.done_late and after.due_on >= district.go_live_on
    assert LedgerEntry.objects.filter(evidence_id=after.pk).exists()


def test_the_template_round_trips_through_the_file_reader(world, catalogue):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoshang.core.imports import template_workbook

    importer = CaseImporter(world.user_admin, world.district_a)
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(importer)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    values = {c.value for row in book.worksheets[-1].iter_rows() for c in row}
    assert {"企业投资项目备案", world.project1_a.code} <= values
    row = {
        "project": world.project1_a.code,
        "item": "企业投资项目备案",
        "registered_on": "2026.6.1",
        "materials_complete_on": "2026.6.8",
        "accepted_on": "2026.6.8",
        "pause_period": "2026.6.9-2026.6.12",
    }
    for key, value in row.items():
        sheet.cell(row=2, column=headers.index(label(key)) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    result = importer.run(SimpleUploadedFile("审批.xlsx", buffer.getvalue()))
    assert result.ok, result.problems
    assert case_of(world, "XM-01").due_on == day("2026-06-16")


def test_an_open_case_overdue_before_the_go_live_date_is_not_docked_by_the_scan(world, catalogue):
    district = world.district_a
    district.go_live_on = day("2026-06-01")
    district.save(update_fields=["go_live_on"])
    open_late = {
        "item": "XM-01",
        "registered_on": "2026-05-06",
        "materials_complete_on": "2026-05-06",
        "accepted_on": "2026-05-06",
    }
    result = run(
        world,
        {**open_late, "project": world.project1_a.code},  # due in May
        {
            **open_late,
            "project": world.project2_a.code,
            "registered_on": "2026-06-02",
            "materials_complete_on": "2026-06-02",
            "accepted_on": "2026-06-02",
        },  # fmt: skip
    )
    assert result.ok, result.problems
    services.scan_overdue()
    before = case_of(world, "XM-01")
    after = ApprovalCase.objects.get(project=world.project2_a, item__code="XM-01")
    assert before.due_on < district.go_live_on <= after.due_on < day("2026-06-15")
    assert not LedgerEntry.objects.filter(evidence_id=before.pk).exists()
    assert LedgerEntry.objects.filter(evidence_id=after.pk).exists()


def test_an_import_batch_of_cases_is_undone_with_its_pauses_and_ledger_entries(world, catalogue):
    from django.core.files.base import ContentFile

    from zhaoshang.approvals.models import CasePause
    from zhaoshang.core.imports import batches
    from zhaoshang.core.imports.importer import run_all
    from zhaoshang.core.models import ImportBatch, ImportedRecord

    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file=ContentFile(b"PK", name="台账.xlsx"),
        file_name="台账.xlsx",
        created_by=world.user_admin,
    )
    importer = CaseImporter(world.user_admin, world.district_a)
    importer.sheet, importer.batch = "在办审批", batch
    result = run_all(
        [
            (
                importer,
                rows(
                    {
                        "project": world.project1_a.code,
                        "item": "XM-01",
                        "registered_on": "2026-05-06",
                        "materials_complete_on": "2026-05-06",
                        "accepted_on": "2026-05-06",
                        "pause_period": "2026-05-07 至 2026-05-08",
                        "done_on": "2026-05-29",
                    }
                ),
            )
        ],
        batch=batch,
    )
    assert result.ok, result.problems
    batches.finish(batch)
    case = case_of(world, "XM-01")
    assert ImportedRecord.objects.filter(batch=batch, row=2, sheet="在办审批").count() == 1
    assert "台账.xlsx" in case.pauses.get().reason  # the pause says where it came from
    assert batches.source_of(case).row == 2
    assert LedgerEntry.objects.filter(evidence_id=case.pk).exists()  # done late
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_admin, batch)
    assert not ApprovalCase.objects.filter(pk=case.pk).exists()
    assert not CasePause.objects.filter(case_id=case.pk).exists()
    assert not LedgerEntry.objects.filter(evidence_id=case.pk).exists()
