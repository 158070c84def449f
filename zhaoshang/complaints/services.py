"""Complaints through their life (SPEC §9, §20). Every state change is a function here;
pages and the API call them.

- Staff receive a complaint on behalf of an enterprise (supervision office, bureau, admin).
- The supervision office dispatches it to the department complained about: accept by 1
  working day, answer by 5 working days after the dispatch, or as the district configured
  for the category (``ComplaintLimit``). These limits are the department's: they end when
  it has answered with the facts.
- A complex case (复杂案件) may be extended once, at the department's request with a
  reason, to at most 15 working days after the dispatch; the supervision office approves
  or rejects it with a reason.
- Files may be attached when it is received and later (the supervision office, the
  receivers and the department complained about).
- The department accepts it and answers with the facts (``answer_complaint``): its account
  (情况说明), its own view (属实/部分属实/不属实) and, optionally, a file. It does not judge
  its own complaint: the complaint goes to the supervision office.
- The supervision office (督查室/效能办) verifies the account within 5 working days
  (``VERIFY_WORKDAYS``) and records the finding with its reasoning (``verify_complaint``);
  a finding other than the department's view overrules it, with a reason, recorded as
  such. Only this finding writes to the ledger: 属实/部分属实 → one entry against the
  department, dated the day of the finding. The office answers the enterprise with it.
- The enterprise rates the answer (its contact in the service hall, or staff on its
  behalf); 不满意 reopens it once (the department answers again within 5 more working
  days, and the office verifies again), otherwise it is closed and the rating is recorded
  against the department (好差评).

Bad input raises ``ValidationError`` keyed by the field, every error at once, and saves
nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.assessment.models import RuleCode
from zhaoshang.assessment.services import write_rule_entry
from zhaoshang.complaints import permissions
from zhaoshang.complaints.choices import (
    ACCEPT_WORKDAYS,
    ANSWER_WORKDAYS,
    EXTENSION_MAX_WORKDAYS,
    SUBSTANTIATED_OUTCOMES,
    VERIFY_WORKDAYS,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.complaints.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintExtension,
    ComplaintLimit,
)
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import Counter
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require, require_status
from zhaoshang.core.validators import check_upload
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import staff_of_department, supervisors
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.services import rating_errors, record_rating
from zhaoshang.workdays import services as workdays

MAX_ATTACHMENTS = 5  # the files one complaint may bring (``attachments``)


def next_complaint_number(district, year: int) -> str:
    return f"TS-{year}-{Counter.next_value(district, f'complaint-{year}'):04d}"


def _save(complaint: Complaint, user, verb: str, summary: str = "", **data) -> Complaint:
    complaint.save_new_version()
    log_event(user, verb, complaint, summary, **data)
    return complaint


def limits_for(district_id, category: str) -> tuple[int, int]:
    """Working days to accept and to answer a complaint of ``category`` in the district:
    its configured ``ComplaintLimit``, else the general 1 and 5 (one query)."""
    row = (
        ComplaintLimit.objects.filter(district_id=district_id, category=category)
        .values_list("accept_workdays", "answer_workdays")
        .first()
    )
    return row if row is not None else (ACCEPT_WORKDAYS, ANSWER_WORKDAYS)


def _compute_deadlines(complaint: Complaint) -> None:
    """accept_by and answer_by from what they count from; the current deadline follows the
    status. Provisional when a date rests on a year whose arrangement is not published."""
    provisional = False
    if complaint.dispatched_on and complaint.accept_workdays:
        accept = workdays.add_workdays(complaint.dispatched_on, complaint.accept_workdays)
        complaint.accept_by, provisional = accept.date, accept.provisional
    if complaint.answer_from and complaint.answer_workdays:
        answer = workdays.add_workdays(complaint.answer_from, complaint.answer_workdays)
        complaint.answer_by = answer.date
        provisional = provisional or answer.provisional
    if complaint.answered_on and (
        complaint.status == ComplaintStatus.VERIFYING or complaint.verify_by
    ):
        verify = workdays.add_workdays(complaint.answered_on, VERIFY_WORKDAYS)
        complaint.verify_by = verify.date
        provisional = provisional or verify.provisional
    complaint.dates_provisional = provisional
    if complaint.status == ComplaintStatus.DISPATCHED:
        complaint.due_on = complaint.accept_by
    elif complaint.status == ComplaintStatus.ACCEPTED:
        complaint.due_on = complaint.answer_by
    elif complaint.status == ComplaintStatus.VERIFYING:
        complaint.due_on = complaint.verify_by


def _store_attachment(user, complaint: Complaint, uploaded) -> ComplaintAttachment:
    attachment = ComplaintAttachment(
        complaint=complaint, original_name=uploaded.name[:200], uploaded_by=user
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment


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
    reports_unapproved_visit: bool = False,
    attachment=None,
    attachments: Iterable = (),
) -> Complaint:
    """Record a complaint received on behalf of an enterprise, or lodged by the
    enterprise's own contact in the service hall (channel 企业门户, which only those carry).
    ``reports_unapproved_visit`` marks a report of an inspection or fee without an approved
    request (SPEC §9): if it is substantiated, the ledger entry is the heavier 未经审批检查
    rule. ``attachments``: more files, checked and kept like ``attachment``."""
    lodged = permissions.can_lodge(user, enterprise)
    require(lodged or permissions.can_receive(user, getattr(district, "pk", None)))
    errors: dict = {}
    if lodged != (channel == Channel.PORTAL):  # the portal is the enterprise's own channel
        errors["channel"] = _(
            "Only a complaint the enterprise lodges itself comes in through the portal."
        )
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
    today = clock.today()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("The date cannot be in the future.")
    gather(errors, check_upload, "attachment", attachment)
    attachments = [f for f in attachments if f is not None]
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [
            _("Attach at most %(max)s files; you chose %(n)s.")
            % {"max": MAX_ATTACHMENTS, "n": len(attachments)}
        ]
    for uploaded in attachments:
        gather(errors, check_upload, "attachments", uploaded)
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
            reports_unapproved_visit=bool(reports_unapproved_visit),
            received_on=received_on,
            received_by=user,
        )
        log_event(user, "complaint.received", complaint, complaint.get_category_display())
        for uploaded in [attachment, *attachments] if attachment else attachments:
            stored = _store_attachment(user, complaint, uploaded)
            log_event(user, "complaint.attachment_added", complaint, stored.original_name)
        notify(
            [u for u in supervisors(district.pk) if u.pk != user.pk],
            "complaint.received",
            _("Complaint %(number)s received") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def dispatch_complaint(
    user, complaint: Complaint, *, department=None, expected_version: int | None = None
) -> Complaint:
    """The supervision office sends the complaint to the department complained about
    (``department`` re-routes it): accept within 1, answer within 5 working days, or as
    the district configured for the category."""
    require(permissions.can_dispatch(user, complaint))
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.RECEIVED)
        if department is not None:
            if department.district_id != complaint.district_id:
                raise ValidationError(
                    {"department": _("The department belongs to another district.")}
                )
            complaint.department = department
        today = clock.today()
        accept_days, answer_days = limits_for(complaint.district_id, complaint.category)
        complaint.dispatched_on = today
        complaint.answer_from = today
        complaint.accept_workdays, complaint.answer_workdays = accept_days, answer_days
        complaint.status = ComplaintStatus.DISPATCHED
        _compute_deadlines(complaint)
        _save(complaint, user, "complaint.dispatched", complaint.department.name)
        notify(
            staff_of_department(complaint.department_id),
            "complaint.dispatched",
            _("Complaint %(number)s against your department") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def accept_complaint(
    user, complaint: Complaint, *, expected_version: int | None = None
) -> Complaint:
    """The department complained about accepts the complaint (受理)."""
    require(permissions.can_handle(user, complaint))
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.DISPATCHED)
        complaint.accepted_on = clock.today()
        complaint.status = ComplaintStatus.ACCEPTED
        complaint.due_on = complaint.answer_by
        _save(complaint, user, "complaint.accepted")
    return complaint


def answer_complaint(
    user,
    complaint: Complaint,
    *,
    department_view: str,
    account: str,
    attachment=None,
    expected_version: int | None = None,
) -> Complaint:
    """The department complained about answers with the facts: its account (情况说明), its
    own view of the complaint and, optionally, a supporting file. It records no finding:
    the complaint goes to the supervision office, which verifies it within
    ``VERIFY_WORKDAYS`` working days. The department's time limit ends here."""
    require(permissions.can_handle(user, complaint))
    errors: dict = {}
    if department_view not in Outcome.values:
        errors["department_view"] = _(
            "Say whether the department finds the complaint substantiated, partly or not."
        )
    if not (account or "").strip():
        errors["account"] = _("State the facts: what the department did and why.")
    gather(errors, check_upload, "attachment", attachment)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.ACCEPTED)
        complaint.department_view = department_view
        complaint.account = account.strip()
        complaint.answered_on = clock.today()
        complaint.status = ComplaintStatus.VERIFYING
        complaint.verify_by = None
        _compute_deadlines(complaint)
        _save(complaint, user, "complaint.answered", complaint.get_department_view_display())
        if attachment is not None:
            stored = _store_attachment(user, complaint, attachment)
            log_event(user, "complaint.attachment_added", complaint, stored.original_name)
        notify(
            [u for u in supervisors(complaint.district_id) if u.pk != user.pk],
            "complaint.answered",
            _("Complaint %(number)s: the department has answered; verify the facts")
            % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return complaint


def _overrule_reason_missing(complaint: Complaint) -> str:
    return _(
        "The finding differs from the department's view (%(view)s): give the reason for "
        "overruling it."
    ) % {"view": complaint.get_department_view_display() or "—"}


def verify_complaint(
    user,
    complaint: Complaint,
    *,
    outcome: str,
    finding_reason: str,
    answer: str,
    overrule_reason: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """The supervision office verifies the department's account and records the finding
    (属实/部分属实/不属实) with its reasoning, and the answer to the enterprise. A finding
    other than the department's view overrules it: the reason is required and the
    complaint is marked overruled. 属实 or 部分属实 writes one entry to the department's
    ledger, dated today (the day of the finding); 不属实 writes nothing."""
    require(permissions.can_verify(user, complaint))
    finding_reason = (finding_reason or "").strip()
    answer = (answer or "").strip()
    overrule_reason = (overrule_reason or "").strip()
    errors: dict = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the finding: substantiated, partly or not.")
    if not finding_reason:
        errors["finding_reason"] = _("Give the reasoning of the finding: what was verified.")
    if not answer:
        errors["answer"] = _("Write the answer to the enterprise.")
    overrules = outcome in Outcome.values and outcome != complaint.department_view
    if overrules and not overrule_reason:
        errors["overrule_reason"] = _overrule_reason_missing(complaint)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.VERIFYING)
        # Read again under the lock: the view the department gave is the one overruled.
        overrules = outcome != complaint.department_view
        if overrules and not overrule_reason:
            raise ValidationError({"overrule_reason": _overrule_reason_missing(complaint)})
        today = clock.today()
        complaint.outcome = outcome
        complaint.finding_reason = finding_reason
        complaint.overruled = overrules
        complaint.overrule_reason = overrule_reason if overrules else ""
        complaint.found_on = today
        complaint.found_by = user
        complaint.answer = answer
        complaint.status = ComplaintStatus.ANSWERED
        complaint.due_on = None
        _save(complaint, user, "complaint.verified", complaint.get_outcome_display())
        if overrules:
            log_event(
                user,
                "complaint.overruled",
                complaint,
                _("%(view)s → %(finding)s: %(reason)s")
                % {
                    "view": complaint.get_department_view_display(),
                    "finding": complaint.get_outcome_display(),
                    "reason": overrule_reason[:150],
                },
            )
        if outcome in SUBSTANTIATED_OUTCOMES:
            # One entry either way: a substantiated report of an unapproved inspection or
            # fee is scored under its own (heavier) rule instead of the general one.
            write_rule_entry(
                RuleCode.UNAPPROVED_INSPECTION
                if complaint.reports_unapproved_visit
                else RuleCode.SUBSTANTIATED_COMPLAINT,
                complaint.department,
                complaint,
                _("Complaint %(number)s substantiated") % {"number": complaint.number},
                today,
            )
        notify(
            [complaint.received_by, *staff_of_department(complaint.department_id)],
            "complaint.verified",
            (
                _("Complaint %(number)s: finding %(finding)s (the department's view overruled)")
                if overrules
                else _("Complaint %(number)s: finding %(finding)s")
            )
            % {"number": complaint.number, "finding": complaint.get_outcome_display()},
            url=complaint.get_absolute_url(),
        )
    return complaint


def rate_complaint(
    user,
    complaint: Complaint,
    *,
    rating: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """Record the enterprise's rating of the answer (its own contact in the service hall,
    or the receivers on its behalf), with the reason a 不满意 needs. 不满意 reopens the
    complaint once (the department answers again within the category's answer limit, 5
    working days unless configured); otherwise it is closed, and the rating that closes it
    is the department's rating of record (``ratings.record_rating``, 好差评)."""
    require(permissions.can_rate(user, complaint))
    errors = {"reason": rating_errors(rating, reason).get("reason", [])}
    if rating not in Rating.values:
        errors["rating"] = [_("Choose the enterprise's rating.")]
    raise_errors({field: messages for field, messages in errors.items() if messages})
    reason = (reason or "").strip()
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.ANSWERED)
        today = clock.today()
        complaint.rating = rating
        complaint.rated_on = today
        summary = ": ".join(filter(None, [str(complaint.get_rating_display()), reason[:150]]))
        if rating == Rating.DISSATISFIED and not complaint.reopened:
            complaint.reopened = True
            complaint.status = ComplaintStatus.ACCEPTED
            complaint.answer_from = today
            complaint.answer_workdays = limits_for(complaint.district_id, complaint.category)[1]
            _compute_deadlines(complaint)
            _save(complaint, user, "complaint.reopened", summary)
            notify(
                staff_of_department(complaint.department_id),
                "complaint.reopened",
                _("Complaint %(number)s reopened: the enterprise is dissatisfied")
                % {"number": complaint.number},
                body=reason,
                url=complaint.get_absolute_url(),
            )
        else:
            complaint.status = ComplaintStatus.CLOSED
            _save(complaint, user, "complaint.closed", summary)
            record_rating(
                user,
                kind=SubjectKind.COMPLAINT,
                subject_id=complaint.pk,
                district_id=complaint.district_id,
                enterprise_id=complaint.enterprise_id,
                department_id=complaint.department_id,
                project_id=complaint.project_id,
                score=rating,
                reason=reason,
                label=complaint.number,
                rated_on=today,
            )
    return complaint


# ---------------------------------------------------------------------------------------
# Complex cases: the extension (复杂案件延期)


def request_extension(
    user, complaint: Complaint, *, reason: str, expected_version: int | None = None
) -> ComplaintExtension:
    """The department complained about asks, with a reason, for more time to answer an
    accepted complaint; once per complaint. The supervision office decides."""
    require(permissions.can_request_extension(user, complaint))
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.ACCEPTED)
        # The reason and the complaint's one extension are checked together: one answer.
        errors: dict = {}
        if not (reason or "").strip():
            errors["reason"] = [_("Explain why the case needs more time.")]
        if ComplaintExtension.objects.filter(complaint=complaint).exists():
            errors["extension"] = [
                _(
                    "An extension has already been requested for this complaint; it can "
                    "be extended only once."
                )
            ]
        raise_errors(errors)
        extension = ComplaintExtension.objects.create(
            complaint=complaint,
            reason=reason.strip(),
            requested_by=user,
            requested_on=clock.today(),
            previous_answer_by=complaint.answer_by,
        )
        _save(complaint, user, "complaint.extension_requested", extension.reason[:200])
        notify(
            [u for u in supervisors(complaint.district_id) if u.pk != user.pk],
            "complaint.extension_requested",
            _("Extension requested for complaint %(number)s") % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return extension


def decide_extension(
    user,
    complaint: Complaint,
    *,
    approve: bool,
    reason: str = "",
    workdays_granted: int | None = None,
    expected_version: int | None = None,
) -> ComplaintExtension:
    """The supervision office approves the extension — the answer is then due
    ``workdays_granted`` working days (15 unless it picks fewer, but more than the current
    limit) after the dispatch (after the reopening, for a reopened complaint) — or rejects
    it with a reason."""
    require(permissions.can_decide_extension(user, complaint))
    reason = (reason or "").strip()
    with transaction.atomic():
        complaint = lock_for_update(complaint, expected_version)
        require_status(complaint, ComplaintStatus.ACCEPTED)
        extension = (
            ComplaintExtension.objects.select_for_update().filter(complaint=complaint).first()
        )
        # The request, the reason and the working days are all checked before refusing, so
        # that one answer names every problem of the form.
        errors: dict = {}
        if extension is None:
            errors["extension"] = [_("No extension has been requested.")]
        elif not extension.is_pending:
            errors["extension"] = [_("The extension request has already been decided.")]
        if not approve and not reason:
            errors["reason"] = [_("Give the reason for rejecting the extension.")]
        days = EXTENSION_MAX_WORKDAYS if workdays_granted is None else workdays_granted
        current = complaint.answer_workdays or ANSWER_WORKDAYS
        if approve and days > EXTENSION_MAX_WORKDAYS:
            errors["workdays"] = [
                _("A complaint can be extended to at most %(max)s working days after the dispatch.")
                % {"max": EXTENSION_MAX_WORKDAYS}
            ]
        elif approve and days <= current:
            errors["workdays"] = [
                _("The extension must give more than the current limit of %(n)s working days.")
                % {"n": current}
            ]
        raise_errors(errors)
        today = clock.today()
        extension.approved = bool(approve)
        extension.decided_by = user
        extension.decided_on = today
        extension.decision_reason = reason
        if approve:
            complaint.answer_workdays = days
            complaint.answer_from = complaint.answer_from or complaint.dispatched_on
            _compute_deadlines(complaint)
            extension.workdays = days
            extension.new_answer_by = complaint.answer_by
            extension.save()
            _save(
                complaint,
                user,
                "complaint.extension_approved",
                _("answer by %(date)s") % {"date": complaint.answer_by.isoformat()},
                workdays=days,
            )
        else:
            extension.save()
            _save(complaint, user, "complaint.extension_rejected", reason[:200])
        notify(
            staff_of_department(complaint.department_id),
            "complaint.extension_decided",
            (
                _("Extension approved for complaint %(number)s")
                if approve
                else _("Extension rejected for complaint %(number)s")
            )
            % {"number": complaint.number},
            url=complaint.get_absolute_url(),
        )
    return extension


# ---------------------------------------------------------------------------------------
# Attachments


def add_attachment(user, complaint: Complaint, *, file) -> ComplaintAttachment:
    """Attach a file to the complaint (the receivers, the supervision office and the
    department complained about). The complaint itself does not change (its version stays,
    so a form someone has open on it is not made stale by a file)."""
    require(permissions.can_attach(user, complaint))
    errors: dict = {}
    gather(errors, check_upload, "file", file, _("Choose the file to attach."))
    raise_errors(errors)
    with transaction.atomic():
        attachment = _store_attachment(user, complaint, file)
        log_event(user, "complaint.attachment_added", complaint, attachment.original_name)
    return attachment


# ---------------------------------------------------------------------------------------
# Working days


def recompute_provisional_due_dates(years: Iterable[int] = ()) -> int:
    """Hook for workdays.load_year (settings.WORKDAY_RECOMPUTE_HOOKS): deadlines that rested
    on a year without a published arrangement are computed again from what they count
    from. Returns how many complaints changed."""
    changed = 0
    for complaint in Complaint.objects.filter(dates_provisional=True).order_by("id"):
        before = (
            complaint.accept_by,
            complaint.answer_by,
            complaint.verify_by,
            complaint.due_on,
            complaint.dates_provisional,
        )
        _compute_deadlines(complaint)
        after = (
            complaint.accept_by,
            complaint.answer_by,
            complaint.verify_by,
            complaint.due_on,
            complaint.dates_provisional,
        )
        if after != before:
            complaint.save(
                update_fields=[
                    "accept_by",
                    "answer_by",
                    "verify_by",
                    "due_on",
                    "dates_provisional",
                    "updated_at",
                ]
            )
            changed += 1
    return changed
