"""补录 of agreements and obligations (issue #20 point 2): an agreement's row becomes the
agreement with its terms and investment schedule through ``save_agreement``; the duties on
both sides go through ``add_obligations``; every check is reported by row and column; all
or nothing; the queries grow by a bounded number per row."""

from __future__ import annotations

import datetime
import inspect
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party, Term
from zhaoshang.agreements.imports import AgreementImporter, ObligationImporter, Schedule
from zhaoshang.agreements.models import Agreement, Obligation, ObligationBreach
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core.imports import Row
from zhaoshang.core.models import DomainEvent
from zhaoshang.projects.models import Project

D = datetime.date


def rows(*raws: dict, start: int = 2) -> list[Row]:
    return [Row(number=n, raw=dict(raw)) for n, raw in enumerate(raws, start=start)]


def problems(result) -> set[tuple[int | None, str]]:
    return {(p.row, p.column) for p in result.problems}


def agreement_row(project, /, **extra) -> dict:
    """A key project's agreement as an office's ledger gives it (every term stated)."""
    row = {
        "project": project.code,
        "number": "TZXY-2026-011",
        "signed_on": "2026.3.2",
        "government_party": "测试区人民政府",
        "contracted_investment": "5亿元",
        "land_area": "200亩",
        "schedule": "2026年底前到位1亿元；2027年6月底前累计到位3亿元",
        "start_by": "2026年9月30日",
        "completion_by": "2027-09-30",
        "production_by": "2027/12/31",
        "intensity": 250,
        "intensity_by": "2027-12-31",
        "tax": "1500万元",
        "tax_by": "2028-12-31",
        "jobs": 300,
        "jobs_by": "2028-06-30",
        "energy": "单位产值能耗不高于0.35吨标准煤/万元",
        "energy_by": "2028-06-30",
    }
    row.update(extra)
    return row


def xlsx(headers: list[str], data: list[list]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for line in data:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


# --- the schedule cell ------------------------------------------------------------------------


class _Units:
    units: dict = {}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-12-31 5000；2027-12-31 2亿元", [("2026-12-31", "5000"), ("2027-12-31", "20000")]),
        (
            "2026年底前，到位资金5000万元；2027年6月底前，累计到位2亿元",
            [("2026-12-31", "5000"), ("2027-06-30", "20000")],
        ),
        (
            "5000万元（2026年底前）、2亿元（2027年底前）",
            [("2026-12-31", "5000"), ("2027-12-31", "20000")],
        ),
        (
            "第1期：2026.12.31 5,000；第2期：2027/12/31 12,000",
            [("2026-12-31", "5000"), ("2027-12-31", "12000")],
        ),
        ("２０２６年１２月３１日　５０００", [("2026-12-31", "5000")]),
    ],
)
def test_the_schedule_cell_reads_as_offices_write_it(cell, expected):
    got = Schedule()(cell, _Units())
    assert got == [(D.fromisoformat(d), Decimal(a)) for d, a in expected]


@pytest.mark.parametrize("cell", ["2026-12-31", "五千万元", "2026-13-45 5000"])
def test_a_schedule_cell_without_a_date_and_an_amount_is_refused(cell):
    with pytest.raises(Exception) as caught:
        Schedule()(cell, _Units())
    assert caught.type.__name__ == "ValidationError"


# --- agreements -------------------------------------------------------------------------------


def test_an_agreement_row_records_the_agreement_its_terms_and_its_schedule(world):
    project = world.project1_a
    importer = AgreementImporter(world.user_bureau, world.district_a)
    result = importer.run_rows(rows(agreement_row(project)))
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    agreement = Agreement.objects.get(project=project)
    assert agreement.number == "TZXY-2026-011" and agreement.signed_on == D(2026, 3, 2)
    assert agreement.contracted_investment == Decimal("50000")
    assert agreement.land_area == Decimal("200")
    # The investing party defaults to the project's enterprise.
    assert agreement.enterprise_party == project.enterprise.name
    terms = services.term_values(agreement)
    assert terms["schedule"] == [
        (D(2026, 12, 31), Decimal("10000")),
        (D(2027, 6, 30), Decimal("30000")),
    ]
    assert terms["terms"]["start_by"] == D(2026, 9, 30)
    assert terms["terms"]["tax"] == Decimal("1500") and terms["terms"]["jobs"] == 300
    obligations = list(agreement.obligations.all())
    assert {ob.term for ob in obligations} == {
        Term.SCHEDULE,
        Term.START,
        Term.COMPLETION,
        Term.PRODUCTION,
        Term.INTENSITY,
        Term.TAX,
        Term.JOBS,
        Term.ENERGY,
    }
    assert all(ob.party == Party.ENTERPRISE for ob in obligations)
    # The row's record is the agreement (its obligations are recorded with it).
    assert result.created == [agreement]
    event = DomainEvent.objects.get(verb="agreement.imported")
    assert event.data["numbers"] == ["TZXY-2026-011"]
    assert event.data["obligations"] == len(obligations) == 9
    assert event.data["without_document"] == [agreement.pk]  # its scan is still to come


