"""Review fixes: a batch imported (or undone) is never checked or imported again; a
second import of the same checked batch (a double click, a task run twice) imports nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from zhaoshang.core.models import ImportBatch, ImportStatus
from zhaoshang.onboarding import services
from zhaoshang.onboarding.tests.files import ledger_xlsx, upload
from zhaoshang.onboarding.tests.test_flow import NAMES, _values_post
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def _checked(client):
    client.post(
        reverse("onboarding:index"),
        {"file": upload(ledger_xlsx(), "台账.xlsx"), "what": "workbook"},
    )
    batch = ImportBatch.objects.order_by("-pk").first()
    response = client.get(reverse("onboarding:values", args=[batch.pk]))
    data = _values_post(response, {"装备园": "装备制造产业园", "食品园": "食品饮料产业园"})
    client.post(reverse("onboarding:values", args=[batch.pk]), data)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.problems
    return batch


def test_an_imported_batch_is_not_checked_again(client_for, world):
    client = client_for("bureau")
    batch = _checked(client)
    client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    response = client.post(reverse("onboarding:check", args=[batch.pk]), {"action": "check"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED  # still undoable, not imported twice


def test_a_stale_second_run_imports_nothing(client_for, world):
    client = client_for("bureau")
    batch = _checked(client)
    stale = ImportBatch.objects.get(pk=batch.pk)  # a second request loaded it as CHECKED
    services.run(batch, batch.created_by)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.IMPORTED
    services.run(stale, stale.created_by)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    assert Project.objects.filter(name__in=NAMES).count() == 3


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    # Kept by an undo on purpose: the batch and its records, the audit trail, the code
    # counter, the saved mapping, the working-day calendar; and (reported, not fixed) the
    # team members' notifications of their assignment.
    skip = (
        "core.importedrecord",
        "core.importbatch",
        "core.domainevent",
        "core.counter",
        "core.importmapping",
        "workdays.day",
        "notifications.",
        "tasks",
    )
    return {
        m._meta.label_lower: m._base_manager.count()
        for m in apps.get_models()
        if not m._meta.label_lower.startswith(skip) and not m.__name__.startswith("Historical")
    }


def test_the_whole_example_is_undone_to_nothing(_frozen_time, db, tmp_path):
    import io

    from django.core.management import call_command

    from zhaoshang.core.imports import batches
    from zhaoshang.onboarding.tests.district import (
        AFTER_THE_CUTOFF,
        corrected_example,
        create_south,
    )

    _frozen_time.move_to(AFTER_THE_CUTOFF)
    district, bureau = create_south()
    path = tmp_path / "台账.xlsx"
    corrected_example(path)
    before = _row_counts()
    call_command(
        "import_ledger",
        str(path),
        district=district.code,
        user=bureau.username,
        stdout=io.StringIO(),
    )
    batch = ImportBatch.objects.get(district=district)
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    assert batches.undo_blockers(batch) == []
    batches.undo(bureau, batch)
    after = _row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}


def test_a_dry_run_of_the_whole_example_writes_no_record(_frozen_time, db, tmp_path):
    import io

    from django.core.management import call_command

    from zhaoshang.onboarding.tests.district import (
        AFTER_THE_CUTOFF,
        corrected_example,
        create_south,
    )

    _frozen_time.move_to(AFTER_THE_CUTOFF)
    district, bureau = create_south()
    path = tmp_path / "台账.xlsx"
    corrected_example(path)
    from zhaoshang.notifications.models import Notification

    before = _row_counts()
    call_command(
        "import_ledger",
        str(path),
        district=district.code,
        user=bureau.username,
        dry_run=True,
        stdout=io.StringIO(),
    )
    batch = ImportBatch.objects.get(district=district)
    assert batch.status == ImportStatus.CHECKED, batch.problems
    after = _row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}
    assert not Notification.objects.exists()  # nobody is told of a check


def test_a_header_below_the_first_dozen_rows_is_kept_and_shown(client_for, world):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "企业名录"
    for n in range(14):  # a long note above the table
        sheet.append([f"填表说明第{n + 1}条"])
    sheet.append(["序号", "企业名称", "统一社会信用代码"])
    sheet.append([1, "东城精工有限公司", "91110000MA01ABCD1X"])
    content = io.BytesIO()
    book.save(content)
    client = client_for("bureau")
    client.post(
        reverse("onboarding:index"),
        {"file": upload(content.getvalue(), "企业.xlsx"), "what": "enterprises"},
    )
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch.mapping["sheets"][0]["header_row"] == 14
    response = client.get(reverse("onboarding:sheets", args=[batch.pk]))
    assert len(response.context["items"][0]["preview"]) > 14  # its radio is offered
    client.post(reverse("onboarding:sheets", args=[batch.pk]), {"kind-0": "enterprises"})
    batch.refresh_from_db()
    assert batch.mapping["sheets"][0]["header_row"] == 14


def test_every_column_of_amounts_takes_its_unit_from_the_mapping():
    """An obligation's target figure and an investment schedule read amounts as ``Money``
    does: their unit (亿元 in the header) is suggested and kept like any amount column's."""
    from zhaoshang.agreements.imports import AgreementImporter, ObligationImporter
    from zhaoshang.onboarding.services import is_amount

    def amounts(cls):
        return {c.key for c in cls.columns if is_amount(c)}

    assert "target_amount" in amounts(ObligationImporter)
    assert {"contracted_investment", "schedule"} <= amounts(AgreementImporter)
    assert "title" not in amounts(ObligationImporter)
