"""An investment agreement and its terms (SPEC §8): the header, the standard terms (each an
obligation of the enterprise, kept in step with the agreement) and the investment schedule."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.agreements import permissions
from zhaoshang.agreements.choices import (
    AMOUNT_KINDS,
    ObligationKind,
    Party,
    Term,
)
from zhaoshang.agreements.models import (
    Agreement,
    Obligation,
    ObligationBreach,
)
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import can_delete_registry
from zhaoshang.core.services import hand_over, lock_for_update, raise_errors, require
from zhaoshang.core.validators import validate_upload
from zhaoshang.projects.choices import Level, Stage
from zhaoshang.projects.models import MaterialType, Project
from zhaoshang.projects.services import upload_document
from zhaoshang.workdays import services as workdays

# ---------------------------------------------------------------------------------------
# Agreements and their terms


def translation_is_zh() -> bool:
    return (get_language() or "").startswith("zh")


# term -> (kind, target stage, the value field of the form, the date field of the form)
TERMS: dict[str, tuple[str, str, str | None, str]] = {
    Term.START: (ObligationKind.STAGE, Stage.STARTED, None, "start_by"),
    Term.COMPLETION: (ObligationKind.STAGE, Stage.COMPLETED, None, "completion_by"),
    Term.PRODUCTION: (ObligationKind.STAGE, Stage.PRODUCTION, None, "production_by"),
    Term.INTENSITY: (ObligationKind.INTENSITY, "", "intensity", "intensity_by"),
    Term.TAX: (ObligationKind.TAX, "", "tax", "tax_by"),
    Term.JOBS: (ObligationKind.JOBS, "", "jobs", "jobs_by"),
    Term.OUTPUT: (ObligationKind.OUTPUT, "", "output", "output_by"),
    Term.ENERGY: (ObligationKind.ENERGY, "", "energy", "energy_by"),
}
# The terms the work plan requires of every agreement (投资强度、投资进度、开竣工时间及投产
# 时间表); tax, jobs, output and energy duties are recorded when the agreement has them.
REQUIRED_TERMS = (Term.START, Term.COMPLETION, Term.PRODUCTION, Term.INTENSITY)
# A key or major project's agreement also states the enterprise's duties on energy saving,
# tax and jobs (明确企业在节能减排、缴纳税收、解决就业等方面的责任).
KEY_LEVELS = (Level.MAJOR, Level.KEY)
KEY_REQUIRED_TERMS = (*REQUIRED_TERMS, Term.ENERGY, Term.TAX, Term.JOBS)


def required_terms(project) -> tuple[str, ...]:
    """The terms ``project``'s agreement must state, by the project's level."""
    return KEY_REQUIRED_TERMS if project.level in KEY_LEVELS else REQUIRED_TERMS


TERM_FIELDS = tuple(
    name for _kind, _stage, value, date in TERMS.values() for name in (value, date) if name
)
AGREEMENT_FIELDS = (
    "number",
    "signed_on",
    "government_party",
    "enterprise_party",
    "other_parties",
    "contracted_investment",
    "land_area",
    "service_clauses",
)


# What ``term_values`` reads of each obligation: a list of agreements shown reads only these
# (``api.agreements``), not the confirmation's, the waiver's and the evidence's columns.
TERM_VALUE_FIELDS = ("agreement_id", "term", "kind", "due_on", "target_amount", "target_text")


def term_values(agreement: Agreement | None) -> dict:
    """The terms of an agreement as the form shows them (from its obligations)."""
    values: dict = dict.fromkeys(TERM_FIELDS)
    schedule: list[tuple[datetime.date, Decimal]] = []
    if agreement is None or agreement.pk is None:
        return {"terms": values, "schedule": schedule}
    for ob in agreement.obligations.all():
        if ob.term == Term.SCHEDULE:
            schedule.append((ob.due_on, ob.target_amount))
        elif ob.term in TERMS:
            kind, _stage, value, date = TERMS[ob.term]
            values[date] = ob.due_on
            if value:
                values[value] = (
                    ob.target_text
                    if kind == ObligationKind.ENERGY
                    else int(ob.target_amount)
                    if kind == ObligationKind.JOBS
                    else ob.target_amount
                )
    schedule.sort()
    return {"terms": values, "schedule": schedule}


def _missing_terms(terms: Mapping, schedule, required, project) -> str:
    """One message naming every term a key or major project's agreement lacks, or ""."""
    missing = [
        str(Term(term).label)
        for term, (_kind, _stage, value_field, date_field) in TERMS.items()
        if term in required
        and (
            terms.get(date_field) is None or (value_field and terms.get(value_field) in (None, ""))
        )
    ]
    if not schedule:
        missing.append(str(Term.SCHEDULE.label))
    if not missing:
        return ""
    return _(
        "“%(project)s” is a %(level)s project: its agreement must state the investment "
        "intensity, the investment schedule, the start, completion and production dates "
        "and the enterprise's duties on energy saving, tax and jobs. Missing: %(missing)s."
    ) % {
        "project": project.name,
        "level": project.get_level_display().lower(),
        "missing": ("、" if translation_is_zh() else ", ").join(missing),
    }


