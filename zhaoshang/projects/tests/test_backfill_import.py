"""补录 through the project importer (issue 20 point 1): an office ledger's headers and
words, projects at their stage with their dates, an unregistered enterprise registered
with its row, problems named by the date's column."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.core.imports import Row
from zhaoshang.core.models import DomainEvent, ImportBatch
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.imports import ProjectImporter
from zhaoshang.projects.models import EvidenceOwed, Project, StageEvent

D = datetime.date
HEADERS = [
    "序号",
    "项目名称",
    "签约企业",
    "统一社会信用代码",
    "落户园区",
    "计划总投资",
    "项目进度",
    "签约时间",
    "开工时间",
    "备注",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def ledger(rows: list[list]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_an_office_ledger_comes_in_at_its_stages(world):
    new_code = make_credit_code("91510100MA9XYW123")
    park = world.park1_a.name
    e1 = world.enterprise1_a
    result = ProjectImporter(world.user_bureau, world.district_a).run(
        ledger(
            [
                [
                    1,
                    "智能装备产业基地",
                    e1.name,
                    e1.credit_code,
                    park,
                    "1.2亿元",
                    "在建",
                    "2025.3.5",
                    "2025年9月9日",
                    "重点",
                ],
                [
                    2,
                    "新材料研发中心",
                    "川渝新材料有限公司",
                    new_code,
                    park,
                    "3,000万元",
                    "已签约",
                    "2025-04-15",
                    None,
                    "",
                ],
                [
                    3,
                    "冷链物流园",
                    "川渝新材料有限公司",
                    new_code,
                    park,
                    8000,
                    "洽谈中",
                    None,
                    None,
                    "",
                ],
            ]
        )
    )
    assert result.ok, result.problems
    started = Project.objects.get(name="智能装备产业基地")
    assert started.stage == Stage.STARTED
    assert started.total_investment == Decimal("12000")
    assert (started.signed_on, started.started_on) == (D(2025, 3, 5), D(2025, 9, 9))
    assert StageEvent.objects.filter(project=started, is_imported=True).count() == 6
    signed = Project.objects.get(name="新材料研发中心")
    assert signed.stage == Stage.SIGNED and signed.total_investment == Decimal("3000")
    registered = Enterprise.objects.get(credit_code=new_code)
    assert registered.district == world.district_a and registered.name == "川渝新材料有限公司"
    talks = Project.objects.get(name="冷链物流园")
    assert talks.stage == Stage.NEGOTIATING and talks.enterprise == registered
    assert EvidenceOwed.objects.filter(project=signed, material_type__code="investment_agreement")


def test_the_stage_is_read_from_the_dates_when_the_ledger_has_none(world):
    e1 = world.enterprise1_a
    result = ProjectImporter(world.user_bureau, world.district_a).run(
        ledger(
            [
                [
                    1,
                    "无阶段项目",
                    e1.name,
                    e1.credit_code,
                    world.park1_a.name,
                    500,
                    None,
                    "2025-01-10",
                    "2025-05-01",
                    "",
                ]
            ]
        )
    )
    assert result.ok, result.problems
    assert Project.objects.get(name="无阶段项目").stage == Stage.STARTED


def test_history_problems_are_named_by_their_column_and_nothing_is_saved(world):
    e1 = world.enterprise1_a
    park = world.park1_a.name
    before = Project.objects.count()
    result = ProjectImporter(world.user_bureau, world.district_a).run(
        ledger(
            [
                [
                    1,
                    "开工早于签约",
                    e1.name,
                    e1.credit_code,
                    park,
                    500,
                    "已开工",
                    "2025-06-01",
                    "2025-01-01",
                    "",
                ],
                [
                    2,
                    "未来签约",
                    e1.name,
                    e1.credit_code,
                    park,
                    500,
                    "已签约",
                    "2026-12-01",
                    None,
                    "",
                ],
                [
                    3,
                    "开工无日期",
                    e1.name,
                    e1.credit_code,
                    park,
                    500,
                    "开工建设",
                    "2025-06-01",
                    None,
                    "",
                ],
                [
                    4,
                    "签约有开工",
                    e1.name,
                    e1.credit_code,
                    park,
                    500,
                    "签约",
                    "2025-06-01",
                    "2025-07-01",
                    "",
                ],
            ]
        )
    )
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(2, "Started on"), (3, "Signed on"), (4, "Started on"), (5, "Started on")}
    assert Project.objects.count() == before


def test_rows_of_a_batch_name_their_batch_and_source(world):
    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file_name="东城台账.xlsx",
        created_by=world.user_bureau,
    )
    importer = ProjectImporter(world.user_bureau, world.district_a, batch=batch, sheet="项目")
    e1 = world.enterprise1_a
    rows = [
        Row(
            number=7,
            raw={
                "name": "批次项目",
                "credit_code": e1.credit_code,
                "park": world.park1_a.name,
                "total_investment": "2亿元",
                "stage": "已供地",
                "signed_on": "2025.1.5",
                "land_delivered_on": "2025.6.1",
            },
        )
    ]
    result = importer.run_rows(rows)
    assert result.ok, result.problems
    project = Project.objects.get(name="批次项目")
    assert project.stage == Stage.LAND_DELIVERED and project.total_investment == Decimal("20000")
    assert set(
        StageEvent.objects.filter(project=project).values_list("import_batch", flat=True)
    ) == {batch.pk}
    event = DomainEvent.objects.for_object(project).get(verb="project.stage_imported")
    assert "东城台账.xlsx" in event.data["source"] and "7" in event.data["source"]


def test_a_batch_undoes_its_projects_with_their_history_and_registered_enterprises(world):
    from zhaoshang.core.imports import batches

    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )
    new_code = make_credit_code("91510100MA9XYW456")
    rows = [
        Row(
            number=4,
            raw={
                "name": "可撤销项目",
                "enterprise": "新登记企业有限公司",
                "credit_code": new_code,
                "park": world.park1_a.name,
                "total_investment": 800,
                "stage": "在建",
                "signed_on": "2025-01-05",
                "started_on": "2025-06-01",
            },
        )
    ]
    importer = ProjectImporter(world.user_bureau, world.district_a, batch=batch, sheet="项目")
    assert importer.run_rows(rows).ok
    batches.finish(batch)
    project = Project.objects.get(name="可撤销项目")
    assert batch.created_count == 2  # the project and the enterprise registered with it
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_bureau, batch)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not StageEvent.objects.filter(project_id=project.pk).exists()
    assert not EvidenceOwed.objects.filter(project_id=project.pk).exists()
    assert not Enterprise.objects.filter(credit_code=new_code).exists()


def test_once_the_bureau_confirms_the_batch_the_project_moves_on(world):
    from zhaoshang.core.imports import batches
    from zhaoshang.projects.services.stages import stage_moves

    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )
    e1 = world.enterprise1_a
    rows = [
        Row(
            number=5,
            raw={
                "name": "待确认项目",
                "credit_code": e1.credit_code,
                "park": world.park1_a.name,
                "total_investment": 800,
                "stage": "已签约",
                "signed_on": "2025-01-05",
            },
        )
    ]
    assert ProjectImporter(world.user_bureau, world.district_a, batch=batch).run_rows(rows).ok
    batches.finish(batch)
    project = Project.objects.get(name="待确认项目")
    assert all(m.blockers for m in stage_moves(project))
    batches.confirm(world.user_bureau, batch)
    project = Project.objects.get(pk=project.pk)
    assert not any(m.blockers for m in stage_moves(project))
