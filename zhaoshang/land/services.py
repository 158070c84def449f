"""Land through its life (SPEC §11; the work plan's 用地保障 and 园区土地清理). Every change
is a function here; the pages, the API and the admin's actions call them.

- A parcel is recorded in the reserve (储备), reserved (预留) or already supplied; its facts
  are edited with optimistic locking (the second writer is told, nothing is overwritten).
- Its status moves along ``choices.TRANSITIONS``: supplying needs a project and a delivery
  date; declaring it idle needs the idle-land clock to have run a year past the agreed start
  of construction; recovering needs the date, the reason and the decision's document number.
- A half-yearly clean-up campaign is opened for a district and half-year; opening it
  generates its entries (圈而不建, 签而不建, 建而不产, low efficiency) in a few set-based
  queries, and generating again adds only what is new. Each entry gets a decision; a
  campaign closes only when every entry has one.

Bad input raises ``ValidationError`` keyed by the field and saves nothing.
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
from zhaoshang.land import permissions
from zhaoshang.land.choices import (
    DELIVERED_MONTHS,
    HANDED_OVER,
    PRODUCTION_YEARS,
    SIGNED_MONTHS,
    TRANSITIONS,
    CampaignStatus,
    Clock,
    Decision,
    EntryCategory,
    Half,
    LandUse,
    ParcelStatus,
)
from zhaoshang.land.clock import add_months, add_years
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel
from zhaoshang.land.thresholds import ThresholdBook
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
from zhaoshang.projects.models import Project

# The facts of a parcel edited on its form (its status changes through change_parcel_status).
PARCEL_FIELDS = (
    "code",
    "name",
    "location",
    "park",
    "area",
    "land_use",
    "project",
    "delivered_on",
    "land_price",
    "agreed_start_on",
    "contract_number",
    "plot_ratio",
    "note",
)
# Statuses a parcel may be recorded in (a recovered or idle parcel gets there by a change).
INITIAL_STATUSES = (ParcelStatus.RESERVE, ParcelStatus.RESERVED, ParcelStatus.SUPPLIED)


def _save(obj, user, verb: str, summary: str = "", **data):
    """Save the change as the record's next version and log it."""
    obj.save_new_version()
    log_event(user, verb, obj, summary, **data)
    return obj


# ---------------------------------------------------------------------------------------
# Parcels


def _check_parcel(user, district_id, data: dict, parcel: LandParcel | None) -> dict:
    """The field rules of a parcel's facts; returns {field: message}."""
    errors: dict[str, str] = {}
    code = (data.get("code") or "").strip()
    if not code:
        errors["code"] = _("Give the parcel number.")
    else:
        taken = LandParcel.objects.filter(district_id=district_id, code=code)
        if parcel is not None:
            taken = taken.exclude(pk=parcel.pk)
        if taken.exists():
            errors["code"] = _("Another parcel of the district has this number.")
    if not (data.get("name") or "").strip():
        errors["name"] = _("Give the parcel a name.")
    park = data.get("park")
    if park is None:
        errors["park"] = _("Choose the park the parcel is in.")
    elif park.district_id != district_id:
        errors["park"] = _("The park belongs to another district.")
    elif not permissions.can_place_in_park(user, park):
        errors["park"] = _("You manage the land of other parks only.")
    area = data.get("area")
    if area is None:
        errors["area"] = _("Give the area in mu.")
    elif area <= 0:
        errors["area"] = _("The area must be more than zero.")
    if data.get("land_use") not in LandUse.values:
        errors["land_use"] = _("Choose the land use.")
    project = data.get("project")
    if project is not None:
        if project.district_id != district_id:
            errors["project"] = _("The project belongs to another district.")
        elif park is not None and project.park_id != park.pk:
            errors["project"] = _("The project is in another park.")
    delivered_on = data.get("delivered_on")
    if delivered_on is not None and delivered_on > clock.today():
        errors["delivered_on"] = _("The date cannot be in the future.")
    for name in ("land_price", "plot_ratio"):
        value = data.get(name)
        if value is not None and value < 0:
            errors[name] = _("The figure cannot be negative.")
    return errors


