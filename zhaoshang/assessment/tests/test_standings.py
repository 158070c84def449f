"""Scores and ranks derived from the ledger: base + deductions + additions, shared ranks,
per-department base scores, and the frozen finished year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, DepartmentBase, YearStatus
from zhaoshang.assessment.services import write_rule_entry
from zhaoshang.assessment.tests.factories import make_entry
from zhaoshang.testing import SHANGHAI


def _by_name(rows):
    return {s.department.name: s for s in rows}


def test_a_year_nobody_set_starts_every_department_at_100(world):
    rows = scoring.standings(world.district_a, 2026)
    assert rows and all(s.base == Decimal("100") and s.score == Decimal("100") for s in rows)
    assert {s.rank for s in rows} == {1}  # all equal: all first
    # The supervision office keeps the ledger and is not assessed; other districts are apart.
    names = {s.department.name for s in rows}
    assert "区目标绩效督查室" not in names
    assert {s.department.district_id for s in rows} == {world.district_a.pk}


def test_arithmetic_and_shared_ranks(world):
    make_entry(world.dept_works_a, "-3")
    make_entry(world.dept_works_a, "-1.5")
    make_entry(world.dept_works_a, "2")
    make_entry(world.dept_land_a, "-2.5")
    make_entry(world.dept_center_a, "-2.5")
    make_entry(world.dept_bureau_a, "1")
    make_entry(world.dept_works_a, "-10", year=2025)  # another year: not counted
    make_entry(world.dept_works_b, "-10")  # another district: not counted
    rows = scoring.standings(world.district_a, 2026)
    s = _by_name(rows)
    works = s["区建设局"]
    assert (works.base, works.deductions, works.additions, works.score, works.entry_count) == (
        Decimal("100"),
        Decimal("-4.5"),
        Decimal("2"),
        Decimal("97.5"),
        3,
    )
    assert s["区招商局"].rank == 1 and s["区招商局"].score == Decimal("101")
    untouched = [x for x in rows if x.score == Decimal("100")]
    assert {x.rank for x in untouched} == {2}
    assert s["区国土局"].rank == s["区政务服务中心"].rank == 2 + len(untouched)
    assert s["区国土局"].score == Decimal("97.5")
    # 建设局 ties with them at 97.5: the same rank (1, 2, 2, 4 …)
    assert works.rank == s["区国土局"].rank
    assert [x.score for x in rows] == sorted((x.score for x in rows), reverse=True)


def test_a_department_base_score_of_its_own(world):
    settings = AssessmentYear.objects.create(
        district=world.district_a, year=2026, base_score=Decimal("90")
    )
    DepartmentBase.objects.create(
        district=world.district_a,
        assessment_year=settings,
        department=world.dept_works_a,
        base_score=Decimal("95"),
    )
    s = _by_name(scoring.standings(world.district_a, 2026))
    assert s["区建设局"].base == Decimal("95") and s["区建设局"].rank == 1
    assert s["区国土局"].base == Decimal("90") and s["区国土局"].rank == 2


def test_a_supervision_office_with_entries_is_assessed(world):
    make_entry(world.dept_supervision_a, "-1")
    s = _by_name(scoring.standings(world.district_a, 2026))
    assert s["区目标绩效督查室"].score == Decimal("99")


def test_a_finished_year_counts_the_entries_written_until_it_was_finished(world):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        make_entry(world.dept_works_a, "-2", year=2025)
        AssessmentYear.objects.create(
            district=world.district_a,
            year=2025,
            status=YearStatus.FINISHED,
            finished_at=datetime.datetime(2026, 1, 5, 10, tzinfo=SHANGHAI),
        )
    # A scan finds a 2025 event later: recorded, shown apart, not counted.
    late = write_rule_entry(
        "overdue_case", world.dept_works_a, world.case_a, "逾期", datetime.date(2025, 12, 30)
    )
    assert late is not None
    s = _by_name(scoring.standings(world.district_a, 2025))
    assert s["区建设局"].score == Decimal("98") and s["区建设局"].entry_count == 1
    assert list(
        scoring.late_entries(
            world.district_a, 2025, scoring.assessment_year(world.district_a, 2025)
        )
    ) == [late]
