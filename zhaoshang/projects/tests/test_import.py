"""Excel import of projects (SPEC §16): template round trip, all-or-nothing, district scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.org.models import Park
from zhaoshang.projects import services
from zhaoshang.projects.imports import ProjectImporter
from zhaoshang.projects.models import Project

IMPORT = reverse("projects:import")


def label(key: str) -> str:
    with translation.override("zh-hans"):
        return str(next(c.label for c in ProjectImporter.columns if c.key == key))


def upload(book: openpyxl.Workbook, name: str = "项目.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def template(client) -> openpyxl.Workbook:
    response = client.get(reverse("projects:import_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fill(book: openpyxl.Workbook, rows: list[dict]) -> openpyxl.Workbook:
    sheet = book.worksheets[0]
    position = {cell.value: cell.column for cell in sheet[1]}
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=r, column=position[label(key)], value=value)
    return book


def good_row(world, **extra) -> dict:
    row = {
        "name": "导入新材料项目",
        "credit_code": world.enterprise2_a.credit_code,
        "park": world.park2_a.name,
        "total_investment": 12000,
    }
    row.update(extra)
    return row


def test_the_template_lists_the_districts_reference_data(client_for, world):
    book = template(client_for("bureau"))
    data, notes, lists = book.worksheets
    assert [c.value for c in data[1]][0] == label("name")
    values = {c.value for row in lists.iter_rows() for c in row}
    assert {"装备制造产业园", "食品饮料产业园", "新材料", "招大引强项目工作组"} <= values
    assert world.enterprise1_a.credit_code in values
    assert world.enterprise1_b.credit_code not in values  # another district's
    dropdowns = {str(v.sqref).split(":")[0] for v in data.data_validations.dataValidation}
    park_col = [c.value for c in data[1]].index(label("park"))
    assert openpyxl.utils.get_column_letter(park_col + 1) + "2" in dropdowns
    assert notes.max_row > len(ProjectImporter.columns)


def test_template_round_trip(client_for, world):
    client = client_for("bureau")
    rows = [
        good_row(
            world,
            name="华鑫二期储能项目",
            enterprise=world.enterprise1_a.name,
            credit_code=world.enterprise1_a.credit_code,
            park="P1",  # by code
            industry="装备制造",
            level="重大",
            total_investment=80000,
            fixed_asset_investment=60000.5,
            land_area=150,
            planned_start_on=datetime.datetime(2026, 9, 1),
            planned_completion_on="2027/12/31",
            is_green_channel="是",
            working_group="招大引强项目工作组",
            designated_leader=world.user_manager.username,
            paired_departments="区建设局、国土局",
            committed_jobs=300,
        ),
        {
            "name": "园区道路工程",
            "kind": "园区基础设施项目",
            "park": "装备制造产业园",
            "total_investment": 3000,
        },
        good_row(world, enterprise=world.enterprise2_a.name, credit_code=None),  # by name
    ]
    before = Project.objects.count()
    response = client.post(IMPORT, {"file": upload(fill(template(client), rows))})
    assert response.status_code == 302, [
        (p.row, p.column, p.message) for p in response.context["result"].problems
    ]
    assert Project.objects.count() == before + 3
    p = Project.objects.get(name="华鑫二期储能项目")
    assert p.district == world.district_a and p.code.startswith("ZS-2026-")
    assert p.stage == "lead" and p.signed_on is None
    assert p.enterprise == world.enterprise1_a and p.park == world.park1_a
    assert p.industry == world.industry_a and p.level == "major"
    assert p.fixed_asset_investment == Decimal("60000.50") and p.land_area == Decimal("150")
    assert p.planned_start_on == datetime.date(2026, 9, 1)
    assert p.planned_completion_on == datetime.date(2027, 12, 31)
    assert p.is_green_channel and p.committed_jobs == 300
    assert p.working_group == world.group_a and p.designated_leader == world.user_manager
    assert set(p.paired_departments.all()) == {world.dept_works_a, world.dept_land_a}
    road = Project.objects.get(name="园区道路工程")
    assert road.kind == "infrastructure" and road.enterprise is None and road.level == "general"
    assert Project.objects.get(name="导入新材料项目").enterprise == world.enterprise2_a
    summary = DomainEvent.objects.get(verb="project.imported")
    assert summary.district_id == world.district_a.pk
    assert sorted(summary.data["codes"]) == sorted(
        Project.objects.filter(name__in=[r["name"] for r in rows]).values_list("code", flat=True)
    )
    # The home page's feed of project events skips the import's district-level event.
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert all(e.verb != "project.imported" for e in home.context["events"])


def test_bad_rows_load_nothing_and_each_problem_names_row_column_and_reason(client_for, world):
    client = client_for("bureau")
    other_park = Park.objects.create(
        district=world.district_b, zone=world.zone_b, code="P9", name="北城通航产业园", area_km2=1
    )
    rows = [
        good_row(world),  # 2: fine
        good_row(world, name="未知园区", park="不存在的园区"),  # 3
        good_row(world, name="他区园区", park=other_park.name),  # 4
        good_row(world, name=None),  # 5: no name
        good_row(world, name="投资非数字", total_investment="五千万"),  # 6
        good_row(world),  # 7: the same as row 2
        good_row(world, name="日期有误", planned_start_on="2026-02-30"),  # 8
        good_row(world, name="代码有误", credit_code="91510100MA6ABC1234"),  # 9
        good_row(world, name="代码与名称不符", enterprise=world.enterprise1_a.name),  # 10
        good_row(world, name="固投过大", fixed_asset_investment=20000),  # 11: service refuses
        good_row(
            world,
            name="竣工早于开工",
            planned_start_on="2027-01-01",
            planned_completion_on="2026-01-01",
        ),  # 12: service refuses
        good_row(world, name=Project.objects.get(pk=world.project2_a.pk).name),  # 13: registered
        good_row(world, name="他区企业", credit_code=world.enterprise1_b.credit_code),  # 14
    ]
    before = Project.objects.count()
    response = client.post(IMPORT, {"file": upload(fill(template(client), rows))})
    assert response.status_code == 400
    assert Project.objects.count() == before
    assert not DomainEvent.objects.filter(verb__in=["project.imported", "project.created"])
    result = response.context["result"]
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (3, label("park")),
        (4, label("park")),
        (5, label("name")),
        (6, label("total_investment")),
        (7, label("name")),
        (8, label("planned_start_on")),
        (9, label("credit_code")),
        (10, label("enterprise")),
        (11, label("fixed_asset_investment")),
        (12, label("planned_completion_on")),
        (13, label("name")),
        (14, label("credit_code")),
    }
    messages = {p.row: p.message for p in result.problems}
    assert "不存在的园区" in messages[3] and other_park.name in messages[4]
    assert "2" in messages[7]  # names the row it repeats
    assert world.project2_a.code in messages[13]
    assert all(p.message for p in result.problems)
    assert [p.row for p in result.problems] == sorted(p.row for p in result.problems)
    report = client.get(reverse("projects:import_report"))
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert {(r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)} == found


@pytest.mark.parametrize("who", ["department", "service_center", "park", "leader", "city"])
def test_only_registry_editors_import(client_for, world, who):
    client = client_for(who)
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("projects:import_template")).status_code == 403
    book = openpyxl.Workbook()
    book.active.append([label("name"), label("park"), label("total_investment")])
    book.active.append(["越权项目", world.park1_a.name, 100])
    assert client.post(IMPORT, {"file": upload(book)}).status_code == 403
    assert not Project.objects.filter(name="越权项目").exists()


def test_each_district_imports_into_its_own_registry(client_for, world):
    """bureau_b's file names district b's park and enterprise; district a's are unknown."""
    client = client_for("bureau_b")
    ok = fill(
        template(client),
        [
            {
                "name": "乙区项目",
                "park": world.park1_b.name,
                "credit_code": world.enterprise1_b.credit_code,
                "total_investment": 1,
            }
        ],
    )
    assert client.post(IMPORT, {"file": upload(ok)}).status_code == 302
    assert Project.objects.get(name="乙区项目").district == world.district_b
    refused = fill(
        template(client),
        [
            {
                "name": "借用甲区企业",
                "park": world.park1_b.name,
                "credit_code": world.enterprise2_a.credit_code,
                "total_investment": 1,
            }
        ],
    )
    assert client.post(IMPORT, {"file": upload(refused)}).status_code == 400
    assert not Project.objects.filter(name="借用甲区企业").exists()


