"""Complaints through their life (SPEC §9). Every state change is a function here; pages
and the API call them.

- Staff receive a complaint on behalf of an enterprise (supervision office, bureau, admin).
- The supervision office dispatches it to the department complained about: accept by 1
  working day, answer by 5 working days after the dispatch.
- The department accepts it and answers it with an outcome (属实/部分属实/不属实); a
  substantiated (or partly substantiated) outcome writes one entry to its assessment ledger.
- The enterprise's rating is recorded; 不满意 reopens it once (5 more working days),
  otherwise it is closed.

Bad input raises ``ValidationError`` keyed by the field and saves nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.complaints import permissions
from zhaoshang.complaints.choices import (
    ACCEPT_WORKDAYS,
    ANSWER_WORKDAYS,
    SUBSTANTIATED_OUTCOMES,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.complaints.models import Complaint
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import Counter
from zhaoshang.core.roles import Role
from zhaoshang.notifications.services import notify
from zhaoshang.workdays import services as workdays


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return timezone.localdate()


def _staff_of_department(department_id) -> list:
    from zhaoshang.org.models import User

    return list(
        User.objects.filter(department_id=department_id, is_active=True, enterprise__isnull=True)
    )


def _supervisors(district_id) -> list:
    from zhaoshang.org.models import User

    return list(
        User.objects.filter(
            district_id=district_id, is_active=True, groups__name=Role.SUPERVISOR
        ).distinct()
    )


def next_complaint_number(district, year: int) -> str:
    return f"TS-{year}-{Counter.next_value(district, f'complaint-{year}'):04d}"


def _lock(complaint: Complaint, expected_version: int | None) -> Complaint:
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("department", "enterprise")
        .get(pk=complaint.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this complaint after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _require_status(complaint: Complaint, *allowed: str) -> None:
    if complaint.status not in allowed:
        raise ValidationError(
            _("This cannot be done to a complaint that is “%(status)s”.")
            % {"status": complaint.get_status_display()},
            code="wrong_status",
        )


def _save(complaint: Complaint, user, verb: str, summary: str = "", **data) -> Complaint:
    complaint.version += 1
    complaint.save()
    log_event(user, verb, complaint, summary, **data)
    return complaint


def receive_complaint(
    user,
    *,
    district,
    enterprise,
    department,
    channel: str,
    category: str,
    text: str,
    project=None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_consent: bool = False,
    received_on: datetime.date | None = None,
) -> Complaint:
    """Record a complaint received on behalf of an enterprise."""
    _require(permissions.can_receive(user, getattr(district, "pk", None)))
    errors: dict[str, str] = {}
    if enterprise is None:
        errors["enterprise"] = _("Choose the enterprise that complains.")
    elif enterprise.district_id != district.pk:
        errors["enterprise"] = _("The enterprise belongs to another district.")
    if department is None:
        errors["department"] = _("Choose the department complained about.")
    elif department.district_id != district.pk:
        errors["department"] = _("The department belongs to another district.")
    if project is not None and enterprise is not None and project.enterprise_id != enterprise.pk:
        errors["project"] = _("The project is not one of this enterprise's projects.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the complaint came in.")
    if category not in Category.values:
        errors["category"] = _("Choose the category of the complaint.")
    if not (text or "").strip():
        errors["text"] = _("Write what the enterprise complains about.")
    received_on = received_on or _today()
    if received_on > _today():
        errors["received_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            district=district,
            number=next_complaint_number(district, received_on.year),
            enterprise=enterprise,
            project=project,
            department=department,
            channel=channel,
            category=category,
            text=text.strip(),
            contact_name=(contact_name or "").strip(),
            contact_phone=(contact_phone or "").strip(),
            contact_consent=bool(contact_consent),
            received_on=received_on,
            received_by=user,
        )
        log_event(user, "complaint.received", complaint, complaint.get_category_display())
        notify(
            [u for u in _supervisors(district.pk) if u.pk != user.pk],
            "complaint.received",
            _("Complaint %(number)s received") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def dispatch_complaint(
    user, complaint: Complaint, *, department=None, expected_version: int | None = None
) -> Complaint:
    """The supervision office sends the complaint to the department complained about
    (``department`` re-routes it): accept within 1, answer within 5 working days."""
    _require(permissions.can_dispatch(user, complaint))
    with transaction.atomic():
        complaint = _lock(complaint, expected_version)
        _require_status(complaint, ComplaintStatus.RECEIVED)
        if department is not None:
            if department.district_id != complaint.district_id:
                raise ValidationError(
                    {"department": _("The department belongs to another district.")}
                )
            complaint.department = department
        today = _today()
        complaint.dispatched_on = today
        complaint.accept_by = workdays.add_workdays(today, ACCEPT_WORKDAYS).date
        complaint.answer_by = workdays.add_workdays(today, ANSWER_WORKDAYS).date
        complaint.due_on = complaint.accept_by
        complaint.status = ComplaintStatus.DISPATCHED
        _save(complaint, user, "complaint.dispatched", complaint.department.name)
        notify(
            _staff_of_department(complaint.department_id),
            "complaint.dispatched",
            _("Complaint %(number)s against your department") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def accept_complaint(
    user, complaint: Complaint, *, expected_version: int | None = None
) -> Complaint:
    """The department complained about accepts the complaint (受理)."""
    _require(permissions.can_handle(user, complaint))
    with transaction.atomic():
        complaint = _lock(complaint, expected_version)
        _require_status(complaint, ComplaintStatus.DISPATCHED)
        complaint.accepted_on = _today()
        complaint.status = ComplaintStatus.ACCEPTED
        complaint.due_on = complaint.answer_by
        _save(complaint, user, "complaint.accepted")
    return complaint


def answer_complaint(
    user,
    complaint: Complaint,
    *,
    outcome: str,
    answer: str,
    expected_version: int | None = None,
) -> Complaint:
    """The department answers with its finding; a substantiated or partly substantiated
    complaint writes one entry to its assessment ledger."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    _require(permissions.can_handle(user, complaint))
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the outcome: substantiated, partly or not.")
    if not (answer or "").strip():
        errors["answer"] = _("Write the answer to the enterprise.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = _lock(complaint, expected_version)
        _require_status(complaint, ComplaintStatus.ACCEPTED)
        today = _today()
        complaint.outcome = outcome
        complaint.answer = answer.strip()
        complaint.answered_on = today
        complaint.status = ComplaintStatus.ANSWERED
        complaint.due_on = None
        _save(complaint, user, "complaint.answered", complaint.get_outcome_display())
        if outcome in SUBSTANTIATED_OUTCOMES:
            write_rule_entry(
                RuleCode.SUBSTANTIATED_COMPLAINT,
                complaint.department,
                complaint,
                _("Complaint %(number)s substantiated") % {"number": complaint.number},
                today,
            )
        notify(
            [complaint.received_by, *_supervisors(complaint.district_id)],
            "complaint.answered",
            _("Complaint %(number)s answered") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def rate_complaint(
    user, complaint: Complaint, *, rating: str, expected_version: int | None = None
) -> Complaint:
    """Record the enterprise's rating. 不满意 reopens the complaint once (the department
    answers again within 5 working days); otherwise it is closed."""
    _require(permissions.can_rate(user, complaint))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose the enterprise's rating.")})
    with transaction.atomic():
        complaint = _lock(complaint, expected_version)
        _require_status(complaint, ComplaintStatus.ANSWERED)
        today = _today()
        complaint.rating = rating
        complaint.rated_on = today
        if rating == Rating.DISSATISFIED and not complaint.reopened:
            complaint.reopened = True
            complaint.status = ComplaintStatus.ACCEPTED
            complaint.answer_by = workdays.add_workdays(today, ANSWER_WORKDAYS).date
            complaint.due_on = complaint.answer_by
            _save(complaint, user, "complaint.reopened", complaint.get_rating_display())
            notify(
                _staff_of_department(complaint.department_id),
                "complaint.reopened",
                _("Complaint %(number)s reopened: the enterprise is dissatisfied")
                % {"number": complaint.number},
                url=complaint.get_absolute_url(),
            )
        else:
            complaint.status = ComplaintStatus.CLOSED
            _save(complaint, user, "complaint.closed", complaint.get_rating_display())
    return complaint
