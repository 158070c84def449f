"""Inspection and fee requests through their life (SPEC §9; work plan: 按法律、法规确需收取的
规费以及对企业的检查评比，实行申报审批制度). Every state change is a function here; pages and
the API call them.

- A department files a request (purpose, legal basis, enterprises, date, people). Guards:
  the quiet days of each month (企业宁静日) need a reason for a routine visit, the yearly cap
  of visits per enterprise and department, emergencies filed within 1 working day after.
- The supervision office approves it (the cap is checked again; each visit gets its
  verification code) or rejects it with a reason; it may merge visits of several
  departments to one enterprise into a joint inspection (进一次门、查多项事).
- The filing department cancels it, or records that a visit took place; the enterprise
  rates the visit once.
- A visit or fee with no valid code is reported and becomes a complaint (乱检查/乱收费).

Bad input raises ``ValidationError`` keyed by the field and saves nothing.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import Counter
from zhaoshang.inspections import permissions
from zhaoshang.inspections.choices import (
    CODE_ALPHABET,
    CODE_LENGTH,
    VISIT_KINDS,
    Kind,
    Rating,
    RequestStatus,
)
from zhaoshang.inspections.models import (
    InspectionRequest,
    InspectionSettings,
    InspectionVisit,
    JointInspection,
    UnapprovedVisitReport,
)
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import staff_of_department, supervisors
from zhaoshang.workdays import services as workdays


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return clock.today()


def next_request_number(district, year: int) -> str:
    return f"JC-{year}-{Counter.next_value(district, f'inspection-{year}'):04d}"


def new_code() -> str:
    """A fresh verification code: 20 characters of Crockford base32 (100 random bits)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not InspectionVisit.objects.filter(code=code).exists():
            return code


