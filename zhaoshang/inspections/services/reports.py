"""Visits and fees without a valid code, reported by the enterprise: each becomes a
complaint (乱检查/乱收费)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.complaints import services as complaints
from zhaoshang.core import clock
from zhaoshang.core.services import require
from zhaoshang.inspections import permissions
from zhaoshang.inspections.choices import Kind
from zhaoshang.inspections.models import UnapprovedVisitReport
from zhaoshang.inspections.verification import lookup


def unapproved_visit_errors(
    *,
    district,
    enterprise,
    department,
    kind: str,
    visited_on: datetime.date | None,
    what_happened: str,
    code_shown: str = "",
) -> dict[str, str]:
    """Every problem of a report of an unapproved visit (the service's and the forms' one
    check); a code shown is looked at once the rest is right: a code valid for this
    enterprise and department means the visit was approved."""
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
    elif visited_on > clock.today():
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
    return errors


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
    """Staff record, on an enterprise's behalf, a visit or fee with no valid code, or the
    enterprise's own portal user reports it for itself (``channel`` "portal"); it is
    received as a complaint (乱检查, or 乱收费 for a fee) marked as an unapproved visit.
    Returns the complaint."""
    require(permissions.can_report(user, getattr(district, "pk", None), enterprise))
    errors = unapproved_visit_errors(
        district=district,
        enterprise=enterprise,
        department=department,
        kind=kind,
        visited_on=visited_on,
        what_happened=what_happened,
        code_shown=code_shown,
    )
    code_shown = (code_shown or "").strip()
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
