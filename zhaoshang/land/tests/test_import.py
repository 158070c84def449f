"""Import of a district's land parcels (补录, issue 20): through the land services, with
their rules, named by row and column."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.core.imports import Row
from zhaoshang.core.imports.parsers import normalize_key
from zhaoshang.land.choices import Clock, LandUse, ParcelStatus
from zhaoshang.land.imports import ParcelImporter
from zhaoshang.land.models import LandParcel
from zhaoshang.land.tests.factories import make_parcel


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def label(key: str) -> str:
    return str(next(c.label for c in ParcelImporter.columns if c.key == key))


def run(world, *raws: dict, user=None, dry_run=False):
    rows = [Row(number=n, raw=dict(raw)) for n, raw in enumerate(raws, start=2)]
    return ParcelImporter(user or world.user_admin, world.district_a).run_rows(
        rows, dry_run=dry_run
    )


def problems(result) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in result.problems}


def supplied(world, **extra) -> dict:
    row = {
        "code": "宗地-2024-07",
        "name": "华鑫电池项目用地",
        "park": "装备制造产业园",
        "area": "85.5",
        "land_use": "工业用地",
        "status": "已出让",
        "project": world.project1_a.code,
        "delivered_on": "2024.5.10",
        "land_price": "1.2亿元",
        "agreed_start_on": "2025年1月10日",
        "contract_number": "蓉国土出让〔2024〕31号",
        "plot_ratio": "1.5",
    }
    row.update(extra)
    return row


def test_the_office_headers_name_the_columns():
    names = {}
    for column in ParcelImporter.columns:
        for name in column.header_names():
            assert name not in names, f"{name} names {names.get(name)} and {column.key}"
            names[name] = column.key
    for header, key in {
        "地块编号": "code",
        "宗地编号": "code",
        "面积（亩）": "area",
        "用途": "land_use",
        "土地用途": "land_use",
        "状态": "status",
        "供地状态": "status",
        "所属园区": "park",
        "交地日期": "delivered_on",
        "备注": "note",
    }.items():
        assert names[normalize_key(header)] == key


def test_who_imports_parcels(world):
    for who in ("admin", "bureau", "park"):
        assert ParcelImporter(getattr(world, f"user_{who}"), world.district_a).allowed()
    for who in ("department", "leader", "service_center", "city", "enterprise"):
        assert not ParcelImporter(getattr(world, f"user_{who}"), world.district_a).allowed()
    assert not ParcelImporter(world.user_admin, world.district_b).allowed()
    with pytest.raises(PermissionDenied):
        run(world, supplied(world), user=world.user_leader)


def test_good_rows_land_in_their_status(world):
    result = run(
        world,
        supplied(world),
        {
            "宗地编号": None,
            "code": "CB-01",
            "name": "储备地块",
            "park": "P2",
            "area": 30,
            "status": "储备",
            "land_use": "仓储物流用地",
            "note": "待招商",
        },  # fmt: skip
        supplied(
            world,
            code="XZ-01",
            status="闲置",
            delivered_on="2024-03-01",
            agreed_start_on="2025-01-10",
            idle_on="2026-03-01",
            land_price="3,000万元",
        ),
        supplied(
            world,
            code="SH-01",
            status="已收回",
            recovered_on="2026-05-20",
            recovery_document="区政府〔2026〕8号",
            reason="逾期两年未动工",
        ),
    )
    assert result.ok, result.problems
    parcels = {p.code: p for p in LandParcel.objects.filter(district=world.district_a)}
    first = parcels["宗地-2024-07"]
    assert first.status == ParcelStatus.SUPPLIED and first.project == world.project1_a
    assert first.land_price == Decimal("12000.00") and first.area == Decimal("85.50")
    assert first.delivered_on == datetime.date(2024, 5, 10)
    assert first.land_use == LandUse.INDUSTRIAL and first.plot_ratio == Decimal("1.50")
    reserve = parcels["CB-01"]
    assert reserve.status == ParcelStatus.RESERVE and reserve.park == world.park2_a
    assert reserve.land_use == LandUse.WAREHOUSING and reserve.note == "待招商"
    idle = parcels["XZ-01"]
    assert idle.status == ParcelStatus.IDLE and idle.idle_on == datetime.date(2026, 3, 1)
    assert idle.land_price == Decimal("3000.00")
    assert idle.clock(datetime.date(2026, 6, 15)).state in (Clock.IDLE, Clock.RECOVERABLE)
    recovered = parcels["SH-01"]
    assert recovered.status == ParcelStatus.RECOVERED
    assert recovered.recovered_on == datetime.date(2026, 5, 20)
    assert recovered.recovery_document == "区政府〔2026〕8号"


def test_every_check_is_named_by_row_and_column(world):
    make_parcel(world, code="DK-TAKEN")
    result = run(
        world,
        supplied(world, project=None),  # 2: supplied without its project
        supplied(world, code="A3", delivered_on=None),  # 3: without its delivery date
        supplied(world, code="A4", project=world.project2_a.code),  # 4: another park's
        supplied(world, code="DK-TAKEN"),  # 5: the district has it
        supplied(world, code="A6", park="不存在的园区"),  # 6
        supplied(world, code="A7", status="在建"),  # 7: not a status
        supplied(world, code="A8", delivered_on="2026-07-01"),  # 8: future
        supplied(world, code="A9", status="储备"),  # 9: a reserve parcel delivered to a project
        supplied(world, code="A10", status="闲置", idle_on="2025-06-01"),  # 10: too early
        supplied(world, code="A11", status="已收回"),  # 11: no date
        supplied(world, code="A12", status="已收回", recovered_on="2026-05-01"),  # 12: no doc
        supplied(world, code="A13", area="0"),  # 13
        supplied(world, code="A14", land_price="很多"),  # 14
        supplied(world, code="A15", project="不存在的项目"),  # 15
        supplied(world, code="A16"),  # 16
        supplied(world, code="A16"),  # 17: twice in the file
        supplied(world, code="A18", idle_on="2026-03-01"),  # 18: idle date on a supplied one
    )
    assert problems(result) == {
        (2, label("project")),
        (3, label("delivered_on")),
        (4, label("project")),
        (5, label("code")),
        (6, label("park")),
        (7, label("status")),
        (8, label("delivered_on")),
        (9, label("delivered_on")),
        (9, label("project")),
        (10, label("idle_on")),
        (11, label("recovered_on")),
        (12, label("recovery_document")),
        (12, label("reason")),
        (13, label("area")),
        (14, label("land_price")),
        (15, label("project")),
        (17, label("code")),
        (18, label("idle_on")),
    }
    assert all(p.message for p in result.problems)
    assert not LandParcel.objects.filter(code="A16").exists()  # all or nothing


def test_a_park_committee_imports_into_its_own_parks_only(world):
    result = run(world, supplied(world, code="Y1", park="食品饮料产业园", project=None,
                                 status="储备", delivered_on=None), user=world.user_park)  # fmt: skip
    assert problems(result) == {(2, label("park"))}
    result = run(world, supplied(world), user=world.user_park)
    assert result.ok, result.problems


def test_the_dry_run_saves_nothing(world):
    result = run(world, supplied(world), dry_run=True)
    assert result.ok and not LandParcel.objects.filter(code="宗地-2024-07").exists()


def test_the_query_count_grows_by_a_bounded_number_per_row(world):
    def count(n):
        raws = [supplied(world, code=f"Q{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            result = run(world, *raws, dry_run=True)
        assert result.ok, result.problems
        return len(ctx.captured_queries)

    two, six = count(2), count(6)
    per_row = (six - two) / 4
    assert per_row <= 8, per_row
    assert two - 2 * per_row <= 12, two


def test_the_template_round_trips_through_the_file_reader(world):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoshang.core.imports import template_workbook

    importer = ParcelImporter(world.user_admin, world.district_a)
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(importer)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    values = {c.value for row in book.worksheets[-1].iter_rows() for c in row}
    assert {"装备制造产业园", world.project1_a.code} <= values
    row = supplied(world)
    for key, value in row.items():
        sheet.cell(row=2, column=headers.index(label(key)) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    result = importer.run(SimpleUploadedFile("地块.xlsx", buffer.getvalue()))
    assert result.ok, result.problems
    assert LandParcel.objects.filter(code="宗地-2024-07", status=ParcelStatus.SUPPLIED).exists()


def test_an_import_batch_of_parcels_is_undone(world):
    from django.core.files.base import ContentFile

    from zhaoshang.core.imports import batches
    from zhaoshang.core.imports.importer import run_all
    from zhaoshang.core.models import ImportBatch

    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file=ContentFile(b"PK", name="台账.xlsx"),
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )
    importer = ParcelImporter(world.user_bureau, world.district_a)
    importer.sheet, importer.batch = "地块", batch
    raws = [supplied(world), supplied(world, code="XZ-02", status="闲置", idle_on="2026-03-01")]
    rows = [Row(number=n, raw=raw) for n, raw in enumerate(raws, start=5)]
    result = run_all([(importer, rows)], batch=batch)
    assert result.ok, result.problems
    batches.finish(batch)
    idle = LandParcel.objects.get(code="XZ-02")
    assert batches.source_of(idle).row == 6
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_admin, batch)
    assert not LandParcel.objects.filter(
        district=world.district_a, code__in=["XZ-02", "宗地-2024-07"]
    ).exists()