def test_the_headers_offices_write_are_understood(world):
    """A sheet with the ledger's own headers (协议编号, 签约日期, 协议投资额 …)."""
    headers = [
        "项目名称",
        "合同编号",
        "签约时间",
        "甲方",
        "乙方",
        "合同投资额",
        "投资进度",
        "约定开工时间",
        "约定竣工时间",
        "约定投产时间",
        "投资强度",
        "投资强度达标时间",
        "年纳税",
        "税收达标时间",
        "就业人数",
        "就业达标时间",
        "节能减排",
        "节能减排达标时间",
    ]
    row = agreement_row(world.project1_a, project=world.project1_a.name)
    data = [
        row["project"],
        "HT-9",
        row["signed_on"],
        "测试区人民政府",
        "华鑫新能源科技有限公司（乙方）",
        row["contracted_investment"],
        row["schedule"],
        row["start_by"],
        row["completion_by"],
        row["production_by"],
        row["intensity"],
        row["intensity_by"],
        row["tax"],
        row["tax_by"],
        row["jobs"],
        row["jobs_by"],
        row["energy"],
        row["energy_by"],
    ]
    result = AgreementImporter(world.user_bureau, world.district_a).run(xlsx(headers, [data]))
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    assert not result.ignored_columns
    agreement = Agreement.objects.get(project=world.project1_a)
    assert agreement.number == "HT-9"
    assert agreement.enterprise_party == "华鑫新能源科技有限公司（乙方）"


def test_a_ledger_keeping_one_date_for_the_figures_and_amounts_in_its_unit(world):
    """As the example ledger keeps them: 协议投资额（亿元） a bare number, the figures of
    intensity, tax and jobs without their dates (due by the agreed production)."""
    importer = AgreementImporter(world.user_bureau, world.district_a)
    importer.units = {"contracted_investment": "100m", "schedule": "100m"}
    row = agreement_row(
        world.project1_a,
        contracted_investment=5,
        schedule="2026年12月31日前累计到位1.5；2027年6月30日前累计到位30000万元",
        jobs="300人",
        intensity_by=None,
        tax_by=None,
        jobs_by=None,
        energy_by=None,
    )
    result = importer.run_rows(rows(row))
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    agreement = Agreement.objects.get(project=world.project1_a)
    assert agreement.contracted_investment == Decimal("50000")
    values = services.term_values(agreement)
    assert values["schedule"] == [
        (D(2026, 12, 31), Decimal("15000")),
        (D(2027, 6, 30), Decimal("30000")),
    ]
    terms = values["terms"]
    assert terms["jobs"] == 300
    production = D(2027, 12, 31)
    assert terms["production_by"] == production
    assert terms["intensity_by"] == terms["tax_by"] == terms["jobs_by"] == production
    assert terms["energy_by"] == production


def test_an_unsigned_project_is_refused_with_the_way_forward(world):
    project = world.project2_a  # a lead
    result = AgreementImporter(world.user_bureau, world.district_a).run_rows(
        rows(agreement_row(project, number="X-1"))
    )
    assert problems(result) == {(2, "Project")}
    message = result.problems[0].message
    assert "not signed" in message and "projects sheet" in message
    assert not Agreement.objects.filter(project=project).exists()


GENERAL = {"tax": None, "tax_by": None, "jobs": None, "jobs_by": None}
GENERAL |= {"energy": None, "energy_by": None, "enterprise_party": "成都某投资有限公司"}


def signed_projects(world, n: int) -> list[Project]:
    """``n`` general projects of district a, signed on 2026-04-01."""
    return [
        Project.objects.create(
            district=world.district_a,
            code=f"ZS-2026-09{i:02d}",
            name=f"补录测试项目{i}",
            park=world.park1_a,
            stage="signed",
            signed_on=D(2026, 4, 1),
            total_investment=Decimal("60000"),
        )
        for i in range(n)
    ]