def _book(world, rows: int, start: int) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(
        [
            label(k)
            for k in (
                "name",
                "credit_code",
                "park",
                "industry",
                "working_group",
                "paired_departments",
                "total_investment",
            )
        ]
    )
    for i in range(rows):
        book.active.append(
            [
                f"计数项目{start + i}",
                world.enterprise1_a.credit_code,
                world.park1_a.name,
                world.industry_a.name,
                world.group_a.name,
                world.dept_works_a.name,
                100 + i,
            ]
        )
    return upload(book)


@time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_queries_grow_only_by_the_service_per_row(world):
    """Parks, industries, groups, departments and enterprises are looked up once per file;
    only the service's own queries grow with the rows."""
    user, district = world.user_bureau, world.district_a
    data = {
        "enterprise": world.enterprise1_a,
        "park": world.park1_a,
        "industry": world.industry_a,
        "working_group": world.group_a,
        "total_investment": Decimal("100"),
    }
    for n in range(2):  # the second call, once the user's roles are cached
        with CaptureQueriesContext(connection) as one:
            services.create_project(
                user,
                district,
                {**data, "name": f"单建{n}"},
                paired_departments=[world.dept_works_a],
            )
    per_row = len(one.captured_queries)

    # A first import fills the process's one-time caches (content types and the like), which
    # the measured runs would otherwise pay for depending on the tests run before them.
    assert ProjectImporter(user, district).run(_book(world, 1, 50)).ok
    counts = []
    for rows, start in ((3, 100), (6, 200)):
        importer = ProjectImporter(user, district)
        upload_file = _book(world, rows, start)
        with CaptureQueriesContext(connection) as ctx:
            result = importer.run(upload_file)
        assert result.ok, result.problems
        counts.append(len(ctx.captured_queries))
    assert counts[1] - counts[0] == 3 * per_row


def test_the_management_command_imports_and_refuses_like_the_page(world, tmp_path):
    good = tmp_path / "projects.xlsx"
    book = openpyxl.Workbook()
    book.active.append([label("name"), label("park"), label("total_investment")])
    book.active.append(["命令导入项目", world.park1_a.name, 10])
    book.save(good)
    call_command("import_excel", "projects", str(good), "--district", "alpha", "--user", "bureau")
    assert Project.objects.filter(name="命令导入项目", district=world.district_a).exists()

    bad = tmp_path / "bad.xlsx"
    book.active.append(["坏行", "没有这个园区", "x"])
    book.save(bad)
    with pytest.raises(CommandError):
        call_command(
            "import_excel", "projects", str(bad), "--district", "alpha", "--user", "bureau"
        )
    assert not Project.objects.filter(name="坏行").exists()
    with pytest.raises(CommandError):  # district b's editor may not import into a
        call_command(
            "import_excel", "projects", str(good), "--district", "alpha", "--user", "bureau_b"
        )
