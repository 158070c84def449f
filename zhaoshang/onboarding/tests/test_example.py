"""The example ledger (``onboarding/examples/ledger-example.xlsx``, nine sheets in an office's
shape) through ``manage.py import_ledger`` with the suggested mapping: the one bad row is
reported and nothing is saved; the corrected copy is imported, every sheet, and confirmed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from zhaoshang.core.models import ImportBatch, ImportStatus
from zhaoshang.onboarding.tests.district import AFTER_THE_CUTOFF, corrected_example, create_south
from zhaoshang.onboarding.views import EXAMPLE
from zhaoshang.projects.models import Project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not EXAMPLE.exists(), reason="the example ledger is not written yet"),
]


@pytest.fixture
def south(_frozen_time, db):
    _frozen_time.move_to(AFTER_THE_CUTOFF)
    return create_south()


def test_the_example_reports_its_one_bad_row_and_saves_nothing(south):
    district, bureau = south
    out = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command(
            "import_ledger", str(EXAMPLE), district=district.code, user=bureau.username, stdout=out
        )
    batch = ImportBatch.objects.get(district=district)
    assert batch.status == ImportStatus.DRAFT
    sheet, row, _column, value, _message = batch.problems[0]
    assert (sheet, row) == ("项目台账", 26) and ".13." in value
    # The other sheets' rows of that project cannot find it: each says so.
    others = batch.problems[1:]
    assert all(p[3] == "智能农机装备制造项目" for p in others), others
    assert batch.problem_count == len(batch.problems)
    assert not Project.objects.filter(district=district).exists()


def test_the_corrected_example_is_imported_and_confirmed(south, tmp_path):
    district, bureau = south
    path = tmp_path / "南城区招商引资项目推进台账.xlsx"
    corrected_example(path)
    out = io.StringIO()
    call_command(
        "import_ledger",
        str(path),
        district=district.code,
        user=bureau.username,
        confirm=True,
        stdout=out,
    )
    batch = ImportBatch.objects.get(district=district)
    assert batch.status == ImportStatus.IMPORTED, batch.problems
    assert batch.confirmed_by == bureau
    kinds = {entry["kind"] for entry in batch.summary["sheets"].values()}
    assert kinds == {
        "projects", "enterprises", "agreements", "obligations", "cases", "parcels", "team",
        "monthly", "funds",
    }  # fmt: skip
    assert Project.objects.filter(district=district).count() == 40
    assert batch.created_count >= 40
