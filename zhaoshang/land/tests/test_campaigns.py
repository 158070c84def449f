"""The half-yearly land clean-up (园区土地清理): opening a campaign lists 圈而不建, 签而不建,
建而不产 and low-efficiency projects as they stood on the campaign date; generating again
adds nothing twice; a decision per entry (限期整改 needs a deadline); closing is refused
while entries lack a decision; the report exports to Excel."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.exits.models import LandThreshold
from zhaoshang.land import services
from zhaoshang.land.choices import CampaignStatus, Decision, EntryCategory, Half
from zhaoshang.land.models import CampaignEntry
from zhaoshang.land.tests.factories import make_campaign, make_supplied
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date
_n = iter(range(100, 10000))


def _project(world, name, stage, park=None, **extra):
    data = {
        "district": world.district_a,
        "code": f"ZS-T-{next(_n)}",
        "name": name,
        "enterprise": world.enterprise1_a,
        "industry": world.industry_a,
        "park": park or world.park1_a,
        "stage": stage,
        "total_investment": Decimal("10000"),
        "fixed_asset_investment": Decimal("8000"),
        "land_area": Decimal("40"),
        "signed_on": D(2024, 1, 1),
    }
    data.update(extra)
    return Project.objects.create(**data)


@pytest.fixture
def cast(world):
    """Projects of district a, one per case (the campaign date is 2026-06-15)."""
    LandThreshold.objects.create(
        district=world.district_a, min_intensity=Decimal("150"), min_tax_per_mu=Decimal("8")
    )
    return {
        "enclosed": _project(world, "圈地项目", "land_delivered", land_delivered_on=D(2026, 1, 10)),
        "fresh_land": _project(world, "新供地项目", "land_delivered", land_delivered_on=D(2026, 5, 1)),
        "signed": _project(world, "签约未建项目", "signed", signed_on=D(2025, 10, 1)),
        "built": _project(
            world, "建而不产项目", "completed", land_delivered_on=D(2023, 6, 1),
            started_on=D(2024, 1, 1), completed_on=D(2025, 6, 1),
        ),
        "young_site": _project(
            world, "在建项目", "started", land_delivered_on=D(2025, 1, 1),
            started_on=D(2025, 3, 1),
        ),
        "low": _project(
            world, "低效项目", "production", land_delivered_on=D(2022, 1, 1),
            started_on=D(2022, 3, 1), production_on=D(2023, 6, 1),
            fixed_asset_investment=Decimal("4000"), actual_tax=Decimal("400"),
        ),
        "low_tax": _project(
            world, "低税项目", "capacity", land_delivered_on=D(2022, 1, 1),
            started_on=D(2022, 3, 1), production_on=D(2023, 6, 1), capacity_on=D(2024, 1, 1),
            fixed_asset_investment=Decimal("8000"), actual_tax=Decimal("200"),
        ),
        "good": _project(
            world, "优质项目", "production", land_delivered_on=D(2022, 1, 1),
            started_on=D(2022, 3, 1), production_on=D(2023, 6, 1),
            fixed_asset_investment=Decimal("8000"), actual_tax=Decimal("800"),
        ),
        "exited": _project(
            world, "已退出项目", "exited", land_delivered_on=D(2024, 1, 1),
            exited_on=D(2026, 1, 1),
        ),
        "infrastructure": _project(
            world, "园区道路", "land_delivered", kind="infrastructure", enterprise=None,
            land_delivered_on=D(2025, 1, 1),
        ),
    }  # fmt: skip


def _categories(campaign) -> dict[str, str]:
    return {e.project.name: e.category for e in campaign.entries.select_related("project")}


def test_generation_finds_every_category(world, cast):
    parcel = make_supplied(world, project=cast["enclosed"], agreed_start_on=D(2026, 2, 1))
    campaign = make_campaign(world)
    found = _categories(campaign)
    assert found == {
        "圈地项目": EntryCategory.ENCLOSED,
        "签约未建项目": EntryCategory.SIGNED,
        "建而不产项目": EntryCategory.BUILT,
        "低效项目": EntryCategory.LOW_EFFICIENCY,
        "低税项目": EntryCategory.LOW_EFFICIENCY,
    }
    entry = campaign.entries.get(project=cast["enclosed"])
    assert entry.parcel == parcel and entry.delivered_on == D(2026, 1, 10)
    low = campaign.entries.get(project=cast["low"])
    assert (low.intensity, low.min_intensity) == (Decimal("100.00"), Decimal("150.00"))
    assert (low.tax_per_mu, low.min_tax_per_mu) == (Decimal("10.00"), Decimal("8.00"))
    assert DomainEvent.objects.for_object(campaign).filter(verb="land_campaign.opened").exists()


def test_the_exit_rules_and_the_date_decide(world, cast):
    # Measured at the end of 2025, the district's exit rules set to 12 months (三个月不开工)
    # and 12 months (两年不投产), the campaign's own 2 months for signed projects: the
    # signed project was signed 3 months before.
    campaign = make_campaign(
        world, year=2025, half=Half.H2, as_of=D(2025, 12, 31), signed_months=2,
        delivered_months=12, production_months=12,
    )  # fmt: skip
    assert (campaign.delivered_months, campaign.production_months) == (12, 12)
    found = _categories(campaign)
    assert found["签约未建项目"] == EntryCategory.SIGNED
    # Its land was delivered after the campaign date: on that date it was signed, not built.
    assert found["圈地项目"] == EntryCategory.SIGNED
    # Land delivered 2025-01-01 + 12 months = 2026-01-01, after 2025-12-31: not yet due.
    assert "在建项目" not in found
    # Land delivered 2023-06-01 + 12 months = 2024-06-01: due, started, not producing.
    assert found["建而不产项目"] == EntryCategory.BUILT
    assert found["新供地项目"] == EntryCategory.SIGNED  # its land came later too


def test_generation_is_idempotent_and_set_based(world, cast):
    campaign = make_campaign(world)
    count = campaign.entries.count()
    assert services.generate_entries(world.user_supervisor, campaign) == 0
    assert campaign.entries.count() == count
    # A project that now qualifies is added once.
    _project(world, "又一个签约项目", "signed", signed_on=D(2025, 11, 1))
    with CaptureQueriesContext(connection) as small:
        assert services.generate_entries(world.user_supervisor, campaign) == 1
    for i in range(15):
        _project(world, f"批量签约项目{i}", "signed", signed_on=D(2025, 11, 1))
    with CaptureQueriesContext(connection) as large:
        assert services.generate_entries(world.user_supervisor, campaign) == 15
    assert len(large.captured_queries) == len(small.captured_queries)
    assert campaign.entries.count() == count + 16


def test_one_campaign_per_half_year(world, cast):
    make_campaign(world)
    with pytest.raises(ValidationError) as exc:
        make_campaign(world)
    assert exc.value.message_dict["half"] == [
        "The district already has a campaign for this half-year."
    ]
    with pytest.raises(ValidationError) as exc:
        make_campaign(world, year=2027, as_of=D(2026, 7, 1), signed_months=0)
    assert set(exc.value.message_dict) >= {"year", "as_of"}


def test_only_the_campaign_roles_open_and_decide(world, cast):
    # A leader without the district's clean-up duty (no CleanupLead) may not.
    with pytest.raises(PermissionDenied):
        make_campaign(world, by=world.user_leader)
    with pytest.raises(PermissionDenied):
        make_campaign(world, by=world.user_park)
    campaign = make_campaign(world, by=world.user_bureau)
    entry = campaign.entries.first()
    with pytest.raises(PermissionDenied):
        services.decide_entry(world.user_leader, entry, decision="observe", reason="x")


def test_decisions_and_closing(world, cast):
    campaign = make_campaign(world)
    entries = list(campaign.entries.order_by("pk"))
    with pytest.raises(ValidationError) as exc:
        services.decide_entry(
            world.user_supervisor, entries[0], decision=Decision.RECTIFY, reason=""
        )
    assert set(exc.value.message_dict) == {"reason", "deadline"}
    assert exc.value.message_dict["deadline"] == ["Give the deadline for this decision."]
    with pytest.raises(ValidationError) as exc:
        services.decide_entry(
            world.user_supervisor, entries[0], decision=Decision.RECTIFY, reason="x",
            deadline=D(2026, 6, 15),
        )  # fmt: skip
    assert exc.value.message_dict["deadline"] == ["The deadline must be after today."]
    services.decide_entry(
        world.user_supervisor, entries[0], decision=Decision.RECTIFY, reason="限期三个月开工",
        deadline=D(2026, 9, 30),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.close_campaign(world.user_supervisor, campaign)
    left = len(entries) - 1
    assert exc.value.message_dict["status"] == [
        f"{left} entries have no decision yet; decide them before closing."
    ]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    for entry in entries[1:]:
        services.decide_entry(world.user_admin, entry, decision=Decision.OBSERVE, reason="观察")
    campaign = services.close_campaign(world.user_supervisor, campaign)
    assert campaign.status == CampaignStatus.CLOSED and campaign.report_on == D(2026, 6, 15)
    with pytest.raises(ValidationError):
        services.decide_entry(world.user_admin, entries[0], decision="observe", reason="x")
    with pytest.raises(ValidationError):
        services.generate_entries(world.user_admin, campaign)
    assert DomainEvent.objects.filter(verb="land_entry.decided").count() == len(entries)


def test_one_undecided_entry_is_named_in_the_singular(world, cast):
    campaign = make_campaign(world)
    entries = list(campaign.entries.order_by("pk"))
    for entry in entries[1:]:
        services.decide_entry(world.user_admin, entry, decision=Decision.OBSERVE, reason="观察")
    with pytest.raises(ValidationError) as exc:
        services.close_campaign(world.user_admin, campaign)
    assert exc.value.message_dict["status"] == [
        "1 entry has no decision yet; decide it before closing."
    ]


def test_report_export_content(world, cast, client_for):
    from openpyxl import load_workbook

    campaign = make_campaign(world)
    entry = campaign.entries.get(project=cast["low"])
    services.decide_entry(
        world.user_admin, entry, decision=Decision.REVITALIZE, reason="引进新业主",
        deadline=D(2026, 12, 31),
    )  # fmt: skip
    response = client_for("leader").get(
        reverse("land:campaign_export", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Category", "Project code", "Project")
    assert len(rows) == 1 + campaign.entries.count()
    by_project = {r[2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    low = by_project["低效项目"]
    assert low["Investment intensity (10k yuan per mu)"] == 100
    assert low["Minimum investment intensity"] == 150
    assert low["Disposal decision"] == "Put to better use (盘活利用)"
    assert low["Reason"] == "引进新业主"
    assert low["Deadline"] is not None and low["Follow-up"] == "Deadline watched by the daily scan"
    assert by_project["签约未建项目"]["Disposal decision"] in ("", None)


def test_entries_keep_one_row_per_project_and_category(world, cast):
    from django.db import IntegrityError, transaction

    campaign = make_campaign(world)
    entry = campaign.entries.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignEntry.objects.create(
            district=world.district_a,
            campaign=campaign,
            project=entry.project,
            category=entry.category,
        )


def test_a_parcel_declared_idle_is_land_held_whatever_the_agreement_says(world, cast):
    # 新供地项目: its land came on 2026-05-01 (三个月不开工 due 2026-08-01, not yet); an
    # earlier parcel of it, agreed start 2024-03-01, was declared idle on 2025-03-03.
    project = cast["fresh_land"]
    parcel = make_supplied(
        world, project=project, delivered_on=D(2023, 9, 1), agreed_start_on=D(2024, 3, 1)
    )
    services.change_parcel_status(
        world.user_admin, parcel, status="idle", on=D(2025, 3, 3), reason="闲置"
    )
    campaign = make_campaign(world)
    entry = campaign.entries.get(project=project)
    assert (entry.category, entry.parcel) == (EntryCategory.ENCLOSED, parcel)
