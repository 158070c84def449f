"""Inspection and fee requests: filing (with the quiet days, the yearly cap and the
emergency filing deadline), the supervision office's decision and the cancellation."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import Counter
from zhaoshang.core.services import lock_for_update, require, require_status, status_error
from zhaoshang.inspections import permissions
from zhaoshang.inspections.choices import (
    CODE_ALPHABET,
    CODE_LENGTH,
    VISIT_KINDS,
    Kind,
    RequestStatus,
)
from zhaoshang.inspections.models import InspectionRequest, InspectionSettings, InspectionVisit
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import staff_of_department, supervisors
from zhaoshang.workdays import services as workdays


def next_request_number(district, year: int) -> str:
    return f"JC-{year}-{Counter.next_value(district, f'inspection-{year}'):04d}"


def new_code() -> str:
    """A fresh verification code: 20 characters of Crockford base32 (100 random bits)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not InspectionVisit.objects.filter(code=code).exists():
            return code


def _save(request: InspectionRequest, user, verb: str, summary: str = "", **data):
    request.save_new_version()
    log_event(user, verb, request, summary, **data)
    return request


def _over_cap(department, enterprises, year: int, cap: int, *, approved_only=False, exclude=None):
    """The enterprises that already have ``cap`` counting visits of the department in
    ``year``; ``approved_only`` counts approved requests only (the check at approval)."""
    visits = InspectionVisit.objects.counting().filter(
        request__department=department,
        request__kind__in=VISIT_KINDS,
        enterprise__in=enterprises,
        visit_on__year=year,
    )
    if approved_only:
        visits = visits.filter(request__status=RequestStatus.APPROVED)
    if exclude is not None:
        visits = visits.exclude(request=exclude)
    counts: dict[int, int] = {}
    for enterprise_id in visits.values_list("enterprise_id", flat=True):
        counts[enterprise_id] = counts.get(enterprise_id, 0) + 1
    return [e for e in enterprises if counts.get(e.pk, 0) >= cap]


def _cap_message(over, cap: int, year: int) -> str:
    return _(
        "%(enterprises)s already has %(cap)s visits of your department in %(year)s, the "
        "yearly cap; combine the visit with another or wait until next year."
    ) % {"enterprises": "、".join(e.name for e in over), "cap": cap, "year": year}


def _check_parties(errors: dict, district, department, kind: str, enterprises: list) -> None:
    """Who files, what for and about whom: all of the request's district."""
    if department is None:
        errors["department"] = _("Choose the department that files the request.")
    elif department.district_id != district.pk:
        errors["department"] = _("The department belongs to another district.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose what the request is for: an inspection, a rating or a fee.")
    if not enterprises:
        errors["enterprises"] = _("Choose at least one enterprise.")
    elif any(e.district_id != district.pk for e in enterprises):
        errors["enterprises"] = _("An enterprise belongs to another district.")


def _check_content(errors: dict, kind: str, **data) -> None:
    """The purpose and its legal basis; the inspectors of a visit; the amount and basis of
    a fee; the reason of an emergency."""
    if not (data["purpose"] or "").strip():
        errors["purpose"] = _("Write the purpose of the request.")
    if not (data["legal_basis"] or "").strip():
        errors["legal_basis"] = _(
            "A request without a legal basis cannot be filed: cite the law or regulation."
        )
    if kind in VISIT_KINDS and not (data["people"] or "").strip():
        errors["people"] = _("Name the inspectors and their certificate numbers.")
    if kind == Kind.FEE:
        if data["fee_amount"] is None or data["fee_amount"] <= 0:
            errors["fee_amount"] = _("Give the amount of the fee.")
        if not (data["fee_basis"] or "").strip():
            errors["fee_basis"] = _("Cite the basis of the fee (the charging document).")
    if data["is_emergency"] and not (data["emergency_reason"] or "").strip():
        errors["emergency_reason"] = _("Write why the inspection could not wait for approval.")


def _check_date(
    errors: dict,
    settings: InspectionSettings,
    today: datetime.date,
    planned_on: datetime.date | None,
    *,
    is_visit: bool,
    is_emergency: bool,
    quiet_day_reason: str,
) -> None:
    """A routine request is filed ahead of its date, outside the quiet days unless a
    reason is given; an emergency inspection within the district's working days after."""
    if planned_on is None:
        errors["planned_on"] = _("Give the planned date.")
    elif is_emergency:
        if planned_on > today:
            errors["planned_on"] = _(
                "An emergency inspection is filed after it took place: the date cannot be in "
                "the future."
            )
            return
        deadline = workdays.add_workdays(planned_on, settings.emergency_workdays).date
        if today > deadline:
            errors["planned_on"] = _(
                "An emergency inspection must be filed within %(n)s working day(s) after "
                "it (by %(deadline)s)."
            ) % {"n": settings.emergency_workdays, "deadline": deadline.isoformat()}
    elif planned_on < today:
        errors["planned_on"] = _(
            "The planned date has passed; only an emergency inspection is filed afterwards."
        )
    elif is_visit and settings.is_quiet(planned_on) and not (quiet_day_reason or "").strip():
        errors["quiet_day_reason"] = _(
            "%(date)s falls on the enterprises' quiet days (days %(days)s of each month): "
            "give the reason why the visit cannot wait."
        ) % {"date": planned_on.isoformat(), "days": settings.quiet_days_label}


