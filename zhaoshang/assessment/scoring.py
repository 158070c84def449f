"""Scores and rankings of the departments' assessment (绩效考核, SPEC §12): derived from the
ledger, never typed.

A department's score for a year is its base score (the year's default, or its own where the
supervision office set one) plus the sum of its ledger entries of that year. Deductions are the
sum of the negative entries, additions the sum of the positive ones (a counter-entry that
cancels a deduction is an addition). Departments are ranked best first; equal scores share a
rank (1, 2, 2, 4).

A finished year is frozen: only the entries written up to the moment it was finished count;
rule entries a scan writes for that year afterwards are recorded and shown apart
(``late_entries``), but change no score.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhaoshang.assessment import permissions
from zhaoshang.assessment.models import (
    AssessmentYear,
    DepartmentBase,
    LedgerEntry,
    Objection,
    ObjectionStatus,
    YearStatus,
)
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require
from zhaoshang.core.validators import validate_upload
from zhaoshang.notifications.services import notify
from zhaoshang.org.choices import DepartmentKind
from zhaoshang.org.models import Department
from zhaoshang.org.people import staff_of_department, supervisors

DEFAULT_BASE_SCORE = Decimal("100")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Standing:
    """One department's place in a year's assessment."""

    department: Department
    base: Decimal  # the department's base score for the year
    deductions: Decimal  # sum of negative entries (<= 0)
    additions: Decimal  # sum of positive entries (>= 0)
    score: Decimal  # base + deductions + additions
    rank: int  # 1 = best; equal scores share a rank (1, 2, 2, 4)
    entry_count: int


def assessment_year(district, year: int) -> AssessmentYear | None:
    """The district's settings for the year, or None when nobody has set them yet (then every
    department starts with ``DEFAULT_BASE_SCORE`` and the year is open)."""
    district_id = getattr(district, "pk", district)
    return AssessmentYear.objects.filter(district_id=district_id, year=year).first()


def counted_entries(district, year: int, settings: AssessmentYear | None = None):
    """The entries that count for the year's scores (of a finished year: those written up to
    its finishing)."""
    district_id = getattr(district, "pk", district)
    qs = LedgerEntry.objects.filter(district_id=district_id, year=year)
    if settings is not None and settings.status == YearStatus.FINISHED and settings.finished_at:
        qs = qs.filter(created_at__lte=settings.finished_at)
    return qs


def late_entries(district, year: int, settings: AssessmentYear | None = None):
    """Entries written for a finished year after it was finished: shown, not counted."""
    district_id = getattr(district, "pk", district)
    if settings is None or settings.status != YearStatus.FINISHED or not settings.finished_at:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(
        district_id=district_id, year=year, created_at__gt=settings.finished_at
    )


def assessed_departments(district, year: int):
    """The departments assessed in the year: every department of the district but the
    supervision offices (who keep the ledger), and any department with entries that year."""
    district_id = getattr(district, "pk", district)
    return Department.objects.filter(district_id=district_id).filter(
        ~Q(kind=DepartmentKind.SUPERVISION)
        | Q(
            pk__in=LedgerEntry.objects.filter(district_id=district_id, year=year).values(
                "department_id"
            )
        )
    )


def standings(district, year: int, settings: AssessmentYear | None = None) -> list[Standing]:
    """Every assessed department of the district, best first (ties by the departments' order).
    A constant number of queries (four; three when ``settings`` is passed)."""
    district_id = getattr(district, "pk", district)
    if settings is None:
        settings = assessment_year(district_id, year)
    default_base = settings.base_score if settings is not None else DEFAULT_BASE_SCORE
    overrides = (
        dict(
            DepartmentBase.objects.filter(assessment_year=settings).values_list(
                "department_id", "base_score"
            )
        )
        if settings is not None
        else {}
    )
    entries = counted_entries(district_id, year, settings)
    zero = Value(ZERO)
    sums = {
        row["department_id"]: row
        for row in entries.order_by()
        .values("department_id")
        .annotate(
            deductions=Coalesce(Sum("points", filter=Q(points__lt=0)), zero),
            additions=Coalesce(Sum("points", filter=Q(points__gt=0)), zero),
            entry_count=Count("id"),
        )
    }
    rows = []
    for department in assessed_departments(district_id, year).order_by("sort_order", "id"):
        row = sums.get(department.pk, {})
        base = Decimal(overrides.get(department.pk, default_base))
        deductions = Decimal(row.get("deductions", ZERO))
        additions = Decimal(row.get("additions", ZERO))
        rows.append(
            (department, base, deductions, additions, base + deductions + additions,
             row.get("entry_count", 0))
        )  # fmt: skip
    rows.sort(key=lambda r: -r[4])  # stable: equal scores keep the departments' order
    result: list[Standing] = []
    rank = 0
    previous = None
    for position, (department, base, deductions, additions, score, count) in enumerate(rows, 1):
        if score != previous:
            rank = position
            previous = score
        result.append(
            Standing(
                department=department,
                base=base,
                deductions=deductions,
                additions=additions,
                score=score,
                rank=rank,
                entry_count=count,
            )
        )
    return result


def standing_of(district, year: int, department) -> Standing | None:
    """One department's standing (its rank among the district's) or None if not assessed."""
    department_id = getattr(department, "pk", department)
    for standing in standings(district, year):
        if standing.department.pk == department_id:
            return standing
    return None


# ---------------------------------------------------------------------------------------
# Keeping the ledger: the year's settings, hand entries and objections. Every change runs in
# a transaction, checks who acts, and writes its domain event.

MIN_POINTS = Decimal("-20")
MAX_POINTS = Decimal("20")
MIN_BASE = Decimal("0")
MAX_BASE = Decimal("1000")


def _check_year(year, field: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Year: give a year such as 2026.")}) from None
    if year < 2000 or year > clock.today().year + 1:
        raise ValidationError(
            {field: _("Year: %(year)s is outside the years the ledger keeps.") % {"year": year}}
        )
    return year


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("%(field)s: give a number.") % {"field": label}}) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise ValidationError(
            {field: _("%(field)s: at most two decimal places.") % {"field": label}}
        )
    return number


def _locked_year(district_id: int, year: int, user=None) -> AssessmentYear:
    """The year's settings row, created with the defaults if missing, locked for update."""
    settings, created = AssessmentYear.objects.select_for_update().get_or_create(
        district_id=district_id, year=year
    )
    if created:
        log_event(user, "assessment.year_opened", settings, str(year), year=year)
    return settings


