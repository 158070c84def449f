"""One set of thresholds (issue 16, point 6): the clean-up's low-efficiency list and the
exit rule 三年不见效 (where the agreement sets no benefit terms) read the district's one
table (``exits.LandThreshold``): changing the district's threshold moves both."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from zhaoshang.exits import services as exits
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.models import ExitWarning, LandThreshold
from zhaoshang.land.choices import EntryCategory, Half
from zhaoshang.land.tests.factories import make_campaign
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _benefit_warning(project):
    return ExitWarning.objects.filter(project=project, rule__code=RuleCode.NO_BENEFIT).first()


def test_one_threshold_moves_the_clean_up_and_the_exit_rule(world):
    # In production on 40 mu: intensity 8000 / 40 = 200 per mu, tax 400 / 40 = 10 per mu.
    # Land delivered 2022-01-10: 三年不见效 due 2025-01-10 (36 months), past on 2026-06-15.
    project = Project.objects.create(
        district=world.district_a,
        code="ZS-T-THR-1",
        name="门槛项目",
        enterprise=world.enterprise1_a,
        industry=world.industry_a,
        park=world.park1_a,
        stage="production",
        total_investment=Decimal("10000"),
        fixed_asset_investment=Decimal("8000"),
        actual_tax=Decimal("400"),
        land_area=Decimal("40"),
        signed_on=D(2021, 10, 1),
        land_delivered_on=D(2022, 1, 10),
        started_on=D(2022, 3, 1),
        production_on=D(2023, 6, 1),
    )
    row = LandThreshold.objects.create(
        district=world.district_a, min_intensity=Decimal("250"), min_tax_per_mu=Decimal("12")
    )
    # Thresholds 250 and 12 per mu: 200 < 250 and 10 < 12, low efficiency on the clean-up;
    # for the exit rule 400 < 40 × 12 = 480 and 8000 < 40 × 250 = 10000, not met: warned.
    first = make_campaign(world, year=2025, half=Half.H2)
    low = first.entries.get(project=project)
    assert low.category == EntryCategory.LOW_EFFICIENCY
    assert (low.min_intensity, low.min_tax_per_mu) == (Decimal("250.00"), Decimal("12.00"))
    exits.scan()
    assert _benefit_warning(project).status == WarningStatus.WARNING
    # The district lowers its thresholds to 200 and 10 per mu: 200 ≥ 200 and 10 ≥ 10, off
    # the clean-up's list; 400 ≥ 40 × 10 = 400, the benefit is reached: the warning clears.
    row.min_intensity, row.min_tax_per_mu = Decimal("200"), Decimal("10")
    row.save()
    second = make_campaign(world, year=2026, half=Half.H1)
    assert not second.entries.filter(project=project).exists()
    exits.scan()
    assert _benefit_warning(project).status == WarningStatus.CLEARED


def test_a_park_row_decides_both(world):
    # The same project shape on the park's row (park > default, per measure): the default
    # says 100 / 5 (met), the park 300 / 20 (short) — both read the park's row.
    project = Project.objects.create(
        district=world.district_a,
        code="ZS-T-THR-2",
        name="园区门槛项目",
        enterprise=world.enterprise1_a,
        industry=world.industry_a,
        park=world.park1_a,
        stage="production",
        total_investment=Decimal("10000"),
        fixed_asset_investment=Decimal("8000"),
        actual_tax=Decimal("400"),
        land_area=Decimal("40"),
        signed_on=D(2021, 10, 1),
        land_delivered_on=D(2022, 1, 10),
        started_on=D(2022, 3, 1),
        production_on=D(2023, 6, 1),
    )
    LandThreshold.objects.create(
        district=world.district_a, min_intensity=Decimal("100"), min_tax_per_mu=Decimal("5")
    )
    LandThreshold.objects.create(
        district=world.district_a,
        park=world.park1_a,
        min_intensity=Decimal("300"),
        min_tax_per_mu=Decimal("20"),
    )
    # 200 < 300, 10 < 20: low efficiency; 400 < 40 × 20 = 800, 8000 < 40 × 300 = 12000.
    campaign = make_campaign(world)
    assert campaign.entries.get(project=project).category == EntryCategory.LOW_EFFICIENCY
    exits.scan()
    assert _benefit_warning(project).status == WarningStatus.WARNING