def _check_supplied(data: dict, errors: dict) -> None:
    """A parcel handed over has a project and a delivery date."""
    if data.get("project") is None:
        errors.setdefault("project", _("A supplied parcel needs the project it is supplied to."))
    if data.get("delivered_on") is None:
        errors.setdefault("delivered_on", _("A supplied parcel needs its delivery date."))


def _clean(data: dict) -> dict:
    out = dict(data)
    for name in ("code", "name", "location", "contract_number", "note"):
        out[name] = (out.get(name) or "").strip()
    return out


def create_parcel(user, *, district, status: str = ParcelStatus.RESERVE, **fields) -> LandParcel:
    """Record a parcel in the reserve, reserved, or already supplied to a project."""
    district_id = getattr(district, "pk", None)
    require(permissions.can_add_parcels(user, district_id))
    data = _clean({name: fields.get(name) for name in PARCEL_FIELDS})
    data["land_use"] = data.get("land_use") or LandUse.INDUSTRIAL
    errors = _check_parcel(user, district_id, data, None)
    if status not in INITIAL_STATUSES:
        errors["status"] = _("A new parcel is in the reserve, reserved or supplied.")
    elif status in HANDED_OVER:
        _check_supplied(data, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        parcel = LandParcel.objects.create(district=district, status=status, **data)
        log_event(user, "land_parcel.created", parcel, f"{parcel.code} {parcel.name}")
    return parcel


def update_parcel(
    user, parcel: LandParcel, *, expected_version: int | None = None, **fields
) -> LandParcel:
    """Edit a parcel's facts (not its status). Fields left out keep their value."""
    require(permissions.can_edit_parcel(user, parcel))
    with transaction.atomic():
        parcel = lock_for_update(parcel, expected_version)
        data = _clean(
            {
                name: fields[name] if name in fields else getattr(parcel, name)
                for name in PARCEL_FIELDS
            }
        )
        errors = _check_parcel(user, parcel.district_id, data, parcel)
        if parcel.status in HANDED_OVER:
            _check_supplied(data, errors)
        if errors:
            raise ValidationError(errors)
        changed = [name for name in PARCEL_FIELDS if getattr(parcel, name) != data[name]]
        for name, value in data.items():
            setattr(parcel, name, value)
        _save(parcel, user, "land_parcel.updated", ", ".join(changed), fields=changed)
    return parcel


def _to_supplied(parcel, before: str, *, on, reason: str, project, errors: dict) -> None:
    """Supplied (已供): a project of the parcel's park and the delivery date; back from
    idle, how the idle land was dealt with."""
    if project is not None:
        if project.district_id != parcel.district_id:
            errors["project"] = _("The project belongs to another district.")
        elif project.park_id != parcel.park_id:
            errors["project"] = _("The project is in another park.")
    chosen = project or parcel.project
    delivered = on or parcel.delivered_on or getattr(chosen, "land_delivered_on", None)
    if chosen is None:
        errors.setdefault("project", _("A supplied parcel needs the project it is supplied to."))
    if delivered is None:
        errors.setdefault("on", _("Give the delivery date (交地日期)."))
    if before == ParcelStatus.IDLE and not reason:
        errors["reason"] = _("Say how the idle land was dealt with.")
    if errors:
        raise ValidationError(errors)
    parcel.project, parcel.delivered_on = chosen, delivered
    parcel.idle_on = None


def _to_idle(parcel, *, day: datetime.date, errors: dict) -> None:
    """Idle (闲置): only once the idle-land clock has run its year."""
    idle_clock = parcel.clock(day)
    if idle_clock.state not in (Clock.IDLE, Clock.RECOVERABLE):
        if idle_clock.idle_on is None:
            message = _(
                "The idle-land clock is not running: the parcel needs a project that "
                "has not started and an agreed start date."
            )
        else:
            message = _("The parcel is not idle before %(date)s.") % {
                "date": idle_clock.idle_on.isoformat()
            }
        errors["status"] = message
    if errors:
        raise ValidationError(errors)
    parcel.idle_on = day


def _to_recovered(parcel, *, on, reason: str, document: str, errors: dict) -> None:
    """Recovered (收回): the date, the reason and the decision's document number."""
    if on is None:
        errors.setdefault("on", _("Give the date the land was recovered."))
    if not reason:
        errors["reason"] = _("Give the reason for the recovery.")
    if not document:
        errors["document"] = _(
            "Give the document number of the recovery decision (收回决定书文号)."
        )
    if errors:
        raise ValidationError(errors)
    parcel.recovered_on = on
    parcel.recovery_document = document


def _to_reserve(parcel, status: str, *, project, errors: dict) -> None:
    """Back to the reserve (储备: the parcel is free again) or reserved (预留) for a project
    of its park."""
    if errors:
        raise ValidationError(errors)
    if status == ParcelStatus.RESERVE:
        parcel.project = None
        parcel.delivered_on = parcel.agreed_start_on = None
        parcel.contract_number = ""
        parcel.idle_on = parcel.recovered_on = None
        parcel.recovery_document = ""
    elif project is not None:
        if project.district_id != parcel.district_id or project.park_id != parcel.park_id:
            raise ValidationError({"project": _("The project is in another park.")})
        parcel.project = project


def change_parcel_status(
    user,
    parcel: LandParcel,
    *,
    status: str,
    on: datetime.date | None = None,
    reason: str = "",
    document: str = "",
    project=None,
    expected_version: int | None = None,
) -> LandParcel:
    """Move a parcel to another status, by the rules of the land:

    - supplied (已供): a project (the parcel's own, or ``project``) and the delivery date
      (``on``, else the date known) are needed; back from idle, the reason too;
    - idle (闲置): only once the idle-land clock has run a year past the agreed start;
    - recovered (收回): the date, the reason and the recovery decision's document number;
    - back to the reserve (储备): the parcel is free again (project and contract cleared;
      the history keeps them).
    """
    require(permissions.can_edit_parcel(user, parcel))
    reason = (reason or "").strip()
    document = (document or "").strip()
    today = clock.today()
    with transaction.atomic():
        parcel = lock_for_update(parcel, expected_version)
        before = parcel.status
        errors: dict[str, str] = {}
        if status not in ParcelStatus.values:
            raise status_error(_("Choose the new status."))
        if status not in TRANSITIONS[before]:
            raise status_error(
                _("A parcel that is “%(from)s” cannot become “%(to)s”.")
                % {"from": ParcelStatus(before).label, "to": ParcelStatus(status).label}
            )
        if on is not None and on > today:
            errors["on"] = _("The date cannot be in the future.")
        if status == ParcelStatus.SUPPLIED:
            _to_supplied(parcel, before, on=on, reason=reason, project=project, errors=errors)
        elif status == ParcelStatus.IDLE:
            _to_idle(parcel, day=on or today, errors=errors)
        elif status == ParcelStatus.RECOVERED:
            _to_recovered(parcel, on=on, reason=reason, document=document, errors=errors)
        else:
            _to_reserve(parcel, status, project=project, errors=errors)
        parcel.status = status
        parcel.status_reason = reason
        summary = f"{ParcelStatus(before).label} → {ParcelStatus(status).label}"
        _save(
            parcel,
            user,
            "land_parcel.status_changed",
            f"{summary}{' · ' + reason if reason else ''}",
            **{"from": before, "to": status, "on": on, "document": document},
        )
    return parcel


# ---------------------------------------------------------------------------------------
# The half-yearly clean-up campaign


def open_campaign(
    user,
    *,
    district,
    year: int,
    half: str,
    as_of: datetime.date | None = None,
    delivered_months: int | None = None,
    signed_months: int | None = None,
    production_years: int | None = None,
    note: str = "",
) -> LandCampaign:
    """Open the district's clean-up campaign of a half-year and generate its entries."""
    district_id = getattr(district, "pk", None)
    require(permissions.can_manage_campaigns(user, district_id))
    today = clock.today()
    as_of = as_of or today
    errors: dict[str, str] = {}
    if half not in Half.values:
        errors["half"] = _("Choose the half-year.")
    if not year or year < 2000 or year > today.year:
        errors["year"] = _("Choose a year up to this one.")
    if as_of > today:
        errors["as_of"] = _("The date cannot be in the future.")
    settings_ = {
        "delivered_months": delivered_months or DELIVERED_MONTHS,
        "signed_months": signed_months or SIGNED_MONTHS,
        "production_years": production_years or PRODUCTION_YEARS,
    }
    for name, value in settings_.items():
        if value < 1 or value > 120:
            errors[name] = _("Give a number between 1 and 120.")
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
            **settings_,
        )
        log_event(user, "land_campaign.opened", campaign, str(campaign))
        generate_entries(user, campaign)
    return campaign


