"""The visits of approved requests: joint inspections (进一次门、查多项事), the visit
carried out and the enterprise's rating of it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import (
    lock_for_update,
    raise_errors,
    require,
    require_status,
    status_error,
)
from zhaoshang.inspections import permissions
from zhaoshang.inspections.choices import RequestStatus
from zhaoshang.inspections.models import InspectionVisit, JointInspection
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import staff_of_department
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.services import rating_errors, record_rating


def _save_visit(visit: InspectionVisit, user, verb: str, summary: str = ""):
    visit.save_new_version()
    # The request's record tells the story of all its visits.
    log_event(user, verb, visit.request, summary or visit.enterprise.name, visit=visit.pk)
    return visit


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
    require(permissions.can_decide(user, visit.request))
    others = list(others or [])
    # The visits, the date and the lead department are all checked before refusing, so
    # that one answer names every problem of the form.
    errors: dict = {}
    if visit_on is None:
        errors["visit_on"] = [_("Give the date of the joint inspection.")]
    elif visit_on < clock.today():
        errors["visit_on"] = [_("The date of the joint inspection cannot be in the past.")]
    if lead_department is None:
        errors["lead_department"] = [_("Choose the lead department.")]
    with transaction.atomic():
        visit = lock_for_update(visit, expected_version)
        locked = [visit] + [
            lock_for_update(o, None) for o in {o.pk: o for o in others}.values() if o.pk != visit.pk
        ]
        # Joining an existing joint inspection brings its other visits along (new date).
        joint_ids = {v.joint_id for v in locked if v.joint_id}
        if joint_ids:
            seen = {v.pk for v in locked}
            for member in InspectionVisit.objects.filter(joint_id__in=joint_ids).exclude(
                pk__in=seen
            ):
                locked.append(lock_for_update(member, None))
        departments = {v.request.department_id for v in locked}
        if not others:
            errors["others"] = [_("Choose the visits of other departments to merge with.")]
        elif any(
            v.request.status != RequestStatus.APPROVED
            or v.carried_out_on is not None
            or not v.request.is_visit
            or v.enterprise_id != visit.enterprise_id
            or v.district_id != visit.district_id
            for v in locked
        ):
            errors["others"] = [
                _(
                    "Only approved visits to the same enterprise that have not taken "
                    "place can be merged."
                )
            ]
        elif len(departments) < 2:
            errors["others"] = [_("A joint inspection merges the visits of different departments.")]
        # (Checked against the departments merged only when the visits themselves hold.)
        if (
            lead_department is not None
            and "others" not in errors
            and lead_department.pk not in departments
        ):
            errors["lead_department"] = [_("The lead department is one of the departments merged.")]
        raise_errors(errors)
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
    require(permissions.can_manage(user, visit.request))
    today = clock.today()
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
        visit = lock_for_update(visit, expected_version)
        require_status(visit.request, RequestStatus.APPROVED)
        if visit.carried_out_on is not None:
            raise status_error(_("This visit has already been recorded."))
        visit.carried_out_on = carried_out_on
        visit.findings = findings.strip()
        _save_visit(visit, user, "inspection.carried_out")
    return visit


def _rating_errors(rating: str, comment: str) -> dict[str, list[str]]:
    """The 好差评 form's rules (``ratings.services.rating_errors``) under this service's
    field names: the rating, and the comment a 不满意 needs."""
    names = {"score": "rating", "reason": "comment"}
    return {names.get(k, k): v for k, v in rating_errors(rating, comment).items()}


def rate_visit(
    user,
    visit: InspectionVisit,
    *,
    rating: str,
    comment: str = "",
    expected_version: int | None = None,
) -> InspectionVisit:
    """Record the enterprise's rating of a visit that took place, once (a reason when not
    satisfied). The same rating is the visit's 好差评 (``ratings.services.record_rating``,
    kind "visit", of the filing department), written in the same transaction; a 不满意
    goes to the supervision office for follow-up."""
    require(permissions.can_rate(user, visit))
    with transaction.atomic():
        visit = lock_for_update(visit, expected_version)
        # The visit's state first: a rating of a visit that cannot be rated is refused
        # whatever was filled in.
        if visit.carried_out_on is None:
            raise ValidationError(
                {"rating": _("This visit has not been recorded as carried out: nothing to rate.")}
            )
        if visit.rating:
            raise ValidationError({"rating": _("This visit has already been rated.")})
        raise_errors(_rating_errors(rating, comment))
        visit.rating = rating
        visit.rating_comment = (comment or "").strip()
        visit.rated_on = clock.today()
        _save_visit(visit, user, "inspection.rated", visit.get_rating_display())
        record_rating(
            user,
            kind=SubjectKind.VISIT,
            subject_id=visit.pk,
            district_id=visit.district_id,
            enterprise_id=visit.enterprise_id,
            department_id=visit.request.department_id,
            score=rating,
            reason=visit.rating_comment,
            label=visit.request.number,
            rated_on=visit.rated_on,
        )
    return visit
