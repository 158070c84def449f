"""Two handlers file the same commitment at the same moment, and two scans run at once, on
PostgreSQL with real concurrent connections: one version is filed, the other filer is
told; each breach and ledger entry is written once."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from zhaoshang.agreements import services
from zhaoshang.agreements.models import ArchiveVersion, Commitment, ObligationBreach
from zhaoshang.agreements.schedule import Step
from zhaoshang.assessment.models import LedgerEntry, RuleCode

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL"
)


def _together(target, arguments):
    barrier = threading.Barrier(len(arguments))
    results: list = []

    def run(*args):
        try:
            barrier.wait(timeout=10)
            results.append(target(*args))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("with_version", [True, False])
def test_two_handlers_file_the_same_commitment_at_once(committed_db, with_version):
    world = committed_db
    commitment = services.create_commitment(
        world.user_bureau,
        world.project1_a,
        department=world.dept_works_a,
        steps=[Step("图审", 10), Step("发证", 5)],
        title="施工许可",
        content="核发施工许可证",
        start_on=datetime.date(2026, 6, 15),
        target_on=datetime.date(2026, 8, 31),
    )
    version = commitment.version

    def file(user):
        fresh = Commitment.objects.get(pk=commitment.pk)
        return services.file_commitment(
            user, fresh, expected_version=version if with_version else None
        )

    results = _together(file, [(world.user_department,), (world.user_officer,)])
    filed = [r for r in results if isinstance(r, ArchiveVersion)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(filed) == 1 and len(refused) == 1
    if with_version:
        assert refused[0].code == "concurrent_edit"
    else:
        assert "nothing has changed" in " ".join(refused[0].messages) or "没有变更" in " ".join(
            refused[0].messages
        )
    assert list(
        ArchiveVersion.objects.filter(commitment=commitment).values_list("number", flat=True)
    ) == [1]


def test_two_scans_at_once_write_each_entry_once(committed_db):
    world = committed_db
    agreement = services.save_agreement(
        world.user_bureau,
        world.project1_a,
        fields={
            "number": "TZXY-RACE",
            "signed_on": datetime.date(2026, 3, 2),
            "government_party": "区政府",
            "enterprise_party": "企业",
            "contracted_investment": Decimal("50000"),
        },
        terms={
            "start_by": datetime.date(2026, 6, 1),
            "completion_by": datetime.date(2027, 6, 1),
            "production_by": datetime.date(2027, 9, 1),
            "intensity": Decimal("200"),
            "intensity_by": datetime.date(2027, 9, 1),
            # a major project's agreement states its tax, jobs and energy duties (due later)
            "tax": Decimal("1500"),
            "tax_by": datetime.date(2028, 12, 31),
            "jobs": 300,
            "jobs_by": datetime.date(2028, 6, 30),
            "energy": "单位产值能耗不高于0.35吨标准煤/万元",
            "energy_by": datetime.date(2028, 6, 30),
        },
        schedule=[(datetime.date(2026, 5, 31), Decimal("1000"))],
    )
    services.add_obligation(
        world.user_bureau,
        agreement,
        party="department",
        department=world.dept_land_a,
        kind="service",
        title="交付净地",
        target_text="完成场地平整",
        due_on=datetime.date(2026, 6, 10),
    )
    services.create_commitment(
        world.user_bureau,
        world.project1_a,
        department=world.dept_works_a,
        steps=[Step("A", 3), Step("B", 2)],
        title="t",
        content="c",
        start_on=datetime.date(2026, 5, 4),
        target_on=datetime.date(2026, 6, 12),
    )
    today = datetime.date(2026, 6, 15)
    _together(services.scan, [(today,), (today,)])
    assert ObligationBreach.objects.count() == 3  # start, schedule row, the land
    assert LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_OBLIGATION).count() == 1
    assert LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_MILESTONE).count() == 2
