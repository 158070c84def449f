"""Parcels through their life (SPEC §11; the work plan's 用地保障). Every change is a
function here; the pages, the API and the admin's actions call them.

- A parcel is recorded in the reserve (储备), reserved (预留) or already supplied; its facts
  are edited with optimistic locking (the second writer is told, nothing is overwritten).
- Its status moves along ``choices.TRANSITIONS``: supplying needs a project and a delivery
  date; declaring it idle needs the idle-land clock to have run a year past the agreed start
  of construction; recovering needs the date, the reason and the decision's document number.
- A recovery a clean-up decision started (收回土地) ends here: recovering the parcel ends
  the follow-up of the decisions that started it (``followup.land_recovered``).

Bad input raises ``ValidationError`` keyed by the field and saves nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.land import permissions
from zhaoshang.land.choices import (
    HANDED_OVER,
    TRANSITIONS,
    Clock,
    LandUse,
    ParcelStatus,
)
from zhaoshang.land.models import LandParcel
from zhaoshang.land.services.base import _save
from zhaoshang.land.services.followup import land_recovered

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
        parcel.idle_on = parcel.recovered_on = parcel.recovery_started_on = None
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
        if status == ParcelStatus.RECOVERED:
            land_recovered(user, parcel, on=parcel.recovered_on, document=document)
    return parcel
