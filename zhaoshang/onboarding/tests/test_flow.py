"""The ledger import over the pages: upload an office's own workbook (a title row, a merged
header, amounts in 亿元), pick the header row, map the columns and the values, see the
problem of the one value we do not know, map it, import, confirm and undo; a GB 18030 CSV of
enterprises; the background path for large files; the go-live date."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from zhaoshang.core.models import ImportBatch, ImportedRecord, ImportMapping, ImportStatus
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.onboarding import services
from zhaoshang.onboarding.tests.files import enterprises_csv, ledger_xlsx, upload
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

NAMES = ["智能装备产业基地", "精密轴承生产线", "休闲食品加工厂"]


def _upload(client, content, name="台账.xlsx", what="workbook"):
    response = client.post(
        reverse("onboarding:index"), {"file": upload(content, name), "what": what}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.order_by("-pk").first(), response


def _columns_post(response) -> dict:
    """The columns form as suggested (what a user who changes nothing sends)."""
    data = {}
    for item in response.context["items"]:
        for column in item["columns"]:
            data[f"col-{item['index']}-{column['index']}"] = column["key"] or ""
            if column["show_unit"]:
                data[f"unit-{item['index']}-{column['index']}"] = column["unit"]
    return data


def _values_post(response, chosen: dict[str, str]) -> dict:
    """The values form as suggested, with ``chosen`` (their value → our option label)."""
    data = {}
    for item in response.context["items"]:
        labels = {label: value for value, label in item["options"]}
        for entry in item["values"]:
            name = f"val-{item['index']}-{item['key']}-{entry['n']}"
            if entry["value"] in chosen:
                data[name] = labels[chosen[entry["value"]]]
            else:
                data[name] = entry["ours"]
    return data


def test_a_workbook_is_mapped_checked_imported_confirmed_and_undone(client_for, world):
    client = client_for("bureau")
    batch, response = _upload(client, ledger_xlsx())
    assert response["Location"] == reverse("onboarding:sheets", args=[batch.pk])
    assert batch.status == ImportStatus.DRAFT and batch.district == world.district_a
    sheet = batch.mapping["sheets"][0]
    assert (sheet["name"], sheet["kind"], sheet["header_row"]) == ("项目台账", "projects", 2)

    # 1. The sheets: the first rows as a grid, the title row above the header.
    response = client.get(reverse("onboarding:sheets", args=[batch.pk]))
    assert response.status_code == 200
    assert "某区招商引资项目台账" in response.content.decode()
    response = client.post(
        reverse("onboarding:sheets", args=[batch.pk]), {"kind-0": "projects", "header-0": "2"}
    )
    assert response["Location"] == reverse("onboarding:columns", args=[batch.pk])

    # 2. The columns: suggested from the headers (the merged parent joined), 亿元 from the
    # header; a required field left unmapped is named.
    response = client.get(reverse("onboarding:columns", args=[batch.pk]))
    assert response.status_code == 200
    columns = {c["header"]: c for c in response.context["items"][0]["columns"]}
    assert columns["项目名称"]["key"] == "name"
    assert columns["所属园区"]["key"] == "park"
    assert columns["计划投资/总投资（亿元）"]["key"] == "total_investment"
    assert columns["计划投资/总投资（亿元）"]["unit"] == "100m"
    assert columns["序号"]["key"] is None and columns["备注"]["key"] is None
    data = _columns_post(response)
    response = client.post(
        reverse("onboarding:columns", args=[batch.pk]), dict(data, **{"col-0-1": ""})
    )
    assert response.status_code == 400
    assert "“名称”" in " ".join(response.context["items"][0]["errors"])
    response = client.post(reverse("onboarding:columns", args=[batch.pk]), data)
    assert response["Location"] == reverse("onboarding:values", args=[batch.pk])

    # 3. The values: their park names; 食品园 left as written is a problem at the check.
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    assert response.status_code == 200
    parks = next(i for i in response.context["items"] if i["key"] == "park")
    assert [v["value"] for v in parks["values"]] == ["装备园", "装备制造产业园", "食品园"]
    data = _values_post(response, {"装备园": "装备制造产业园"})
    food = next(v for v in parks["values"] if v["value"] == "食品园")
    data[f"val-0-park-{food['n']}"] = ""
    response = client.post(reverse("onboarding:values", args=[batch.pk]), data)
    assert response["Location"] == reverse("onboarding:check", args=[batch.pk])
    assert ImportMapping.objects.filter(district=world.district_a, kind="projects").exists()

    # 4. The check: the problem by sheet, row, column, value and reason; nothing saved.
    response = client.get(reverse("onboarding:check", args=[batch.pk]))
    assert response.status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DRAFT and batch.problem_count >= 1
    sheet_name, row, column, value, _message = batch.problems[0]
    assert (sheet_name, row, value) == ("项目台账", 6, "食品园")
    assert "食品园" in response.content.decode()
    assert not Project.objects.filter(name__in=NAMES).exists()
    report = client.get(reverse("onboarding:problems", args=[batch.pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd")
    # Importing is refused until the check passes.
    response = client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    assert response.status_code == 400

    # Map 食品园 to our 食品饮料产业园: the check passes.
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"})
    client.post(reverse("onboarding:values", args=[batch.pk]), data)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.problems
    response = client.get(reverse("onboarding:check", args=[batch.pk]))
    assert b'data-testid="import"' in response.content

    # 5. The import: every row, all at once; the result page links each record.
    response = client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    assert response["Location"] == reverse("onboarding:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    assert batch.created_count == 3
    projects = {p.name: p for p in Project.objects.filter(name__in=NAMES)}
    assert projects["智能装备产业基地"].total_investment == Decimal("15000")
    assert projects["休闲食品加工厂"].park == world.park2_a
    assert ImportedRecord.objects.filter(batch=batch, row=4).exists()
    response = client.get(reverse("onboarding:batch", args=[batch.pk]))
    page = response.content.decode()
    assert projects["精密轴承生产线"].get_absolute_url() in page
    # The wizard no longer edits an imported batch.
    response = client.get(reverse("onboarding:columns", args=[batch.pk]))
    assert response["Location"] == reverse("onboarding:batch", args=[batch.pk])

    # Confirm, then undo through the page.
    response = client.post(reverse("onboarding:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.confirmed_by == world.user_bureau
    response = client.post(reverse("onboarding:undo", args=[batch.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert not Project.objects.filter(name__in=NAMES).exists()


def test_the_next_upload_starts_from_the_saved_mapping(client_for, world):
    client = client_for("bureau")
    batch, _response = _upload(client, ledger_xlsx())
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"})
    client.post(reverse("onboarding:values", args=[batch.pk]), data)
    again, _response = _upload(client, ledger_xlsx())
    response = client.get(reverse("onboarding:values", args=[again.pk]))
    parks = next(i for i in response.context["items"] if i["key"] == "park")
    labels = dict(parks["options"])
    chosen = {v["value"]: labels.get(v["ours"]) for v in parks["values"]}
    assert chosen["食品园"] == "食品饮料产业园"
    assert chosen["装备园"] == "装备制造产业园"


def test_a_gb18030_csv_of_enterprises(client_for, world):
    client = client_for("bureau")
    batch, _response = _upload(client, enterprises_csv(), name="企业名录.csv", what="enterprises")
    assert batch.mapping["sheets"][0]["kind"] == "enterprises"
    response = client.get(reverse("onboarding:columns", args=[batch.pk]))
    columns = {c["header"]: c["key"] for c in response.context["items"][0]["columns"]}
    assert columns["企业名称"] == "name"
    assert columns["统一社会信用代码"] == "credit_code"
    data = _columns_post(response)
    origin = next(
        c["index"] for c in response.context["items"][0]["columns"] if c["header"] == "企业来源"
    )
    data[f"col-0-{origin}"] = "origin"
    response = client.post(reverse("onboarding:columns", args=[batch.pk]), data)
    assert response.status_code == 302
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"本地": "本地", "省外": "省外"})
    client.post(reverse("onboarding:values", args=[batch.pk]), data)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.problems
    client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    found = dict(
        Enterprise.objects.filter(district=world.district_a, name__endswith="有限公司")
        .filter(name__in=["东城精工有限公司", "西岭食品有限公司"])
        .values_list("name", "origin")
    )
    assert found == {"东城精工有限公司": "local", "西岭食品有限公司": "out_of_province"}


def test_a_file_that_is_no_spreadsheet_is_refused_with_its_reason(client_for, world):
    response = client_for("bureau").post(
        reverse("onboarding:index"),
        {"file": upload(b"not a workbook", "台账.xlsx"), "what": "workbook"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_large_files_run_in_the_background(
    client_for, world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 2)
    client = client_for("bureau")
    batch, _response = _upload(client, ledger_xlsx())
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("onboarding:values", args=[batch.pk]), data)
    assert callbacks, "the check is queued, not run in the request"
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.problems
    progress = client.get(reverse("onboarding:progress", args=[batch.pk])).json()
    assert progress["finished"] and progress["next"].endswith("/check/")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    assert callbacks
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    progress = client.get(reverse("onboarding:progress", args=[batch.pk])).json()
    assert progress["finished"] and progress["next"] == reverse("onboarding:batch", args=[batch.pk])


def test_while_queued_the_pages_show_the_progress(client_for, world, monkeypatch):
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 2)
    client = client_for("bureau")
    batch, _response = _upload(client, ledger_xlsx())
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    client.post(reverse("onboarding:values", args=[batch.pk]), _values_post(response, {}))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED  # the task is enqueued on commit (never here)
    response = client.get(reverse("onboarding:check", args=[batch.pk]))
    assert b'data-progress-url="' in response.content
    progress = client.get(reverse("onboarding:progress", args=[batch.pk])).json()
    assert progress["finished"] is False and progress["status"] == "queued"
    response = client.get(reverse("onboarding:sheets", args=[batch.pk]))
    assert response["Location"] == reverse("onboarding:check", args=[batch.pk])


def test_the_go_live_date(client_for, world):
    client = client_for("bureau")
    response = client.post(reverse("onboarding:go_live"), {"go_live_on": "2026-03-01"})
    assert response.status_code == 302
    world.district_a.refresh_from_db()
    assert world.district_a.go_live_on == datetime.date(2026, 3, 1)
    page = client.get(reverse("onboarding:index")).content.decode()
    assert "2026-03-01" in page
    response = client.post(reverse("onboarding:go_live"), {"go_live_on": "3月1日"})
    assert response.status_code == 400


def test_an_undo_is_refused_on_the_page_with_its_reasons(client_for, world):
    from zhaoshang.core.audit import log_event

    client = client_for("bureau")
    batch, _response = _upload(client, ledger_xlsx())
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"})
    client.post(reverse("onboarding:values", args=[batch.pk]), data)
    client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    project = Project.objects.get(name="精密轴承生产线")
    log_event(world.user_bureau, "project.updated", project, summary="recorded since")
    response = client.post(reverse("onboarding:undo", args=[batch.pk]))
    assert response.status_code == 400
    assert response.context["blockers"]
    assert b'data-testid="blockers"' in response.content
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert Project.objects.filter(name__in=NAMES).count() == 3


def _with_cases_sheet() -> bytes:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(ledger_xlsx()))
    ws = book.create_sheet("在办审批")
    ws.append(["序号", "项目名称", "审批事项", "承办部门", "申请日期"])
    ws.append([1, "智能装备产业基地", "建设工程规划许可证", "区建设局", "2026.5.6"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_the_user_may_not_import_is_skipped_and_said(client_for, world):
    batch, _response = _upload(client_for("bureau"), _with_cases_sheet())
    cases = batch.mapping["sheets"][1]
    assert (cases["name"], cases["kind"], cases["refused"]) == ("在办审批", "", "cases")
    page = client_for("bureau").get(reverse("onboarding:sheets", args=[batch.pk]))
    assert b'data-testid="refused"' in page.content
    # Chosen anyway (a forged form): left skipped.
    client_for("bureau").post(
        reverse("onboarding:sheets", args=[batch.pk]),
        {"kind-0": "projects", "header-0": "2", "kind-1": "cases", "header-1": "0"},
    )
    batch.refresh_from_db()
    assert batch.mapping["sheets"][1]["kind"] == ""
    # The district's administrator brings the cases in.
    batch, _response = _upload(client_for("admin"), _with_cases_sheet())
    assert batch.mapping["sheets"][1]["kind"] == "cases"