def _refuse_finished(settings: AssessmentYear, field=None) -> None:
    if settings.is_finished:
        message = _("The assessment of %(year)s is finished: its ledger takes no more changes.") % {
            "year": settings.year
        }
        raise ValidationError({field: message} if field else message)


def set_base_score(user, district, year: int, base_score) -> AssessmentYear:
    """The supervision office sets the year's base score of every department."""
    district_id = getattr(district, "pk", district)
    require(permissions.can_keep_ledger(user, district_id))
    errors: dict = {}  # the year's and the score's problems at once
    year = gather(errors, _check_year, year)
    base = gather(errors, _decimal, base_score, "base_score", _("Base score"))
    if base is not None and not MIN_BASE < base <= MAX_BASE:
        errors["base_score"] = [_("Base score: give a score above 0 and at most 1000.")]
    raise_errors(errors)
    with transaction.atomic():
        settings = _locked_year(district_id, year, user)
        _refuse_finished(settings, "base_score")
        before = settings.base_score
        settings.base_score = base
        settings.save(update_fields=["base_score"])
        log_event(
            user,
            "assessment.base_set",
            settings,
            f"{year}: {before} → {base}",
            before=before,
            after=base,
        )
    return settings


def set_department_base(user, district, year: int, department, base_score) -> AssessmentYear:
    """A department's own base score for the year; ``base_score`` None or empty removes it
    (the department starts with the year's base score again)."""
    district_id = getattr(district, "pk", district)
    require(permissions.can_keep_ledger(user, district_id))
    errors: dict = {}  # the year's, the department's and the score's problems at once
    year = gather(errors, _check_year, year)
    if department is None or department.district_id != district_id:
        errors["department"] = [_("Department: choose a department of the district.")]
    base = None
    if base_score not in (None, ""):
        base = gather(errors, _decimal, base_score, "base_score", _("Base score"))
        if base is not None and not MIN_BASE < base <= MAX_BASE:
            errors["base_score"] = [_("Base score: give a score above 0 and at most 1000.")]
    raise_errors(errors)
    with transaction.atomic():
        settings = _locked_year(district_id, year, user)
        _refuse_finished(settings, "base_score")
        if base is None:
            for row in DepartmentBase.objects.filter(
                assessment_year=settings, department=department
            ):
                row.delete()
        else:
            row, created = DepartmentBase.objects.get_or_create(
                assessment_year=settings,
                department=department,
                defaults={"district_id": district_id, "base_score": base},
            )
            if not created:
                row.base_score = base
                row.save(update_fields=["base_score"])
        log_event(
            user,
            "assessment.department_base_set",
            settings,
            f"{year} {department}: {base if base is not None else settings.base_score}",
            department=department.pk,
            base_score=base,
        )
    return settings