def _lock(request: InspectionRequest, expected_version: int | None) -> InspectionRequest:
    locked = (
        InspectionRequest.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=request.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this request after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _lock_visit(visit: InspectionVisit, expected_version: int | None) -> InspectionVisit:
    locked = (
        InspectionVisit.objects.select_for_update(of=("self",))
        .select_related("request", "request__department", "enterprise")
        .get(pk=visit.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this visit after you opened it. Reload the page to see "
                "what changed; nothing of yours was saved."
            )
        )
    return locked


def _require_status(request: InspectionRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise ValidationError(
            _("This cannot be done to a request that is “%(status)s”.")
            % {"status": request.get_status_display()},
            code="wrong_status",
        )


def _save(request: InspectionRequest, user, verb: str, summary: str = "", **data):
    request.version += 1
    request.save()
    log_event(user, verb, request, summary, **data)
    return request


def _save_visit(visit: InspectionVisit, user, verb: str, summary: str = ""):
    visit.version += 1
    visit.save()
    # The request's record tells the story of all its visits.
    log_event(user, verb, visit.request, summary or visit.enterprise.name, visit=visit.pk)
    return visit


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
        _require(permissions.can_file_for(user, department))
    else:
        _require(permissions.can_file(user, getattr(district, "pk", None)))
    settings = InspectionSettings.for_district(district.pk)
    today = _today()
    enterprises = list(enterprises or [])
    errors: dict[str, str] = {}
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
    if not (purpose or "").strip():
        errors["purpose"] = _("Write the purpose of the request.")
    if not (legal_basis or "").strip():
        errors["legal_basis"] = _(
            "A request without a legal basis cannot be filed: cite the law or regulation."
        )
    is_visit = kind in VISIT_KINDS
    if is_visit and not (people or "").strip():
        errors["people"] = _("Name the inspectors and their certificate numbers.")
    if kind == Kind.FEE:
        if fee_amount is None or fee_amount <= 0:
            errors["fee_amount"] = _("Give the amount of the fee.")
        if not (fee_basis or "").strip():
            errors["fee_basis"] = _("Cite the basis of the fee (the charging document).")
    if is_emergency and not (emergency_reason or "").strip():
        errors["emergency_reason"] = _("Write why the inspection could not wait for approval.")
    if planned_on is None:
        errors["planned_on"] = _("Give the planned date.")
    elif is_emergency:
        if planned_on > today:
            errors["planned_on"] = _(
                "An emergency inspection is filed after it took place: the date cannot be in "
                "the future."
            )
        else:
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
    _require(permissions.can_decide(user, request))
    with transaction.atomic():
        request = _lock(request, expected_version)
        _require_status(request, RequestStatus.FILED)
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
        request.decided_on = _today()
        request.decided_by = user
        request.decision_reason = ""
        for visit in visits:
            visit.code = new_code()
            visit.version += 1
            visit.save()
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
    _require(permissions.can_decide(user, request))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Write why the request is rejected.")})
    with transaction.atomic():
        request = _lock(request, expected_version)
        _require_status(request, RequestStatus.FILED)
        request.status = RequestStatus.REJECTED
        request.decided_on = _today()
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
    _require(permissions.can_manage(user, request))
    with transaction.atomic():
        request = _lock(request, expected_version)
        _require_status(request, RequestStatus.FILED, RequestStatus.APPROVED)
        if request.visits.filter(carried_out_on__isnull=False).exists():
            raise ValidationError(
                _("A visit of this request has taken place: it can no longer be cancelled."),
                code="wrong_status",
            )
        request.status = RequestStatus.CANCELLED
        _save(request, user, "inspection.cancelled", (reason or "").strip()[:300])
    return request


def merge_visits(
    user,
    visit: InspectionVisit,
    *,
    others,
    visit_on: datetime.date | None,
    lead_department,
    expected_version: int | None = None,
) -> JointInspection:
    """The supervision office merges approved visits of different departments to the same
    enterprise into one joint inspection on one date (进一次门、查多项事)."""
    _require(permissions.can_decide(user, visit.request))
    others = list(others or [])
    errors: dict[str, str] = {}
    if not others:
        errors["others"] = _("Choose the visits of other departments to merge with.")
    if visit_on is None:
        errors["visit_on"] = _("Give the date of the joint inspection.")
    elif visit_on < _today():
        errors["visit_on"] = _("The date of the joint inspection cannot be in the past.")
    if lead_department is None:
        errors["lead_department"] = _("Choose the lead department.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = _lock_visit(visit, expected_version)
        locked = [visit] + [
            _lock_visit(o, None) for o in {o.pk: o for o in others}.values() if o.pk != visit.pk
        ]
        # Joining an existing joint inspection brings its other visits along (new date).
        joint_ids = {v.joint_id for v in locked if v.joint_id}
        if joint_ids:
            seen = {v.pk for v in locked}
            for member in InspectionVisit.objects.filter(joint_id__in=joint_ids).exclude(
                pk__in=seen
            ):
                locked.append(_lock_visit(member, None))
        for v in locked:
            if (
                v.request.status != RequestStatus.APPROVED
                or v.carried_out_on is not None
                or not v.request.is_visit
                or v.enterprise_id != visit.enterprise_id
                or v.district_id != visit.district_id
            ):
                raise ValidationError(
                    {
                        "others": _(
                            "Only approved visits to the same enterprise that have not taken "
                            "place can be merged."
                        )
                    }
                )
        departments = {v.request.department_id for v in locked}
        if len(departments) < 2:
            raise ValidationError(
                {"others": _("A joint inspection merges the visits of different departments.")}
            )
        if lead_department.pk not in departments:
            raise ValidationError(
                {"lead_department": _("The lead department is one of the departments merged.")}
            )
        joint = next((v.joint for v in locked if v.joint_id), None)
        merged_away = joint_ids - {joint.pk} if joint is not None else set()
        if joint is None:
            joint = JointInspection(
                district_id=visit.district_id, enterprise=visit.enterprise, created_by=user
            )
        joint.visit_on = visit_on
        joint.lead_department = lead_department
        joint.save()
        for v in locked:
            v.joint = joint
            v.visit_on = visit_on
            _save_visit(
                v,
                user,
                "inspection.merged",
                _("%(enterprise)s: joint inspection on %(date)s led by %(lead)s")
                % {
                    "enterprise": v.enterprise.name,
                    "date": visit_on.isoformat(),
                    "lead": lead_department.name,
                },
            )
            notify(
                staff_of_department(v.request.department_id),
                "inspection.merged",
                _("Inspection request %(number)s: joint inspection on %(date)s")
                % {"number": v.request.number, "date": visit_on.isoformat()},
                url=v.request.get_absolute_url(),
            )
        # Joint inspections whose visits all moved into this one are empty now.
        JointInspection.objects.filter(pk__in=merged_away, visits__isnull=True).delete()
    return joint


def record_visit(
    user,
    visit: InspectionVisit,
    *,
    carried_out_on: datetime.date | None,
    findings: str,
    expected_version: int | None = None,
) -> InspectionVisit:
    """The filing department records that the visit took place and what it found."""
    _require(permissions.can_manage(user, visit.request))
    today = _today()
    errors: dict[str, str] = {}
    if carried_out_on is None:
        errors["carried_out_on"] = _("Give the date the visit took place.")
    elif carried_out_on > today:
        errors["carried_out_on"] = _("The date cannot be in the future.")
    elif carried_out_on < visit.visit_on:
        errors["carried_out_on"] = _(
            "The visit cannot have taken place before its approved date (%(date)s)."
        ) % {"date": visit.visit_on.isoformat()}
    if not (findings or "").strip():
        errors["findings"] = _("Summarise what the visit found.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = _lock_visit(visit, expected_version)
        _require_status(visit.request, RequestStatus.APPROVED)
        if visit.carried_out_on is not None:
            raise ValidationError(_("This visit has already been recorded."), code="wrong_status")
        visit.carried_out_on = carried_out_on
        visit.findings = findings.strip()
        _save_visit(visit, user, "inspection.carried_out")
    return visit


def rate_visit(
    user,
    visit: InspectionVisit,
    *,
    rating: str,
    comment: str = "",
    expected_version: int | None = None,
) -> InspectionVisit:
    """Record the enterprise's rating of a visit that took place, once."""
    _require(permissions.can_rate(user, visit))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose the enterprise's rating.")})
    with transaction.atomic():
        visit = _lock_visit(visit, expected_version)
        if visit.carried_out_on is None:
            raise ValidationError(
                {"rating": _("This visit has not been recorded as carried out: nothing to rate.")}
            )
        if visit.rating:
            raise ValidationError({"rating": _("This visit has already been rated.")})
        visit.rating = rating
        visit.rating_comment = (comment or "").strip()
        visit.rated_on = _today()
        _save_visit(visit, user, "inspection.rated", visit.get_rating_display())
        if rating == Rating.DISSATISFIED:
            notify(
                supervisors(visit.district_id),
                "inspection.rated",
                _("An enterprise is dissatisfied with inspection %(number)s")
                % {"number": visit.request.number},
                url=visit.get_absolute_url(),
            )
    return visit


def report_unapproved_visit(
    user,
    *,
    district,
    enterprise,
    department,
    kind: str,
    visited_on: datetime.date | None,
    what_happened: str,
    code_shown: str = "",
    channel: str = "visit",
):
    """Staff record, on an enterprise's behalf, a visit or fee with no valid code; it is
    received as a complaint (乱检查, or 乱收费 for a fee) marked as an unapproved visit.
    Returns the complaint."""
    from zhaoshang.complaints import services as complaints
    from zhaoshang.inspections.verification import lookup

    _require(permissions.can_receive(user, getattr(district, "pk", None)))
    errors: dict[str, str] = {}
    if enterprise is None:
        errors["enterprise"] = _("Choose the enterprise that reports the visit.")
    elif enterprise.district_id != district.pk:
        errors["enterprise"] = _("The enterprise belongs to another district.")
    if department is None:
        errors["department"] = _("Choose the department that came.")
    elif department.district_id != district.pk:
        errors["department"] = _("The department belongs to another district.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose what the department came for.")
    if visited_on is None:
        errors["visited_on"] = _("Give the date the department came.")
    elif visited_on > _today():
        errors["visited_on"] = _("The date cannot be in the future.")
    if not (what_happened or "").strip():
        errors["what_happened"] = _("Write what happened.")
    code_shown = (code_shown or "").strip()
    if code_shown and not errors:
        found = lookup(code_shown)
        if (
            found.is_valid
            and found.visit.enterprise_id == enterprise.pk
            and department.pk in {d.pk for d in found.departments}
        ):
            errors["code_shown"] = _(
                "This code is valid for this enterprise and department: the visit was approved."
            )
    if errors:
        raise ValidationError(errors)
    text = _("%(kind)s by %(department)s on %(date)s without a valid verification code.") % {
        "kind": Kind(kind).label,
        "department": department.name,
        "date": visited_on.isoformat(),
    }
    text += "\n" + what_happened.strip()
    if code_shown:
        text += "\n" + _("Code shown: %(code)s") % {"code": code_shown}
    with transaction.atomic():
        complaint = complaints.receive_complaint(
            user,
            district=district,
            enterprise=enterprise,
            department=department,
            channel=channel,
            category="fees" if kind == Kind.FEE else "inspections",
            text=text,
            reports_unapproved_visit=True,
        )
        UnapprovedVisitReport.objects.create(
            district=district,
            enterprise=enterprise,
            department=department,
            kind=kind,
            visited_on=visited_on,
            what_happened=what_happened.strip(),
            code_shown=code_shown,
            complaint=complaint,
            reported_by=user,
        )
    return complaint
