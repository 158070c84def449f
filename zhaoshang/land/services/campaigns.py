"""The half-yearly clean-up campaign (园区土地清理, 每半年, led by the 分管工业副区长).

- A campaign is opened for a district and half-year by the leader holding the duty
  (``CleanupLead``), the supervision office, the bureau or an admin; opening it generates
  its entries (圈而不建, 签而不建, 建而不产, low efficiency) in a few set-based queries, and
  generating again adds only what is new.
- One set of thresholds: land held without building is measured by the district's exit
  rule 三个月不开工 and built-not-producing by 两年不投产, through the exit clock itself
  (``exits.services.rule_clocks``: the agreement's own dates, else the rule's anchor and
  months, moved out by the government's held days); the rules' months when the campaign
  was opened are kept on it; 签而不建 counts the months of 签约未供地 unless the campaign
  sets its own. Low efficiency is measured against the district's one threshold table
  (``exits.services.ThresholdBook``), the same the exit rule 三年不见效 falls back on where
  the agreement sets no benefit terms.
- Each entry gets a decision, which starts its follow-up (``followup``); a decision that
  contradicts the record needs a reason of its own.
- A campaign closes only when every entry has a decision and every decision its follow-up.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.exits.choices import RuleCode
from zhaoshang.exits.services import ThresholdBook, add_months, ensure_default_rules, rule_clocks
from zhaoshang.land import permissions
from zhaoshang.land.choices import (
    DEADLINE_DECISIONS,
    HANDED_OVER,
    REVISABLE_FOLLOW_UPS,
    SIGNED_MONTHS,
    CampaignStatus,
    Clock,
    Decision,
    EntryCategory,
    Half,
    ParcelStatus,
)
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel
from zhaoshang.land.services.base import _save
from zhaoshang.land.services.followup import start_followup
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
from zhaoshang.projects.models import Project

# The projects holding land declared idle (the national rule), beside the exit rules'.
IDLE_LAND = "idle_land"


def exit_rules(district_id) -> dict:
    """The district's exit rules by code (the work plan's three, made on first use)."""
    return {rule.code: rule for rule in ensure_default_rules(district_id)}


def open_campaign(
    user,
    *,
    district,
    year: int,
    half: str,
    as_of: datetime.date | None = None,
    signed_months: int | None = None,
    note: str = "",
) -> LandCampaign:
    """Open the district's clean-up campaign of a half-year and generate its entries. The
    months of 圈而不建 and 建而不产 are the district's exit rules' (kept on the campaign)."""
    district_id = getattr(district, "pk", None)
    require(permissions.can_open_campaigns(user, district_id))
    today = clock.today()
    as_of = as_of or today
    errors: dict[str, str] = {}
    if half not in Half.values:
        errors["half"] = _("Choose the half-year.")
    if not year or year < 2000 or year > today.year:
        errors["year"] = _("Choose a year up to this one.")
    if as_of > today:
        errors["as_of"] = _("The date cannot be in the future.")
    rules = exit_rules(district_id)
    if signed_months is None:
        # 签而不建 counts the months of the government's rule 签约未供地 where it has one.
        no_land = rules.get(RuleCode.NO_LAND)
        signed_months = no_land.months if no_land is not None else SIGNED_MONTHS
    if signed_months < 1 or signed_months > 120:
        errors["signed_months"] = _("Give a number between 1 and 120.")
    if (
        not errors
        and LandCampaign.objects.filter(district_id=district_id, year=year, half=half).exists()
    ):
        errors["half"] = _("The district already has a campaign for this half-year.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = LandCampaign.objects.create(
            district=district,
            year=year,
            half=half,
            as_of=as_of,
            opened_by=user,
            opened_on=today,
            note=(note or "").strip(),
            signed_months=signed_months,
            delivered_months=rules[RuleCode.NOT_STARTED].months,
            production_months=rules[RuleCode.NOT_PRODUCING].months,
        )
        log_event(user, "land_campaign.opened", campaign, str(campaign))
        generate_entries(user, campaign)
    return campaign


def _categories(project, as_of, campaign, threshold, due: dict) -> list[str]:
    """The categories a project falls in on the campaign date (dates after it are not known
    yet on that date). ``due`` holds, per exit rule code, the projects past that rule's
    date on the campaign date (``exits.services.rule_clocks``: the agreement's own dates,
    else the rule table's, moved out by the government's held days), and under
    ``IDLE_LAND`` those holding a parcel declared idle (闲置土地处置办法) by then: land held
    and not built on whatever the agreement says."""

    def known(day):
        return day if day is not None and day <= as_of else None

    signed = known(project.signed_on)
    started = known(project.started_on)
    production = known(project.production_on) or known(project.capacity_on)
    if production is not None:
        short = threshold.below(project.investment_intensity, project.per_mu_tax)
        return [EntryCategory.LOW_EFFICIENCY] if short else []
    if started is not None:
        return [EntryCategory.BUILT] if project.pk in due[RuleCode.NOT_PRODUCING] else []
    if project.pk in due[RuleCode.NOT_STARTED] or project.pk in due.get(IDLE_LAND, ()):
        return [EntryCategory.ENCLOSED]
    if known(project.land_delivered_on) is not None:
        return []
    if signed is not None and signed <= add_months(as_of, -campaign.signed_months):
        return [EntryCategory.SIGNED]
    return []


def _due(campaign, projects) -> dict[str, set[int]]:
    """Per exit rule the clean-up measures by, the projects past its date on the campaign
    date (a few queries whatever their number). A rule the district switched off lists
    none."""
    ids = Project.objects.filter(pk__in=[p.pk for p in projects])
    out = {}
    for code in (RuleCode.NOT_STARTED, RuleCode.NOT_PRODUCING):
        clocks = rule_clocks(campaign.district_id, code, campaign.as_of, projects=ids)
        out[code] = {pk for pk, c in clocks.items() if c.is_due(campaign.as_of)}
    return out


def build_entries(campaign: LandCampaign) -> list[CampaignEntry]:
    """The entries (unsaved) the campaign lacks: one per project and category that
    qualifies on the campaign date and has no entry yet. A few queries whatever the number
    of projects: the candidates, their parcels, the thresholds, the rules, the entries."""
    projects = list(
        Project.objects.filter(
            district_id=campaign.district_id,
            kind=ProjectKind.INVESTMENT,
            signed_on__isnull=False,
        )
        .exclude(stage__in=EXIT_STAGES)
        .order_by("code")
    )
    book = ThresholdBook.load([campaign.district_id])
    exit_rules(campaign.district_id)  # the work plan's rules, made on first use
    due = _due(campaign, projects)
    parcels: dict[int, LandParcel] = {}  # the largest parcel of each project
    earliest: dict[int, LandParcel] = {}  # the parcel delivered first
    idle: dict[int, LandParcel] = {}  # a parcel declared idle by the campaign date
    for parcel in LandParcel.objects.filter(
        project__in=[p.pk for p in projects], status__in=(*HANDED_OVER, ParcelStatus.RESERVED)
    ).order_by("-area", "pk"):
        parcels.setdefault(parcel.project_id, parcel)
        if (
            parcel.status == ParcelStatus.IDLE
            and parcel.idle_on
            and parcel.idle_on <= campaign.as_of
        ):
            idle.setdefault(parcel.project_id, parcel)
        first = earliest.get(parcel.project_id)
        if parcel.delivered_on and (first is None or parcel.delivered_on < first.delivered_on):
            earliest[parcel.project_id] = parcel
    existing = set(
        CampaignEntry.objects.filter(campaign=campaign).values_list("project_id", "category")
    )
    new: list[CampaignEntry] = []
    due[IDLE_LAND] = set(idle)
    for project in projects:
        threshold = book.for_project(project)
        first = idle.get(project.pk) or earliest.get(project.pk)
        land_on = first.delivered_on if first is not None else None
        for category in _categories(project, campaign.as_of, campaign, threshold, due):
            if (project.pk, category) in existing:
                continue
            parcel = parcels.get(project.pk)
            delivered_on = project.land_delivered_on
            if category == EntryCategory.ENCLOSED and first is not None:
                parcel = first
                delivered_on = min(d for d in (delivered_on, land_on) if d is not None)
            new.append(
                CampaignEntry(
                    district_id=campaign.district_id,
                    campaign=campaign,
                    project=project,
                    parcel=parcel,
                    category=category,
                    land_area=project.land_area or getattr(parcel, "area", None),
                    delivered_on=delivered_on,
                    signed_on=project.signed_on,
                    started_on=project.started_on,
                    production_on=project.production_on,
                    intensity=project.investment_intensity,
                    tax_per_mu=project.per_mu_tax,
                    min_intensity=threshold.min_intensity,
                    min_tax_per_mu=threshold.min_tax_per_mu,
                )
            )
    return new


def generate_entries(user, campaign: LandCampaign) -> int:
    """Add the entries the open campaign lacks (``build_entries``) in one bulk insert with
    their history rows; returns how many were added. Generating again adds nothing twice."""
    require(permissions.can_manage_campaign(user, campaign))
    if not campaign.is_open:
        raise status_error(_("The campaign is closed; its entries cannot change."))
    new = build_entries(campaign)
    with transaction.atomic():
        if new:
            bulk_create_with_history(new, CampaignEntry, batch_size=500, default_user=user)
        log_event(
            user,
            "land_campaign.generated",
            campaign,
            ngettext("%(count)d entry added", "%(count)d entries added", len(new))
            % {"count": len(new)},
            added=len(new),
        )
    return len(new)


def contradictions(entry: CampaignEntry, decision: str, today: datetime.date) -> list[str]:
    """What in the record a decision on ``entry`` contradicts (SPEC §20): clearing out a
    project that started building before the decision; recovering a parcel as idle land
    (闲置满一年) when it has been idle for less than a year."""
    found = []
    project = entry.project
    if decision == Decision.CLEAR:
        started = project.started_on or project.completed_on or project.production_on
        if started is not None and started <= today:
            found.append(
                _("the project started building on %(date)s, before this decision")
                % {"date": started.isoformat()}
            )
    if decision == Decision.RECOVER and entry.parcel_id:
        idle = entry.parcel.clock(today)
        if idle.state not in (Clock.IDLE, Clock.RECOVERABLE):
            if idle.idle_on is None:
                found.append(_("the parcel's idle-land clock is not running"))
            else:
                found.append(
                    _("the parcel has been idle for less than a year (idle from %(date)s)")
                    % {"date": idle.idle_on.isoformat()}
                )
    return found


def decide_entry(
    user,
    entry: CampaignEntry,
    *,
    decision: str,
    reason: str,
    deadline: datetime.date | None = None,
    facts_reason: str = "",
    expected_version: int | None = None,
) -> CampaignEntry:
    """Record the decision on an entry and start its follow-up (``followup.start_followup``):
    限期整改 and 盘活利用 set a deadline the daily scan watches; 收回土地 (which needs the
    parcel) and 清退 also set the date the enterprise is given, and start the land recovery
    on the parcel and the exit steps on the project. A decision that contradicts the record
    needs ``facts_reason``. While the campaign is open a decision may be revised until its
    follow-up has left the entry (a recovery or an exit under way stands)."""
    require(permissions.can_manage_campaign(user, entry.campaign))
    reason = (reason or "").strip()
    facts_reason = (facts_reason or "").strip()
    today = clock.today()
    with transaction.atomic():
        entry = lock_for_update(entry, expected_version)
        campaign = lock_for_update(entry.campaign)
        if not campaign.is_open:
            raise status_error(_("The campaign is closed; its decisions cannot change."))
        if entry.followup not in REVISABLE_FOLLOW_UPS:
            raise status_error(
                _("The decision is being carried out (%(followup)s); it cannot change now.")
                % {"followup": entry.get_followup_display()}
            )
        errors: dict[str, str] = {}
        if decision not in Decision.values:
            errors["decision"] = _("Choose the disposal decision.")
        if not reason:
            errors["reason"] = _("Give the reason for the decision.")
        if decision in DEADLINE_DECISIONS:
            if deadline is None:
                errors["deadline"] = _("Give the deadline for this decision.")
            elif deadline <= today:
                errors["deadline"] = _("The deadline must be after today.")
        if decision == Decision.RECOVER and not entry.parcel_id:
            errors["decision"] = _(
                "The entry has no parcel: record the project's parcel before recovering it."
            )
        found = contradictions(entry, decision, today)
        if found and not facts_reason:
            errors["facts_reason"] = _(
                "The decision contradicts the record (%(facts)s): give the reason for it."
            ) % {"facts": "; ".join(found)}
        if errors:
            raise ValidationError(errors)
        entry.decision = decision
        entry.decision_reason = reason
        entry.deadline = deadline if decision != Decision.OBSERVE else None
        entry.facts_reason = facts_reason if found else ""
        entry.decided_by = user
        entry.decided_at = clock.now()
        start_followup(user, entry, today)
        _save(
            entry,
            user,
            "land_entry.decided",
            f"{entry.project} · {entry.get_decision_display()}",
            decision=decision,
            deadline=entry.deadline,
            facts_reason=entry.facts_reason,
            followup=entry.followup,
        )
    return entry


def _named(entries) -> str:
    return "; ".join(
        f"{e.project.code} {e.project.name} ({e.get_category_display()})" for e in entries
    )


def close_campaign(
    user, campaign: LandCampaign, *, expected_version: int | None = None
) -> LandCampaign:
    """Close the campaign: refused while an entry has no decision or a decision has no
    follow-up (each named). The report date is today."""
    require(permissions.can_manage_campaign(user, campaign))
    with transaction.atomic():
        campaign = lock_for_update(campaign, expected_version)
        if not campaign.is_open:
            raise status_error(_("The campaign is closed already."))
        undecided = CampaignEntry.objects.filter(campaign=campaign, decision="").count()
        if undecided:
            raise status_error(
                ngettext(
                    "%(count)d entry has no decision yet; decide it before closing.",
                    "%(count)d entries have no decision yet; decide them before closing.",
                    undecided,
                )
                % {"count": undecided}
            )
        lacking = list(
            CampaignEntry.objects.filter(campaign=campaign, followup="")
            .exclude(decision="")
            .select_related("project")
            .order_by("project__code", "pk")
        )
        if lacking:
            raise status_error(
                ngettext(
                    "A decision has no follow-up yet: %(entries)s. Record the decision again "
                    "to start it before closing.",
                    "%(count)d decisions have no follow-up yet: %(entries)s. Record each "
                    "decision again to start it before closing.",
                    len(lacking),
                )
                % {"count": len(lacking), "entries": _named(lacking)}
            )
        campaign.status = CampaignStatus.CLOSED
        campaign.report_on = clock.today()
        campaign.closed_by = user
        _save(campaign, user, "land_campaign.closed", str(campaign))
    return campaign