def file_request(
    user,
    *,
    district,
    department,
    kind: str,
    enterprises,
    purpose: str,
    legal_basis: str,
    planned_on: datetime.date | None,
    people: str = "",
    is_emergency: bool = False,
    emergency_reason: str = "",
    quiet_day_reason: str = "",
    fee_amount: Decimal | None = None,
    fee_basis: str = "",
) -> InspectionRequest:
    """A department files a request to inspect, rate or charge enterprises."""
    if department is not None:
        require(permissions.can_file_for(user, department))
    else:
        require(permissions.can_file(user, getattr(district, "pk", None)))
    settings = InspectionSettings.for_district(district.pk)
    today = clock.today()
    enterprises = list(enterprises or [])
    is_visit = kind in VISIT_KINDS
    errors: dict[str, str] = {}
    _check_parties(errors, district, department, kind, enterprises)
    _check_content(
        errors,
        kind,
        purpose=purpose,
        legal_basis=legal_basis,
        people=people,
        fee_amount=fee_amount,
        fee_basis=fee_basis,
        is_emergency=is_emergency,
        emergency_reason=emergency_reason,
    )
    _check_date(
        errors,
        settings,
        today,
        planned_on,
        is_visit=is_visit,
        is_emergency=is_emergency,
        quiet_day_reason=quiet_day_reason,
    )
    if not errors and is_visit and not is_emergency:
        over = _over_cap(department, enterprises, planned_on.year, settings.yearly_cap)
        if over:
            errors["enterprises"] = _cap_message(over, settings.yearly_cap, planned_on.year)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = InspectionRequest.objects.create(
            district=district,
            number=next_request_number(district, today.year),
            kind=kind,
            department=department,
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            planned_on=planned_on,
            people=(people or "").strip(),
            is_emergency=bool(is_emergency),
            emergency_reason=(emergency_reason or "").strip() if is_emergency else "",
            quiet_day_reason=(quiet_day_reason or "").strip(),
            fee_amount=fee_amount if kind == Kind.FEE else None,
            fee_basis=(fee_basis or "").strip() if kind == Kind.FEE else "",
            filed_on=today,
            filed_by=user,
        )
        for enterprise in {e.pk: e for e in enterprises}.values():
            InspectionVisit.objects.create(
                district=district, request=request, enterprise=enterprise, visit_on=planned_on
            )
        log_event(user, "inspection.filed", request, request.get_kind_display())
        notify(
            [u for u in supervisors(district.pk) if u.pk != user.pk],
            "inspection.filed",
            _("Inspection request %(number)s to approve") % {"number": request.number},
            url=request.get_absolute_url(),
        )
    return request


def approve_request(
    user, request: InspectionRequest, *, expected_version: int | None = None
) -> InspectionRequest:
    """The supervision office approves: the cap is checked again against approved visits
    and each visit gets its verification code."""
    require(permissions.can_decide(user, request))
    with transaction.atomic():
        request = lock_for_update(request, expected_version)
        require_status(request, RequestStatus.FILED)
        visits = list(request.visits.select_related("enterprise"))
        if request.is_visit and not request.is_emergency:
            settings = InspectionSettings.for_district(request.district_id)
            over = _over_cap(
                request.department,
                [v.enterprise for v in visits],
                request.planned_on.year,
                settings.yearly_cap,
                approved_only=True,
                exclude=request,
            )
            if over:
                raise ValidationError(
                    {
                        "enterprises": _cap_message(
                            over, settings.yearly_cap, request.planned_on.year
                        )
                    }
                )
        request.status = RequestStatus.APPROVED
        request.decided_on = clock.today()
        request.decided_by = user
        request.decision_reason = ""
        for visit in visits:
            visit.code = new_code()
            visit.save_new_version()
        _save(request, user, "inspection.approved")
        notify(
            [request.filed_by, *staff_of_department(request.department_id)],
            "inspection.approved",
            _("Inspection request %(number)s approved") % {"number": request.number},
            url=request.get_absolute_url(),
        )
    return request


def reject_request(
    user, request: InspectionRequest, *, reason: str, expected_version: int | None = None
) -> InspectionRequest:
    """The supervision office rejects the request, saying why."""
    require(permissions.can_decide(user, request))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Write why the request is rejected.")})
    with transaction.atomic():
        request = lock_for_update(request, expected_version)
        require_status(request, RequestStatus.FILED)
        request.status = RequestStatus.REJECTED
        request.decided_on = clock.today()
        request.decided_by = user
        request.decision_reason = reason.strip()
        _save(request, user, "inspection.rejected", request.decision_reason[:300])
        notify(
            [request.filed_by, *staff_of_department(request.department_id)],
            "inspection.rejected",
            _("Inspection request %(number)s rejected") % {"number": request.number},
            url=request.get_absolute_url(),
        )
    return request


def cancel_request(
    user, request: InspectionRequest, *, reason: str = "", expected_version: int | None = None
) -> InspectionRequest:
    """The filing department withdraws its request before any visit took place; the codes
    stop being valid."""
    require(permissions.can_manage(user, request))
    with transaction.atomic():
        request = lock_for_update(request, expected_version)
        require_status(request, RequestStatus.FILED, RequestStatus.APPROVED)
        if request.visits.filter(carried_out_on__isnull=False).exists():
            raise status_error(
                _("A visit of this request has taken place: it can no longer be cancelled.")
            )
        request.status = RequestStatus.CANCELLED
        _save(request, user, "inspection.cancelled", (reason or "").strip()[:300])
    return request