def _check_terms(terms: Mapping, schedule, signed_on, contracted, required=REQUIRED_TERMS) -> dict:
    """What is wrong with the terms and the investment schedule, by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    labels = {t: Term(t).label for t in TERMS}
    for term, (kind, _stage, value_field, date_field) in TERMS.items():
        value = terms.get(value_field) if value_field else None
        due = terms.get(date_field)
        has_value = value not in (None, "")
        if term in required:
            if value_field and not has_value:
                add(
                    value_field,
                    _("The agreement must state the %(term)s: give the figure.")
                    % {"term": labels[term]},
                )
            if due is None:
                add(
                    date_field,
                    _("The agreement must state the date of the %(term)s.")
                    % {"term": labels[term]},
                )
        elif has_value and due is None:
            add(
                date_field,
                _("Give the date by which the %(term)s is due.") % {"term": labels[term]},
            )
        elif due is not None and value_field and not has_value:
            add(
                value_field,
                _("Give the %(term)s due by %(date)s, or clear the date.")
                % {"term": labels[term], "date": due.isoformat()},
            )
        if has_value and kind in AMOUNT_KINDS and Decimal(value) <= 0:
            add(value_field, _("The figure must be more than zero."))
        if has_value and kind == ObligationKind.ENERGY and not any(c.isdigit() for c in value):
            add(
                value_field,
                _(
                    "State the energy duty with a measurable limit (a figure and its unit), "
                    "e.g. 单位产值能耗不高于0.35吨标准煤/万元."
                ),
            )
        if due is not None and signed_on and due <= signed_on:
            add(
                date_field,
                _("The date must be after the signing date %(date)s.")
                % {"date": signed_on.isoformat()},
            )
    order = [("start_by", Term.START), ("completion_by", Term.COMPLETION)]
    order.append(("production_by", Term.PRODUCTION))
    for (a, term_a), (b, term_b) in zip(order, order[1:], strict=False):
        if terms.get(a) and terms.get(b) and terms[b] < terms[a]:
            add(
                b,
                _("The %(later)s (%(b)s) cannot come before the %(earlier)s (%(a)s).")
                % {
                    "later": labels[term_b],
                    "earlier": labels[term_a],
                    "a": terms[a].isoformat(),
                    "b": terms[b].isoformat(),
                },
            )
    if not schedule:
        add(
            "schedule",
            _("Give the investment schedule: the funds in place due by each date."),
        )
    seen: dict[datetime.date, int] = {}
    previous = None
    for n, (due, amount) in enumerate(sorted(schedule, key=lambda r: r[0]), 1):
        if due in seen:
            add(
                "schedule",
                _("The date %(date)s appears twice in the investment schedule.")
                % {"date": due.isoformat()},
            )
        seen[due] = n
        if amount is None or amount <= 0:
            add(
                "schedule",
                _("The amount due by %(date)s must be more than zero.") % {"date": due.isoformat()},
            )
            continue
        if signed_on and due <= signed_on:
            add(
                "schedule",
                _("The schedule date %(date)s must be after the signing date %(signed)s.")
                % {"date": due.isoformat(), "signed": signed_on.isoformat()},
            )
        if previous is not None and amount <= previous[1]:
            add(
                "schedule",
                _(
                    "The cumulative amount due by %(date)s (%(amount)s) must be more than "
                    "the amount due by %(before)s (%(before_amount)s): the schedule gives "
                    "cumulative funds in place."
                )
                % {
                    "date": due.isoformat(),
                    "amount": amount,
                    "before": previous[0].isoformat(),
                    "before_amount": previous[1],
                },
            )
        if contracted and amount > contracted:
            add(
                "schedule",
                _(
                    "The amount due by %(date)s (%(amount)s) is more than the contracted "
                    "investment (%(contracted)s)."
                )
                % {"date": due.isoformat(), "amount": amount, "contracted": contracted},
            )
        previous = (due, amount)
    return errors


def _check_agreement(agreement: Agreement, project) -> dict:
    errors: dict[str, list[str]] = {}
    if project.signed_on is None:
        errors["__all__"] = [
            _("An agreement is recorded for a signed project; “%(project)s” is “%(stage)s”.")
            % {"project": project.name, "stage": project.get_stage_display()}
        ]
    for name in ("number", "government_party", "enterprise_party"):
        if not (getattr(agreement, name) or "").strip():
            errors.setdefault(name, []).append(
                _("Give the %(field)s.") % {"field": Agreement._meta.get_field(name).verbose_name}
            )
    if agreement.signed_on is None:
        errors.setdefault("signed_on", []).append(_("Give the signing date."))
    elif agreement.signed_on > clock.today():
        errors.setdefault("signed_on", []).append(_("The signing date cannot be in the future."))
    if agreement.contracted_investment is None or agreement.contracted_investment <= 0:
        errors.setdefault("contracted_investment", []).append(
            _("The contracted investment must be more than zero.")
        )
    if agreement.land_area is not None and agreement.land_area < 0:
        errors.setdefault("land_area", []).append(_("The land area cannot be negative."))
    number = (agreement.number or "").strip()
    if number:
        clash = (
            Agreement.objects.filter(district_id=project.district_id, number=number)
            .exclude(pk=agreement.pk)
            .select_related("project")
            .first()
        )
        if clash is not None:
            errors.setdefault("number", []).append(
                _("The agreement number %(number)s is already used by “%(project)s”.")
                % {"number": number, "project": clash.project.name}
            )
    return errors


def _term_obligation(agreement, term: str, terms: Mapping) -> dict:
    kind, stage, value_field, date_field = TERMS[term]
    value = terms.get(value_field) if value_field else None
    return {
        "kind": kind,
        "target_stage": stage,
        "target_amount": Decimal(value) if kind in AMOUNT_KINDS else None,
        "target_text": value if kind == ObligationKind.ENERGY else "",
        "due_on": terms[date_field],
    }


def why_not_removable(ob: Obligation) -> str | None:
    """Why an obligation cannot be removed (a breach, a commitment), or None."""
    if ObligationBreach.objects.filter(obligation=ob).exists():
        return _(
            "“%(title)s” has a recorded breach and cannot be removed: waive it with the "
            "reason instead."
        ) % {"title": ob.description}
    if ob.commitments.exists():
        return _("“%(title)s” is fulfilled by a service commitment and cannot be removed.") % {
            "title": ob.description
        }
    return None


def _set_fields(ob: Obligation, values: Mapping) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(ob, name) != value:
            setattr(ob, name, value)
            changed = True
    return changed


def _breached_change(ob: Obligation) -> str:
    return _(
        "“%(title)s” has a recorded breach: its target and due date stay as they were. "
        "Waive it with the reason (e.g. the supplementary agreement) and add the new "
        "obligation."
    ) % {"title": ob.description}


def _term_obligations(agreement: Agreement, creating: bool) -> tuple[list, set]:
    """The agreement's term obligations and the ids of those with a recorded breach (a new
    agreement has neither)."""
    current = [] if creating else list(agreement.obligations.exclude(term=""))
    if not current:
        return current, set()
    breaches = ObligationBreach.objects.filter(obligation__agreement=agreement)
    return current, set(breaches.values_list("obligation_id", flat=True))


def _sync_terms(user, agreement: Agreement, terms: Mapping, schedule, creating=False) -> list:
    """Make the agreement's term obligations match the terms and the schedule, saving only
    what changed (one history record each); returns those added. An obligation with a recorded breach is never
    changed or removed; schedule rows keep their obligation by their date."""
    errors: dict[str, list[str]] = {}
    added: list[Obligation] = []
    current, breached = _term_obligations(agreement, creating)

    def save(ob: Obligation, values: dict, field: str) -> None:
        changed = _set_fields(ob, values)
        if ob.pk is not None:
            if not changed:
                return
            if ob.pk in breached:
                errors.setdefault(field, []).append(_breached_change(ob))
                return
        ob._history_user = user
        if ob.pk is None:
            added.append(ob)  # written together below
        else:
            ob.save_new_version()

    def remove(ob: Obligation, field: str) -> None:
        reason = why_not_removable(ob)
        if reason:
            errors.setdefault(field, []).append(reason)
            return
        ob._history_user = user
        ob.delete()

    existing = {ob.term: ob for ob in current if ob.term != Term.SCHEDULE}
    for term, (_kind, _stage, value_field, date_field) in TERMS.items():
        value = terms.get(value_field) if value_field else None
        present = terms.get(date_field) is not None and (
            value_field is None or value not in (None, "")
        )
        ob = existing.get(term)
        field = value_field or date_field
        if not present:
            if ob is not None:
                remove(ob, field)
            continue
        if ob is None:
            ob = Obligation(
                district_id=agreement.district_id,
                agreement=agreement,
                term=term,
                party=Party.ENTERPRISE,
            )
        save(ob, _term_obligation(agreement, term, terms), field)

    # The schedule: a row keeps the obligation of its date; the other rows take over the
    # obligations left (in date order), the rest are added or removed.
    rows = [ob for ob in current if ob.term == Term.SCHEDULE]
    old_by_date = {ob.due_on: ob for ob in sorted(rows, key=lambda ob: (ob.due_on, ob.pk))[::-1]}
    unmatched = []
    for due, amount in sorted(schedule, key=lambda r: r[0]):
        values = {"kind": ObligationKind.FUNDS, "target_amount": amount, "due_on": due}
        ob = old_by_date.pop(due, None)
        if ob is not None:
            save(ob, values, "schedule")
        else:
            unmatched.append(values)
    left = sorted(old_by_date.values(), key=lambda ob: (ob.due_on, ob.pk))
    reusable = [ob for ob in left if ob.pk not in breached]
    for ob in left:
        if ob.pk in breached:
            errors.setdefault("schedule", []).append(why_not_removable(ob))
    for position, values in enumerate(unmatched):
        if position < len(reusable):
            save(reusable[position], values, "schedule")
        else:
            save(
                Obligation(
                    district_id=agreement.district_id,
                    agreement=agreement,
                    term=Term.SCHEDULE,
                    party=Party.ENTERPRISE,
                ),
                values,
                "schedule",
            )
    for ob in reusable[len(unmatched) :]:
        remove(ob, "schedule")
    raise_errors(errors)
    if added:
        bulk_create_with_history(added, Obligation, default_user=user, default_date=clock.now())
    return added


@transaction.atomic
def save_agreement(
    user,
    project,
    *,
    fields: Mapping,
    terms: Mapping,
    schedule: Sequence[tuple[datetime.date, Decimal]],
    document=None,
    agreement: Agreement | None = None,
    expected_version: int | None = None,
) -> Agreement:
    """Record a project's agreement, or change it: its header, its terms (each an
    obligation of the enterprise, kept in step) and its investment schedule (cumulative
    funds in place due by each date). ``document`` is the signed text, uploaded into the
    project's document library as a new version of 投资协议. All or nothing."""
    require(permissions.can_edit_agreement(user, project))
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a field of an agreement: {', '.join(sorted(unknown))}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    creating = agreement is None
    if creating:
        if Agreement.objects.filter(project=project).exists():
            raise ValidationError(
                _("“%(project)s” already has an agreement: edit it.") % {"project": project.name}
            )
        agreement = Agreement(district_id=project.district_id, project=project, created_by=user)
        before = {}
    else:
        if agreement.project_id != project.pk:
            raise ValueError("the agreement belongs to another project")
        agreement = lock_for_update(agreement, expected_version)
        before = {n: getattr(agreement, n) for n in AGREEMENT_FIELDS}
    for name, value in fields.items():
        setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    schedule = [(due, amount) for due, amount in schedule]
    errors = _check_agreement(agreement, project)
    if project.level in KEY_LEVELS:
        missing = _missing_terms(terms, schedule, required_terms(project), project)
        if missing:
            errors.setdefault("__all__", []).append(missing)
    for field, messages in _check_terms(
        terms,
        schedule,
        agreement.signed_on,
        agreement.contracted_investment,
        required_terms(project),
    ).items():
        errors.setdefault(field, []).extend(messages)
    if document is not None:
        try:
            validate_upload(document)
        except ValidationError as exc:
            errors.setdefault("document", []).extend(exc.messages)
    raise_errors(errors)
    if document is not None:
        material = MaterialType.objects.get(code="investment_agreement")
        agreement.document = upload_document(
            user,
            project,
            material,
            document,
            note=_("Agreement %(number)s") % {"number": agreement.number},
        )
    agreement._history_user = user
    if creating:
        agreement.save()
    else:
        agreement.save_new_version()
    added = _sync_terms(user, agreement, terms, schedule, creating)
    if creating:  # every obligation is new: the caller has them in hand
        hand_over(agreement, "obligations", added, lambda ob: (ob.due_on, ob.pk))
    dates = [d for d in (terms.get(f) for f in TERM_FIELDS if f.endswith("_by")) if d]
    dates += [due for due, _amount in schedule]
    if dates:
        # Due dates stay inside the working-day index, where SQL counts the days left.
        workdays.ensure_range(max(dates))
    changed = [n for n in AGREEMENT_FIELDS if before.get(n) != getattr(agreement, n)]
    log_event(
        user,
        "agreement.created" if creating else "agreement.updated",
        agreement,
        summary=f"{agreement.number} · {project.name}",
        project=project.pk,
        changed=[] if creating else changed,
    )
    return agreement


@transaction.atomic
def delete_agreement(user, agreement: Agreement) -> None:
    """Delete an agreement recorded in error (admins only); refused once a breach is
    recorded or a commitment fulfils one of its obligations."""
    require(can_delete_registry(user, agreement.district_id))
    for ob in agreement.obligations.all():
        reason = why_not_removable(ob)
        if reason:
            raise ValidationError(reason)
    log_event(user, "agreement.deleted", agreement, summary=agreement.number)
    for ob in agreement.obligations.all():
        ob._history_user = user
        ob.delete()
    agreement._history_user = user
    agreement.delete()
