"""Several sheets imported in one transaction: all or nothing, a dry run, the batch's
records, progress, and no query per row from the engine itself."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.core.imports import Column, Importer, Problem, Ref, Row, Text, run_all
from zhaoshang.core.models import DomainEvent, ImportBatch, ImportedRecord, ImportMapping


class Kinds(Importer):
    """Part 1: creates an ImportMapping per row (a real table, core's own)."""

    kind = "kinds"
    sheet_title = "Kinds"
    event_verb = "kinds.imported"
    columns = (Column("name", "Name", Text(40), required=True, aliases=("名称",)),)

    def allowed(self):
        return True

    def check_rows(self, rows):
        seen = set()
        for row in rows:
            if row.values["name"] in seen:  # a problem made without its sheet
                yield Problem(row=row.number, column="Name", message="twice in the file")
            seen.add(row.values["name"])

    def create(self, values):
        if values["name"] == "refused":
            raise ValidationError({"name": "refused by the service"})
        return ImportMapping.objects.create(district=self.district, kind=values["name"])


class Uses(Importer):
    """Part 2: names a record part 1 created; creates two records per row (a list)."""

    kind = "uses"
    sheet_title = "Uses"
    event_verb = "uses.imported"
    columns = (
        Column(
            "of",
            "Of",
            Ref(
                lambda imp: ImportMapping.objects.filter(district=imp.district),
                keys=lambda m: [m.kind],
                not_found="No kind “%(value)s”.",
            ),
            required=True,
        ),
    )

    def allowed(self):
        return True

    def create(self, values):
        return [
            ImportMapping.objects.create(district=self.district, kind=values["of"].kind + "-1"),
            ImportMapping.objects.create(district=self.district, kind=values["of"].kind + "-2"),
        ]


def rows(key: str, *values, start: int = 2) -> list[Row]:
    return [Row(number=start + i, raw={key: v}) for i, v in enumerate(values)]


@pytest.fixture
def make(world):
    def build(cls, sheet, batch=None):
        return cls(world.user_bureau, world.district_a, batch=batch, sheet=sheet)

    return build


@pytest.fixture
def batch(world):
    return ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file="imports/台账.xlsx",
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )


def mappings(world) -> set[str]:
    return set(
        ImportMapping.objects.filter(district=world.district_a).values_list("kind", flat=True)
    )


def test_a_later_part_finds_what_an_earlier_part_created(world, make):
    result = run_all(
        [
            (make(Kinds, "类别"), rows("name", "a", "b")),
            (make(Uses, "引用"), rows("of", "a", "b", start=5)),
        ]
    )
    assert result.ok, result.problems
    assert mappings(world) == {"a", "b", "a-1", "a-2", "b-1", "b-2"}
    assert result.counts == {"kinds": 2, "uses": 2}
    assert len(result.created) == 4  # each row's first record
    verbs = DomainEvent.objects.filter(verb__in=["kinds.imported", "uses.imported"])
    assert sorted(e.data["sheet"] for e in verbs) == ["引用", "类别"]


def test_a_bad_row_in_part_two_rolls_part_one_back(world, make):
    result = run_all(
        [
            (make(Kinds, "类别"), rows("name", "a", "b")),
            (make(Uses, "引用"), rows("of", "a", "missing", start=5)),
        ]
    )
    assert not result.ok
    assert mappings(world) == set()
    assert result.created == [] and result.counts == {}
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "引用",
        6,
        "Of",
        "missing",
    )
    assert not DomainEvent.objects.filter(verb="kinds.imported").exists()


def test_problems_of_every_part_in_the_parts_order(world, make):
    result = run_all(
        [
            (make(Kinds, "类别"), rows("name", "a", "refused", None, "x" * 41)),
            (make(Uses, "引用"), rows("of", "nope")),
        ]
    )
    assert [(p.sheet, p.row) for p in result.problems] == [
        ("类别", 3),
        ("类别", 4),
        ("类别", 5),
        ("引用", 2),
    ]
    assert result.problem_count == 4
    assert result.problems[0].message == "refused by the service"
    assert mappings(world) == set()


def test_a_dry_run_checks_every_part_and_writes_nothing(world, make, batch):
    result = run_all(
        [
            (make(Kinds, "类别", batch), rows("name", "a")),
            (make(Uses, "引用", batch), rows("of", "a")),
        ],
        dry_run=True,
        batch=batch,
    )
    assert result.ok and result.dry_run
    assert result.counts == {"kinds": 1, "uses": 1}
    assert mappings(world) == set()
    assert not ImportedRecord.objects.filter(batch=batch).exists()
    assert not DomainEvent.objects.filter(verb="kinds.imported").exists()


def test_the_batch_lists_each_rows_records_with_sheet_and_row(world, make, batch):
    pytest.importorskip("zhaoshang.core.imports.batches")
    result = run_all(
        [
            (make(Kinds, "类别", batch), rows("name", "a", start=7)),
            (make(Uses, "引用", batch), rows("of", "a", start=3)),
        ],
        batch=batch,
    )
    assert result.ok, result.problems
    recorded = {
        (r.sheet, r.row, r.subject.kind)
        for r in ImportedRecord.objects.filter(batch=batch, row__isnull=False)
    }
    assert recorded == {("类别", 7, "a"), ("引用", 3, "a-1"), ("引用", 3, "a-2")}
    event = DomainEvent.objects.get(verb="uses.imported")
    assert event.data["batch"] == batch.pk and event.data["file"] == "台账.xlsx"