def test_every_check_is_reported_by_row_and_column_and_nothing_is_saved(world, make_agreement):
    make_agreement(project=world.project1_b)  # another district's: its number is free here
    p1 = world.project1_a
    p = signed_projects(world, 7)

    def general(project, **extra):
        return {**agreement_row(project, number=f"N-{project.code}"), **GENERAL, **extra}

    result = AgreementImporter(world.user_bureau, world.district_a).run_rows(
        rows(
            agreement_row(p1),  # good
            agreement_row(p1, number="N-3"),  # the same project twice
            general(p[0], number="TZXY-2026-011"),  # the number twice
            agreement_row(p1, project="ZS-2099-9999", number="N-5"),  # no such project
            general(p[1], signed_on="2026-02-30"),
            general(p[2], schedule="2026-12-31"),
            # completion before start: the service's check, on its column
            general(p[3], completion_by="2026-08-01"),
            general(p[4], contracted_investment="五亿"),
            general(p[5], government_party=None),
            # the service's check of the schedule against the contracted investment
            general(p[6], contracted_investment=20000),
        )
    )
    assert not result.ok
    assert problems(result) == {
        (3, "Project"),
        (4, "Agreement number"),
        (5, "Project"),
        (6, "Signed on"),
        (7, "Investment schedule"),
        (8, "Completion by"),
        (9, "Contracted investment (10k yuan)"),
        (10, "Government party (甲方)"),
        (11, "Investment schedule"),
    }
    assert not Agreement.objects.filter(district=world.district_a).exists()
    assert not Obligation.objects.filter(district=world.district_a).exists()


def test_a_key_projects_missing_terms_are_named_and_an_agreement_already_recorded(
    world, make_agreement
):
    p1 = world.project1_a  # major: every term
    result = AgreementImporter(world.user_bureau, world.district_a).run_rows(
        rows(agreement_row(p1, tax=None, tax_by=None))
    )
    assert not result.ok
    assert any("Missing" in p.message and p.column == "Project" for p in result.problems)
    make_agreement(project=p1)
    result = AgreementImporter(world.user_bureau, world.district_a).run_rows(
        rows(agreement_row(p1, number="N-2"))
    )
    assert problems(result) == {(2, "Project")}
    assert "already has its agreement" in result.problems[0].message


def test_only_registry_editors_import_agreements(world):
    for user in (world.user_department, world.user_leader):
        importer = AgreementImporter(user, world.district_a)
        assert not importer.allowed()
    assert AgreementImporter(world.user_bureau, world.district_a).allowed()
    assert not AgreementImporter(world.user_bureau_b, world.district_a).allowed()
    with pytest.raises(PermissionDenied):
        AgreementImporter(world.user_department, world.district_a).run(xlsx(["项目"], [["x"]]))


# --- obligations ------------------------------------------------------------------------------


def test_the_duties_on_both_sides_are_recorded_with_their_history(world, make_agreement):
    agreement = make_agreement(project=world.project1_a)
    importer = ObligationImporter(world.user_bureau, world.district_a)
    result = importer.run_rows(
        rows(
            {
                "agreement": agreement.number,
                "party": "甲方",
                "department": "建设局",
                "kind": "服务",
                "title": "完成厂区道路及雨污管网",
                "target_text": "完成厂区道路及雨污管网并通过验收",
                "due_on": "2026年12月31日",
            },
            {
                "project": world.project1_a.code,
                "party": "乙方",
                "kind": "税收",
                "title": "2026年度纳税",
                "target_amount": "800万元",
                "due_on": "2026.4.30",
                "met_on": "2026.4.20",  # met before the platform kept it
            },
            {
                "project": world.project1_a.name,
                "kind": "就业",
                "title": "新增就业",
                "target_amount": "120人",
                "due_on": "2026-05-31",
                "met_on": "2026-06-10",  # met late
            },
            {
                "agreement": agreement.number,
                "department": "区国土局",  # the party follows from the department
                "kind": "阶段",
                "title": "交付净地",
                "target_stage": "交地",
                "due_on": "2026-05-15",
                "waived_on": "2026-05-10",
                "waiver_reason": "补充协议（2026年5月）改为分期交地",
            },
        )
    )
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    service, tax, jobs, land = result.created
    assert service.party == Party.DEPARTMENT and service.department == world.dept_works_a
    assert service.kind == ObligationKind.SERVICE and service.term == Term.NONE
    assert tax.party == Party.ENTERPRISE and tax.target_amount == Decimal("800")
    assert tax.confirmed_on == D(2026, 4, 20) and "补录" in tax.confirmation_note
    assert not tax.evidence_name  # the evidence is still to come
    assert jobs.target_amount == Decimal("120") and jobs.confirmed_on == D(2026, 6, 10)
    assert ObligationBreach.objects.filter(obligation=jobs).exists()  # met late
    assert not ObligationBreach.objects.filter(obligation=tax).exists()
    assert land.party == Party.DEPARTMENT and land.department == world.dept_land_a
    assert land.target_stage == "land_delivered" and land.waived_on == D(2026, 5, 10)
    statuses = {ob.pk: services.obligation_status(ob) for ob in result.created}
    assert statuses == {
        service.pk: "pending",
        tax.pk: "met",
        jobs.pk: "met_late",
        land.pk: "waived",
    }