def _categories(
    project, as_of: datetime.date, campaign: LandCampaign, threshold, land_on=None
) -> list[str]:
    """The categories a project falls in on the campaign date (dates after it are not known
    yet on that date). ``land_on`` is the earliest delivery of a parcel it holds, when that
    is earlier than the project's recorded land delivery."""

    def known(day):
        return day if day is not None and day <= as_of else None

    signed = known(project.signed_on)
    delivered = min(
        (d for d in (known(project.land_delivered_on), known(land_on)) if d is not None),
        default=None,
    )
    started = known(project.started_on)
    production = known(project.production_on)
    if production is not None:
        short = threshold.below(project.investment_intensity, project.per_mu_tax)
        return [EntryCategory.LOW_EFFICIENCY] if short else []
    if started is not None:
        if started <= add_years(as_of, -campaign.production_years):
            return [EntryCategory.BUILT]
        return []
    if delivered is not None:
        if delivered <= add_months(as_of, -campaign.delivered_months):
            return [EntryCategory.ENCLOSED]
        return []
    if signed is not None and signed <= add_months(as_of, -campaign.signed_months):
        return [EntryCategory.SIGNED]
    return []


def build_entries(campaign: LandCampaign) -> list[CampaignEntry]:
    """The entries (unsaved) the campaign lacks: one per project and category that
    qualifies on the campaign date and has no entry yet. A few queries whatever the number
    of projects: the candidates, their parcels, the thresholds, the existing entries."""
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
    parcels: dict[int, LandParcel] = {}  # the largest parcel of each project
    earliest: dict[int, LandParcel] = {}  # the parcel delivered first
    for parcel in LandParcel.objects.filter(
        project__in=[p.pk for p in projects], status__in=(*HANDED_OVER, ParcelStatus.RESERVED)
    ).order_by("-area", "pk"):
        parcels.setdefault(parcel.project_id, parcel)
        first = earliest.get(parcel.project_id)
        if parcel.delivered_on and (first is None or parcel.delivered_on < first.delivered_on):
            earliest[parcel.project_id] = parcel
    existing = set(
        CampaignEntry.objects.filter(campaign=campaign).values_list("project_id", "category")
    )
    new: list[CampaignEntry] = []
    for project in projects:
        threshold = book.for_project(project)
        first = earliest.get(project.pk)
        land_on = first.delivered_on if first is not None else None
        for category in _categories(project, campaign.as_of, campaign, threshold, land_on):
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