def finish_year(user, district, year: int) -> AssessmentYear:
    """Finish the year's assessment: from now on its ledger takes no hand entries and no
    objections, and its scores count the entries written up to this moment. Refused while
    objections of the year wait for an answer."""
    district_id = getattr(district, "pk", district)
    require(permissions.can_keep_ledger(user, district_id))
    year = _check_year(year)
    if year >= clock.today().year:
        raise ValidationError(
            {"year": _("Year: %(year)s is not over yet; it can be finished from 1 January.")
             % {"year": year}}
        )  # fmt: skip
    with transaction.atomic():
        settings = _locked_year(district_id, year, user)
        _refuse_finished(settings)
        waiting = Objection.objects.filter(district_id=district_id, year=year).pending().count()
        if waiting:
            raise ValidationError(
                ngettext(
                    "%(n)s objection of the year waits for an answer.",
                    "%(n)s objections of the year wait for an answer.",
                    waiting,
                )
                % {"n": waiting}
            )
        settings.status = YearStatus.FINISHED
        settings.finished_at = clock.now()
        settings.finished_by = user
        settings.save(update_fields=["status", "finished_at", "finished_by"])
        log_event(user, "assessment.year_finished", settings, str(year), year=year)
    return settings


def add_hand_entry(
    user,
    *,
    department,
    year: int,
    points,
    reason: str,
    evidence,
    occurred_on: datetime.date | None,
    corrects: LedgerEntry | None = None,
) -> LedgerEntry:
    """The supervision office's entry by hand (+ or −, at most 20 points either way) with its
    reason and evidence file. Entries are never changed: a correction is a new entry that
    names the one it corrects."""
    district_id = getattr(department, "district_id", None)
    if department is None:
        raise ValidationError({"department": _("Department: choose the department.")})
    require(permissions.can_keep_ledger(user, district_id))
    errors: dict[str, str] = {}
    try:
        year = _check_year(year)
    except ValidationError as exc:
        errors.update({k: v[0].message for k, v in exc.error_dict.items()})
    try:
        points = _decimal(points, "points", _("Points"))
        if points == 0:
            errors["points"] = _("Points: an entry of 0 points changes nothing.")
        elif not MIN_POINTS <= points <= MAX_POINTS:
            errors["points"] = _("Points: an entry is between −20 and +20 points.")
    except ValidationError as exc:
        errors.update({k: v[0].message for k, v in exc.error_dict.items()})
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Reason: say why the points are given or taken.")
    if not evidence:
        errors["evidence"] = _("Evidence: attach the file the entry rests on.")
    else:
        try:
            validate_upload(evidence)
        except ValidationError as exc:
            errors["evidence"] = exc.messages[0]
    if occurred_on is None:
        errors["occurred_on"] = _("Date: give the date of the event.")
    elif occurred_on > clock.today():
        errors["occurred_on"] = _("Date: the event cannot be in the future.")
    elif "year" not in errors and occurred_on.year != year:
        errors["occurred_on"] = _("Date: the event must fall within %(year)s.") % {"year": year}
    if corrects is not None and (corrects.department_id != department.pk or corrects.year != year):
        errors["corrects"] = _(
            "Corrects: the corrected entry must be of the same department and year."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        settings = _locked_year(district_id, year, user)
        _refuse_finished(settings, "year")
        entry = LedgerEntry(
            district_id=district_id,
            department=department,
            year=year,
            points=points,
            reason=reason,
            occurred_on=occurred_on,
            created_by=user,
            corrects=corrects,
            evidence_name=os.path.basename(evidence.name)[:200],
        )
        entry.evidence_file.save(os.path.basename(evidence.name), evidence, save=False)
        entry.save()
        log_event(
            user,
            "assessment.entry_added",
            entry,
            f"{department} {points:+}: {reason}",
            department=department.pk,
            year=year,
            points=points,
            corrects=corrects.pk if corrects else None,
        )
    return entry


def file_objection(user, entry: LedgerEntry, reason: str, file=None) -> Objection:
    """A department objects to one of its deductions, within the open year; the supervision
    office is told."""
    require(permissions.can_object(user, entry))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Reason: say why the entry is wrong.")
    if file:
        try:
            validate_upload(file)
        except ValidationError as exc:
            errors["file"] = exc.messages[0]
    if entry.points >= 0:
        errors["entry"] = _("Only a deduction can be objected to.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        settings = _locked_year(entry.district_id, entry.year, user)
        _refuse_finished(settings)
        if Objection.objects.filter(entry=entry).exists():
            raise ValidationError(_("This entry has an objection already."))
        if Objection.objects.filter(counter_entry=entry).exists():
            raise ValidationError(_("This entry answers an objection; it cannot be objected to."))
        objection = Objection(
            district_id=entry.district_id,
            entry=entry,
            department_id=entry.department_id,
            year=entry.year,
            reason=reason,
            filed_by=user,
        )
        if file:
            objection.file_name = os.path.basename(file.name)[:200]
            objection.file.save(os.path.basename(file.name), file, save=False)
        try:
            with transaction.atomic():
                objection.save()
        except IntegrityError:
            raise ValidationError(_("This entry has an objection already.")) from None
        log_event(
            user,
            "assessment.objection_filed",
            objection,
            f"{entry.department}: {reason}",
            entry=entry.pk,
        )
        notify(
            [u for u in supervisors(entry.district_id) if u.pk != user.pk],
            "assessment.objection_filed",
            _("Objection of %(department)s to an assessment entry")
            % {"department": entry.department},
            body=reason,
            url=reverse("assessment:objections") + f"?year={entry.year}",
        )
    return objection


def answer_objection(user, objection: Objection, *, upheld: bool, answer: str) -> Objection:
    """The supervision office answers an objection with a reason. Upheld: a counter-entry
    cancels the entry's points, in the same transaction. The department's handlers are
    told."""
    require(permissions.can_keep_ledger(user, objection.district_id))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Answer: give the reason of the decision.")})
    with transaction.atomic():
        settings = _locked_year(objection.district_id, objection.year, user)
        _refuse_finished(settings)
        objection = lock_for_update(objection, select_related=("entry",))
        if not objection.is_pending:
            raise ValidationError(_("This objection has been answered already."))
        entry = objection.entry
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        objection.answer = answer
        objection.answered_by = user
        objection.answered_at = clock.now()
        if upheld:
            counter = LedgerEntry(
                district_id=entry.district_id,
                department_id=entry.department_id,
                year=entry.year,
                points=-entry.points,
                reason=_("Objection upheld: %(answer)s") % {"answer": answer},
                occurred_on=clock.today()
                if clock.today().year == entry.year
                else entry.occurred_on,
                created_by=user,
                corrects=entry,
                evidence_type=ContentType.objects.get_for_model(Objection),
                evidence_id=objection.pk,
            )
            counter.save()
            objection.counter_entry = counter
        objection.save(
            update_fields=["status", "answer", "answered_by", "answered_at", "counter_entry"]
        )
        log_event(
            user,
            "assessment.objection_upheld" if upheld else "assessment.objection_rejected",
            objection,
            answer,
            entry=entry.pk,
            counter_entry=objection.counter_entry_id,
        )
        notify(
            staff_of_department(objection.department_id),
            "assessment.objection_answered",
            (
                _("Your objection to an assessment entry was upheld")
                if upheld
                else _("Your objection to an assessment entry was rejected")
            ),
            body=answer,
            url=reverse("assessment:ledger", args=[objection.department_id])
            + f"?year={objection.year}#entry-{entry.pk}",
        )
    return objection