def test_progress_is_reported_up_to_the_total(make):
    seen = []
    result = run_all(
        [(make(Kinds, "类别"), rows("name", *[f"k{i}" for i in range(250)]))],
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.ok
    assert seen[-1] == (250, 250)
    assert len(seen) <= 101  # not one call per row
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


def test_a_sheet_over_the_row_limit_is_refused_by_name(world, make):
    importer = make(Kinds, "类别")
    importer.max_source_rows = 2
    result = importer.run_rows(rows("name", "a", "b", "c"))
    assert [(p.sheet, p.row) for p in result.file_problems] == [("类别", None)]
    assert "2" in result.file_problems[0].message
    assert mappings(world) == set()
    assert Kinds.max_source_rows == 5000


def test_the_engine_adds_no_query_per_row(make, batch):
    """Only the service's own queries grow with the rows (the batch's records included:
    they are buffered and written in bulk)."""
    pytest.importorskip("zhaoshang.core.imports.batches")
    counts = []
    # (a first run warms the caches a run fills once, e.g. the records' content type)
    for n, prefix in ((1, "w"), (10, "x"), (20, "y")):
        parts = [(make(Kinds, "类别", batch), rows("name", *[f"{prefix}{i}" for i in range(n)]))]
        with CaptureQueriesContext(connection) as ctx:
            assert run_all(parts, batch=batch).ok
        counts.append(len(ctx.captured_queries))
    assert counts[2] - counts[1] == 10  # one INSERT per row, made by ``create``


def test_source_names_the_file_sheet_and_row(make, batch):
    importer = make(Kinds, "项目", batch)
    with translation.override("zh-hans"):  # “台账.xlsx · 项目 · 第 7 行”
        assert importer.source(Row(number=7, raw={})).startswith("台账.xlsx · 项目 · ")
    with translation.override("en"):
        assert importer.source(7) == "台账.xlsx · 项目 · row 7"
    # Set after construction, as the onboarding does, the batch still names the file.
    late = make(Kinds, "项目")
    late.batch = batch
    assert late.file_name == "台账.xlsx"


def test_a_problem_keeps_its_sheet_in_the_batchs_form():
    problem = Problem(row=3, column="Name", message="bad", value="x", sheet="项目")
    assert problem.as_record() == ["项目", 3, "Name", "x", "bad"]
    assert Problem.from_list(problem.as_record()) == problem
    assert Problem.from_list(problem.as_list()) == Problem(3, "Name", "bad", "x")


def test_a_problem_an_importer_makes_itself_names_its_sheet(make):
    result = run_all([(make(Kinds, "类别"), rows("name", "a", "a"))])
    assert [(p.sheet, p.row, p.message) for p in result.problems] == [
        ("类别", 3, "twice in the file")
    ]


def test_an_offices_workbook_read_mapped_and_imported(world, make):
    """From the file to the records: a merged title, a two-row merged header, amounts in
    亿元 from the header and in 万元 from the cell, dates as text, their stage names."""
    import datetime
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoshang.core.imports import Choice, Date, Money
    from zhaoshang.core.imports.mapping import (
        build_rows,
        suggest_columns,
        suggest_unit,
        suggest_values,
    )
    from zhaoshang.core.imports.sources import (
        data_rows,
        guess_header_row,
        header_names,
        read_grids,
    )
    from zhaoshang.core.tests.test_imports_sources import office_workbook
    from zhaoshang.projects.choices import Stage

    made = []

    class Projects(Importer):
        kind = "toy_projects"
        event_verb = "toy.imported"
        columns = (
            Column("name", "Name", Text(60), required=True, aliases=("项目名称",)),
            Column("total_investment", "Total investment", Money(), aliases=("总投资",)),
            Column("annual_plan", "Annual plan", Money(), aliases=("年度计划",)),
            Column(
                "stage",
                "Stage",
                Choice(Stage, aliases={Stage.STARTED: ("在建", "已开工"), Stage.SIGNED: ("签约",)}),
                aliases=("建设阶段",),
            ),
            Column("started_on", "Started on", Date(), aliases=("开工时间",)),
        )

        def allowed(self):
            return True

        def create(self, values):
            made.append(values)
            return ImportMapping.objects.create(district=self.district, kind=values["name"])

    (grid,) = read_grids(SimpleUploadedFile("台账.xlsx", office_workbook()))
    header = guess_header_row(grid, Projects)
    headers = header_names(grid, header)
    columns = suggest_columns(Projects, headers)
    assert columns == [
        None,
        "name",
        "total_investment",
        "annual_plan",
        "stage",
        "started_on",
        None,
        None,
    ]
    units = {key: suggest_unit(h) for h, key in zip(headers, columns, strict=True) if key}
    importer = make(Projects, "重点项目")
    importer.units = {k: u for k, u in units.items() if u}
    stage_values = [cells[4] for _number, cells in data_rows(grid, header)]
    values = {"stage": suggest_values(importer, importer.column("stage"), stage_values)}
    assert values["stage"] == {"在建": "started", "已开工": "started", "签约": "signed"}
    rows = build_rows(grid, header, columns, values)
    result = importer.run_rows(rows)
    assert result.ok, result.problems
    got = [(v["name"], v["total_investment"], v.get("annual_plan"), v["stage"]) for v in made]
    assert got == [
        ("智能装备产业园项目", Decimal("125000.00"), Decimal("30000.00"), "started"),
        ("食品冷链基地", Decimal("3000.00"), Decimal("5000.00"), "started"),  # 万元 in the cell
        ("新材料项目", Decimal("10000.00"), None, "signed"),
    ]
    assert {v["started_on"] for v in made} == {datetime.date(2026, 3, 5)}
    assert mappings(world) == {"智能装备产业园项目", "食品冷链基地", "新材料项目"}