def decide_entry(
    user,
    entry: CampaignEntry,
    *,
    decision: str,
    reason: str,
    deadline: datetime.date | None = None,
    expected_version: int | None = None,
) -> CampaignEntry:
    """Record (or revise, while the campaign is open) the decision on an entry; 限期整改
    needs the deadline."""
    require(permissions.can_manage_campaign(user, entry.campaign))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = _("Choose the disposal decision.")
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    if decision == Decision.RECTIFY:
        if deadline is None:
            errors["deadline"] = _("Give the deadline for the rectification.")
        elif deadline <= clock.today():
            errors["deadline"] = _("The deadline must be after today.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = lock_for_update(entry, expected_version)
        campaign = lock_for_update(entry.campaign)
        if not campaign.is_open:
            raise status_error(_("The campaign is closed; its decisions cannot change."))
        entry.decision = decision
        entry.decision_reason = reason
        entry.deadline = deadline if decision == Decision.RECTIFY else None
        entry.decided_by = user
        entry.decided_at = clock.now()
        _save(
            entry,
            user,
            "land_entry.decided",
            f"{entry.project} · {entry.get_decision_display()}",
            decision=decision,
            deadline=entry.deadline,
        )
    return entry


def close_campaign(
    user, campaign: LandCampaign, *, expected_version: int | None = None
) -> LandCampaign:
    """Close the campaign: refused while an entry has no decision. The report date is
    today."""
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
        campaign.status = CampaignStatus.CLOSED
        campaign.report_on = clock.today()
        campaign.closed_by = user
        _save(campaign, user, "land_campaign.closed", str(campaign))
    return campaign