def test_every_obligation_check_is_reported_by_row_and_column(world, make_agreement):
    agreement = make_agreement(project=world.project1_a)
    base = {"agreement": agreement.number, "kind": "税收", "title": "纳税", "due_on": "2026-12-31"}
    result = ObligationImporter(world.user_bureau, world.district_a).run_rows(
        rows(
            {**base, "target_amount": 100},  # good
            {**base, "target_amount": 100},  # the same obligation twice
            {**base, "agreement": None, "title": "a"},  # no agreement named
            {**base, "agreement": None, "project": world.project2_a.code, "title": "b"},
            {**base, "title": "c", "target_amount": 100, "party": "企业", "department": "建设局"},
            {
                **base,
                "title": "d",
                "kind": "资金到位",
                "target_amount": 100,
                "met_on": "2026-05-01",
            },
            {**base, "title": "e", "target_amount": 100, "waived_on": "2026-05-01"},
            {**base, "title": "f", "target_amount": 100, "met_on": "2026-07-01"},
            {**base, "title": "g"},  # no target figure: the service's check
            {**base, "title": "h", "party": "部门", "department": "建设局", "target_amount": 5},
            {**base, "title": "i", "kind": "打扫卫生", "target_amount": 5},
            {**base, "title": "j", "target_amount": 5, "due_on": "2026-01-01"},
            {**base, "title": "k", "department": "不存在的局", "kind": "服务"},
            {**base, "title": "l", "kind": "就业", "target_amount": "12.5人"},
        )
    )
    assert problems(result) == {
        (3, "Obligation"),
        (4, "Agreement number"),
        (5, "Project"),
        (6, "Department"),
        (7, "Met on"),
        (8, "Reason for the waiver"),
        (9, "Met on"),
        (10, "Target figure"),
        (11, "Measure"),
        (12, "Measure"),
        (13, "Due on"),
        (14, "Department"),
        (15, "Target figure"),
    }
    assert not Obligation.objects.filter(agreement=agreement, term=Term.NONE).exists()


def test_the_agreements_made_by_an_earlier_sheet_are_found(world):
    """As run_all runs the sheets: the obligations' prepare runs after the agreements."""
    importer = AgreementImporter(world.user_bureau, world.district_a)
    assert importer.run_rows(rows(agreement_row(world.project1_a))).ok
    result = ObligationImporter(world.user_bureau, world.district_a).run_rows(
        rows(
            {
                "agreement": "TZXY-2026-011",
                "kind": "产值",
                "title": "年产值",
                "target_amount": "3亿元",
                "due_on": "2028-12-31",
            }
        )
    )
    assert result.ok, result.problems
    assert result.created[0].target_amount == Decimal("30000")


def test_one_batch_records_both_sheets_and_is_undone_whole(world):
    """run_all with a batch: the agreement and its obligations are the row's records, the
    obligations of the second sheet theirs; the undo deletes them all (nothing since)."""
    from django.core.files.base import ContentFile

    from zhaoshang.core.imports import batches
    from zhaoshang.core.imports.importer import run_all
    from zhaoshang.core.models import ImportBatch, ImportedRecord

    batch = ImportBatch.objects.create(
        district=world.district_a,
        kind="workbook",
        file=ContentFile(b"PK", name="台账.xlsx"),
        file_name="台账.xlsx",
        created_by=world.user_bureau,
    )
    agreements = AgreementImporter(world.user_bureau, world.district_a)
    obligations = ObligationImporter(world.user_bureau, world.district_a)
    agreements.sheet, obligations.sheet = "协议", "双方义务"
    agreements.batch = obligations.batch = batch  # as the onboarding's run sets them
    duty = {
        "agreement": "TZXY-2026-011",
        "party": "甲方",
        "department": "东城园区管委会",
        "kind": "要素保障",
        "title": "项目用地七通一平并交付",
        "target_text": "完成地块七通一平，具备进场施工条件",
        "due_on": "2026-05-30",
        "met_on": "2026.5.20",
    }
    result = run_all(
        [(agreements, rows(agreement_row(world.project1_a), start=5)), (obligations, rows(duty))],
        batch=batch,
    )
    assert result.ok, [(p.sheet, p.row, p.column, p.message) for p in result.problems]
    batches.finish(batch)
    agreement = Agreement.objects.get(project=world.project1_a)
    recorded = ImportedRecord.objects.filter(batch=batch, row__isnull=False)
    by_sheet = {(r.sheet, r.row) for r in recorded}
    assert by_sheet == {("协议", 5), ("双方义务", 2)}
    assert (
        recorded.filter(sheet="协议").count() == 1 + agreement.obligations.exclude(term="").count()
    )
    (met,) = Obligation.objects.filter(agreement=agreement, term="")
    assert "台账.xlsx" in met.confirmation_note and "双方义务" in met.confirmation_note
    assert batches.undo_blockers(batch) == []
    batches.undo(world.user_admin, batch)
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not Obligation.objects.filter(agreement_id=agreement.pk).exists()


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = run()
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    return len(captured)


