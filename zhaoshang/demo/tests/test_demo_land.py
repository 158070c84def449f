"""The demo city's land (SPEC §11, §18): parcels in every status in the demo district's
parks, tied to its projects (their land area and delivery date), reserve parcels without
projects, idle parcels past one year and past two, one recovered; the land plans of this
year and last; thresholds per district, park and industry; the last half-year's clean-up
campaign, opened by the leader holding the clean-up duty and closed with a decision and its
follow-up on every entry (a rectification carried through, a deadline missed and caught by
the scan); a few parcels in the second district;
nothing dated after today; the pages answer for the demo accounts."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Obligation
from zhaoshang.core.models import DomainEvent
from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.demo.land import land_counts
from zhaoshang.exits import services as exit_services
from zhaoshang.exits.choices import RuleCode
from zhaoshang.exits.models import ExitRule, LandThreshold
from zhaoshang.exits.services import ThresholdBook
from zhaoshang.land.choices import (
    CampaignStatus,
    Clock,
    EntryCategory,
    FollowUp,
    Half,
    ParcelStatus,
)
from zhaoshang.land.models import (
    CampaignEntry,
    CleanupLead,
    LandCampaign,
    LandParcel,
    LandPlan,
)
from zhaoshang.org.models import District, User
from zhaoshang.projects.models import Project


def _district(code=DEMO_CODE) -> District:
    return District.objects.get(code=code)


def test_parcels_in_every_status_tied_to_the_projects(today):
    parcels = LandParcel.objects.filter(district=_district()).select_related("project")
    assert set(parcels.values_list("status", flat=True)) == set(ParcelStatus.values)
    assert parcels.count() >= 60
    for parcel in parcels.filter(status=ParcelStatus.SUPPLIED):
        assert parcel.project is not None
        assert parcel.park_id == parcel.project.park_id
        assert parcel.area == parcel.project.land_area
        assert parcel.delivered_on == parcel.project.land_delivered_on
    reserve = parcels.filter(status=ParcelStatus.RESERVE)
    assert reserve.count() >= 6 and not reserve.filter(project__isnull=False).exists()
    assert parcels.filter(status=ParcelStatus.RESERVED, project__level="major").exists()
    (recovered,) = parcels.filter(status=ParcelStatus.RECOVERED)
    assert recovered.recovered_on and recovered.recovery_document
    assert recovered.project.stage == "exited"


def test_idle_parcels_past_one_year_and_past_two(today):
    rows = LandParcel.objects.filter(district=_district()).with_clock(today)
    idle = rows.filter(status=ParcelStatus.IDLE)
    assert set(idle.values_list("clock_code", flat=True)) == {Clock.IDLE, Clock.RECOVERABLE}
    for parcel in idle:
        assert parcel.idle_from <= today and parcel.idle_on == parcel.idle_from
        assert parcel.land_price and parcel.clock(today).idle_fee
    assert rows.filter(status=ParcelStatus.SUPPLIED, clock_code=Clock.RUNNING).exists()


def test_plans_thresholds_and_second_district(today):
    plans = LandPlan.objects.filter(district=_district())
    assert set(plans.values_list("year", flat=True)) == {today.year, today.year - 1}
    for plan in plans:
        assert 0 < plan.major_reserve <= plan.quota
    thresholds = LandThreshold.objects.filter(district=_district())
    assert thresholds.filter(park__isnull=True, industry__isnull=True).count() == 1
    assert thresholds.filter(park__isnull=False, industry__isnull=True).exists()
    assert thresholds.filter(park__isnull=True, industry__isnull=False).exists()
    assert thresholds.filter(park__isnull=False, industry__isnull=False).exists()
    # Set in the admin site, by a person, on a day of the past (the history says so).
    for row in [*plans, *thresholds]:
        first = row.history.earliest("history_date")
        assert first.history_user is not None and first.history_date.date() < today
    second = LandParcel.objects.filter(district=_district(SECOND_CODE))
    assert 2 <= second.count() <= 30
    counts = land_counts([_district().pk, _district(SECOND_CODE).pk])
    assert (
        counts["land parcels"]
        == LandParcel.objects.filter(district__code__in=(DEMO_CODE, SECOND_CODE)).count()
    )


def test_last_half_years_campaign_is_closed_with_every_decision(today):
    (campaign,) = LandCampaign.objects.filter(district=_district())
    half = Half.H1 if today.month > 6 else Half.H2
    assert campaign.half == half and campaign.status == CampaignStatus.CLOSED
    assert campaign.as_of < campaign.opened_on <= campaign.report_on <= today
    entries = CampaignEntry.objects.filter(campaign=campaign)
    assert entries.count() >= 5
    assert not entries.filter(decision="").exists()
    assert len(set(entries.values_list("category", flat=True))) >= 3
    for entry in entries:
        assert entry.decided_by_id and timezone.localdate(entry.decided_at) <= today
        assert entry.followup  # every decision has its follow-up
        if entry.decision != "observe":
            assert entry.deadline
    # Opened by the leader holding the duty (分管工业副区长), set in the admin site.
    lead = CleanupLead.objects.get(district=_district())
    assert campaign.opened_by == lead.leader and "分管工业" in lead.leader.title
    # One rectification carried through; one deadline missed, found by the morning's scan.
    (done,) = entries.filter(followup=FollowUp.RECTIFIED)
    assert done.decided_at.date() < done.done_on <= today and done.done_note
    (missed,) = entries.filter(overdue_on__isnull=False)
    assert missed.followup == FollowUp.WATCHING and missed.deadline < missed.overdue_on <= today
    assert DomainEvent.objects.for_object(missed).filter(verb="land_entry.overdue").exists()


def test_one_threshold_table_for_the_clean_up_and_the_exit_rule(today):
    """The clean-up's low-efficiency entries were measured against the district's one
    threshold table (``exits.LandThreshold``), and the exit rule 三年不见效 reads the same
    table where the agreement sets no benefit terms: on every such project of the demo
    district (the demo's producing projects all have them today), the scan's SQL condition
    agrees with the table's numbers worked out here."""
    district = _district()
    book = ThresholdBook.load([district.pk])
    low = CampaignEntry.objects.filter(
        campaign__district=district, category=EntryCategory.LOW_EFFICIENCY
    ).select_related("project")
    assert low.exists()
    for entry in low:
        threshold = book.for_project(entry.project)
        assert (entry.min_intensity, entry.min_tax_per_mu) == (
            threshold.min_intensity,
            threshold.min_tax_per_mu,
        )
        assert threshold.below(entry.intensity, entry.tax_per_mu)
    benefit = ExitRule.objects.get(district=district, code=RuleCode.NO_BENEFIT)
    with_terms = Obligation.objects.filter(
        party=Party.ENTERPRISE,
        kind__in=(ObligationKind.TAX, ObligationKind.INTENSITY, ObligationKind.OUTPUT),
    ).values("agreement__project")
    fallback = (
        Project.objects.filter(district=district, land_area__gt=0)
        .exclude(pk__in=with_terms)
        .exclude(production_on__isnull=True, capacity_on__isnull=True)
    )
    met = set(fallback.filter(exit_services.fact_met_q(benefit)).values_list("pk", flat=True))
    for project in fallback:
        t = book.for_project(project)
        by_tax = None not in (t.min_tax_per_mu, project.actual_tax) and (
            project.actual_tax >= project.land_area * t.min_tax_per_mu
        )
        by_intensity = None not in (t.min_intensity, project.fixed_asset_investment) and (
            project.fixed_asset_investment >= project.land_area * t.min_intensity
        )
        assert (project.pk in met) == bool(by_tax or by_intensity), project.code


def test_nothing_dated_after_today(today):
    parcels = LandParcel.objects.filter(district__code__in=(DEMO_CODE, SECOND_CODE))
    for field in ("delivered_on", "idle_on", "recovered_on"):
        assert not parcels.filter(**{f"{field}__gt": today}).exists(), field


def test_pages_answer_for_the_demo_accounts(today):
    campaign = LandCampaign.objects.get(district=_district())
    parcel = LandParcel.objects.filter(district=_district(), status=ParcelStatus.IDLE).first()
    for username in ("bureau", "leader", "park", "supervisor", "city"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in (
            reverse("land:parcels"),
            reverse("land:plan"),
            reverse("land:campaigns"),
            campaign.get_absolute_url(),
            reverse("land:campaign_export", args=[campaign.pk]),
            "/api/v1/land-parcels/",
        ):
            assert client.get(url).status_code == 200, (username, url)
        expected = (
            404
            if username == "park"
            and parcel.park.committee_id != User.objects.get(username="park").department_id
            else 200
        )
        assert client.get(parcel.get_absolute_url()).status_code == expected