def test_queries_grow_by_a_bounded_number_per_row(world, make_agreement):
    agreement = make_agreement(project=world.project1_a)

    def obligation_rows(first: int, n: int) -> list[Row]:
        return rows(
            *[
                {
                    "agreement": agreement.number,
                    "department": "建设局",
                    "kind": "服务",
                    "title": f"服务事项{i}",
                    "target_text": "完成并通过验收",
                    "due_on": "2026-12-31",
                    "met_on": "2026-06-01",  # the history too: confirmed as imported
                }
                for i in range(first, first + n)
            ]
        )

    importer = ObligationImporter(world.user_bureau, world.district_a)
    few = _queries(lambda: importer.run_rows(obligation_rows(0, 2)))
    importer = ObligationImporter(world.user_bureau, world.district_a)
    many = _queries(lambda: importer.run_rows(obligation_rows(10, 12)))
    # A dozen a row (the obligation, its history, its event, its confirmation), no lookups.
    assert many - few <= 12 * 10, (few, many)


def test_an_agreement_rows_queries_are_bounded(world):
    projects = signed_projects(world, 12)

    def agreement_rows(chosen):
        return rows(*[{**agreement_row(p, number=f"N-{p.code}"), **GENERAL} for p in chosen])

    few = _queries(
        lambda: AgreementImporter(world.user_bureau, world.district_a).run_rows(
            agreement_rows(projects[:2])
        )
    )
    many = _queries(
        lambda: AgreementImporter(world.user_bureau, world.district_a).run_rows(
            agreement_rows(projects[2:])
        )
    )
    # A dozen a row, however many terms (their obligations are inserted together).
    assert many - few <= 12 * 8, (few, many)


# --- go-live ----------------------------------------------------------------------------------


def test_a_duty_missed_before_go_live_docks_nobody(world, make_agreement):
    from zhaoshang.assessment import services as assessment

    if "go_live" not in inspect.getsource(assessment.write_rule_entry):
        pytest.skip("the go-live rule is not in assessment.write_rule_entry yet")
    world.district_a.go_live_on = D(2026, 6, 1)
    world.district_a.save(update_fields=["go_live_on"])
    agreement = make_agreement(project=world.project1_a)
    duty = {"agreement": agreement.number, "department": "建设局", "kind": "服务"}
    result = ObligationImporter(world.user_bureau, world.district_a).run_rows(
        rows(
            {
                **duty,
                "title": "供电配套",
                "target_text": "完成10kV供电接入",
                "due_on": "2026-04-30",
                "met_on": "2026-05-20",  # late, but due before go-live
            },
            {
                **duty,
                "title": "供水配套",
                "target_text": "完成DN300供水管网接入",
                "due_on": "2026-06-05",
                "met_on": "2026-06-10",  # late, due after go-live
            },
        )
    )
    assert result.ok, result.problems
    before, after = result.created
    assert ObligationBreach.objects.filter(obligation__in=[before, after]).count() == 2
    docked = LedgerEntry.objects.filter(department=world.dept_works_a)
    assert [e.evidence_id for e in docked] == [after.pk]


# --- the templates ----------------------------------------------------------------------------


@pytest.mark.parametrize("importer_class", [AgreementImporter, ObligationImporter])
def test_each_sheet_has_its_template(world, importer_class):
    from zhaoshang.core.imports import template_workbook

    importer = importer_class(world.user_bureau, world.district_a)
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(importer)))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers == [str(c.label) for c in importer_class.columns]
    allowed = {c.value for row in book.worksheets[2].iter_rows() for c in row}
    if importer_class is ObligationImporter:
        assert {"区建设局", "Enterprise", "Service delivered"} <= allowed
    else:
        assert world.project1_a.code in allowed and world.project1_b.code not in allowed
