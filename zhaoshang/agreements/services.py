"""Agreements, obligations and service commitments through their life (SPEC §8). Every
state change is a function here; pages, the API, the admin and the daily scan call them.

Each checks who may act and what the input says, runs in one transaction (an error saves
nothing), locks the row it changes and checks the version the user read, writes the
domain event and queues notifications on commit.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext as _

from zhaoshang.agreements import permissions
from zhaoshang.agreements.choices import (
    AMOUNT_KINDS,
    DEPARTMENT_KINDS,
    FACT_KINDS,
    TARGET_STAGES,
    ObligationKind,
    ObligationStatus,
    Party,
    Term,
)
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    Commitment,
    Milestone,
    Obligation,
    ObligationBreach,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import Planned, Step, plan_backwards
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.validators import validate_upload
from zhaoshang.notifications.services import notify, notify_many
from zhaoshang.org.models import Department, User
from zhaoshang.projects.choices import Stage, TeamRole
from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return clock.today()


def _lock(model, obj, expected_version: int | None, what: str):
    """The row, locked; refused when someone saved it after the user read it."""
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this %(what)s after you opened it. Reload the page to "
                "see their changes, then make yours again; nothing of yours was saved."
            )
            % {"what": what}
        )
    return locked


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _file_digest(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------
# Agreements and their terms


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


def _check_terms(terms: Mapping, schedule, signed_on, contracted) -> dict:
    """What is wrong with the terms and the investment schedule, by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    labels = {t: Term(t).label for t in TERMS}
    for term, (kind, _stage, value_field, date_field) in TERMS.items():
        value = terms.get(value_field) if value_field else None
        due = terms.get(date_field)
        has_value = value not in (None, "")
        if term in REQUIRED_TERMS:
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
    elif agreement.signed_on > _today():
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


def _removable(ob: Obligation) -> str | None:
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


def _sync_terms(user, agreement: Agreement, terms: Mapping, schedule) -> None:
    """Make the agreement's term obligations match the terms and the schedule, saving only
    what changed (one history record each). An obligation with a recorded breach is never
    changed or removed; schedule rows keep their obligation by their date."""
    errors: dict[str, list[str]] = {}
    breached = set(
        ObligationBreach.objects.filter(obligation__agreement=agreement).values_list(
            "obligation_id", flat=True
        )
    )

    def save(ob: Obligation, values: dict, field: str) -> None:
        changed = _set_fields(ob, values)
        if ob.pk is not None:
            if not changed:
                return
            if ob.pk in breached:
                errors.setdefault(field, []).append(_breached_change(ob))
                return
            ob.version += 1
        ob._history_user = user
        ob.save()

    def remove(ob: Obligation, field: str) -> None:
        reason = _removable(ob)
        if reason:
            errors.setdefault(field, []).append(reason)
            return
        ob._history_user = user
        ob.delete()

    existing = {ob.term: ob for ob in agreement.obligations.exclude(term__in=["", Term.SCHEDULE])}
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
    old_by_date = {
        ob.due_on: ob
        for ob in agreement.obligations.filter(term=Term.SCHEDULE).order_by("-due_on", "-id")
    }
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
            errors.setdefault("schedule", []).append(_removable(ob))
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
    _raise(errors)


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
    from zhaoshang.projects.models import MaterialType, Project
    from zhaoshang.projects.services import upload_document

    _require(permissions.can_edit_agreement(user, project))
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
        agreement = _lock(Agreement, agreement, expected_version, _("agreement"))
        before = {n: getattr(agreement, n) for n in AGREEMENT_FIELDS}
    for name, value in fields.items():
        setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    schedule = [(due, amount) for due, amount in schedule]
    errors = _check_agreement(agreement, project)
    for field, messages in _check_terms(
        terms, schedule, agreement.signed_on, agreement.contracted_investment
    ).items():
        errors.setdefault(field, []).extend(messages)
    if document is not None:
        try:
            validate_upload(document)
        except ValidationError as exc:
            errors.setdefault("document", []).extend(exc.messages)
    _raise(errors)
    if document is not None:
        material = MaterialType.objects.get(code="investment_agreement")
        agreement.document = upload_document(
            user,
            project,
            material,
            document,
            note=_("Agreement %(number)s") % {"number": agreement.number},
        )
    if not creating:
        agreement.version += 1
    agreement._history_user = user
    agreement.save()
    _sync_terms(user, agreement, terms, schedule)
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
    from zhaoshang.projects.permissions import can_delete_registry

    _require(can_delete_registry(user, agreement.district_id))
    for ob in agreement.obligations.all():
        reason = _removable(ob)
        if reason:
            raise ValidationError(reason)
    log_event(user, "agreement.deleted", agreement, summary=agreement.number)
    for ob in agreement.obligations.all():
        ob._history_user = user
        ob.delete()
    agreement._history_user = user
    agreement.delete()


# ---------------------------------------------------------------------------------------
# Further obligations (a department's, or the enterprise's beyond the standard terms)


OBLIGATION_FIELDS = (
    "party",
    "department",
    "kind",
    "title",
    "target_amount",
    "target_stage",
    "target_text",
    "due_on",
)


def check_obligation(ob: Obligation, agreement: Agreement) -> None:
    """An obligation names its party and has a measurable target and a due date; the
    messages name the field and what to give."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if ob.party not in Party.values:
        add("party", _("Choose who owes the obligation."))
    if ob.party == Party.DEPARTMENT:
        if ob.department is None:
            add("department", _("Choose the department that owes the obligation."))
        elif ob.department.district_id != agreement.district_id:
            add("department", _("This record belongs to another district."))
        if ob.kind and ob.kind not in DEPARTMENT_KINDS:
            add(
                "kind",
                _("A department owes a service or a stage of the project, not “%(kind)s”.")
                % {"kind": ObligationKind(ob.kind).label},
            )
    elif ob.party == Party.ENTERPRISE:
        ob.department = None
        if ob.kind == ObligationKind.SERVICE:
            add("kind", _("A service is owed by a department: choose the department."))
    if not (ob.title or "").strip():
        add("title", _("Say what is owed."))
    if ob.kind not in ObligationKind.values:
        add("kind", _("Choose how the obligation is measured."))
    elif ob.kind in AMOUNT_KINDS:
        if ob.target_amount is None:
            add(
                "target_amount",
                _("“%(title)s” has no measurable target: give the target figure in %(unit)s.")
                % {"title": ob.title or "—", "unit": AMOUNT_KINDS[ob.kind]},
            )
        elif ob.target_amount <= 0:
            add("target_amount", _("The target figure must be more than zero."))
        elif ob.kind == ObligationKind.JOBS and ob.target_amount != int(ob.target_amount):
            add("target_amount", _("The number of jobs is a whole number."))
    elif ob.kind == ObligationKind.STAGE and ob.target_stage not in TARGET_STAGES:
        add(
            "target_stage",
            _("“%(title)s” has no measurable target: choose the stage the project must reach.")
            % {"title": ob.title or "—"},
        )
    if ob.kind in (ObligationKind.SERVICE, ObligationKind.ENERGY):
        text = (ob.target_text or "").strip()
        if not text:
            add(
                "target_text",
                _(
                    "“%(title)s” has no measurable target: say what is delivered (e.g. 完成"
                    "厂区道路及雨污管网并通过验收)."
                )
                % {"title": ob.title or "—"},
            )
        elif ob.kind == ObligationKind.ENERGY and not any(c.isdigit() for c in text):
            add(
                "target_text",
                _(
                    "State the energy duty with a measurable limit (a figure and its unit), "
                    "e.g. 单位产值能耗不高于0.35吨标准煤/万元."
                ),
            )
    if ob.kind not in AMOUNT_KINDS:
        ob.target_amount = None
    if ob.kind != ObligationKind.STAGE:
        ob.target_stage = ""
    if ob.kind not in (ObligationKind.SERVICE, ObligationKind.ENERGY):
        ob.target_text = ""
    if ob.due_on is None:
        add("due_on", _("Give the due date."))
    elif agreement.signed_on and ob.due_on <= agreement.signed_on:
        add(
            "due_on",
            _("The due date must be after the signing date %(date)s.")
            % {"date": agreement.signed_on.isoformat()},
        )
    _raise(errors)


@transaction.atomic
def add_obligation(user, agreement: Agreement, **fields) -> Obligation:
    """Add an obligation beyond the standard terms: a department's service or stage, or a
    further duty of the enterprise."""
    _require(permissions.can_edit_agreement(user, agreement.project))
    unknown = set(fields) - set(OBLIGATION_FIELDS)
    if unknown:
        raise TypeError(f"not a field of an obligation: {', '.join(sorted(unknown))}")
    ob = Obligation(district_id=agreement.district_id, agreement=agreement, term=Term.NONE)
    for name, value in fields.items():
        setattr(ob, name, value.strip() if isinstance(value, str) else value)
    check_obligation(ob, agreement)
    ob._history_user = user
    ob.save()
    workdays.ensure_range(ob.due_on)
    log_event(user, "obligation.added", ob, summary=ob.description, party=ob.party, kind=ob.kind)
    return ob


@transaction.atomic
def update_obligation(
    user, obligation: Obligation, expected_version: int | None = None, **fields
) -> Obligation:
    """Change a further obligation (the standard terms change with the agreement)."""
    agreement = obligation.agreement
    _require(permissions.can_edit_agreement(user, agreement.project))
    ob = _lock(Obligation, obligation, expected_version, _("obligation"))
    if ob.term:
        raise ValidationError(
            _("“%(title)s” is a term of the agreement: change it on the agreement.")
            % {"title": ob.description}
        )
    unknown = set(fields) - set(OBLIGATION_FIELDS)
    if unknown:
        raise TypeError(f"not a field of an obligation: {', '.join(sorted(unknown))}")
    if ob.commitments.exists() and (
        fields.get("party", ob.party) != ob.party
        or fields.get("department", ob.department) != ob.department
    ):
        raise ValidationError(
            {"department": _("A service commitment fulfils this obligation: its department stays.")}
        )
    for name, value in fields.items():
        setattr(ob, name, value.strip() if isinstance(value, str) else value)
    check_obligation(ob, agreement)
    ob.version += 1
    ob._history_user = user
    ob.save()
    workdays.ensure_range(ob.due_on)
    log_event(user, "obligation.updated", ob, summary=ob.description)
    return ob


@transaction.atomic
def delete_obligation(user, obligation: Obligation) -> None:
    """Remove a further obligation entered in error; refused once a breach is recorded or
    a commitment fulfils it (waive it instead)."""
    _require(permissions.can_edit_agreement(user, obligation.agreement.project))
    if obligation.term:
        raise ValidationError(
            _("“%(title)s” is a term of the agreement: change it on the agreement.")
            % {"title": obligation.description}
        )
    reason = _removable(obligation)
    if reason:
        raise ValidationError(reason)
    log_event(user, "obligation.removed", obligation, summary=obligation.description)
    obligation._history_user = user
    obligation.delete()


def obligation_status(obligation: Obligation, today: datetime.date | None = None) -> str:
    """The derived status of one obligation (as ``with_status`` computes it)."""
    today = today or _today()
    return (
        Obligation.objects.filter(pk=obligation.pk)
        .with_met(today)
        .values_list("status", flat=True)
        .get()
    )


@transaction.atomic
def confirm_obligation(
    user,
    obligation: Obligation,
    *,
    met_on: datetime.date | None,
    evidence,
    note: str = "",
    expected_version: int | None = None,
) -> Obligation:
    """Confirm by hand, with an evidence file, that an obligation no record of the project
    measures was met, and on which day. A later confirmation replaces the earlier one
    (its history is kept)."""
    project = obligation.agreement.project
    _require(permissions.can_confirm(user, obligation, project))
    ob = _lock(Obligation, obligation, expected_version, _("obligation"))
    errors: dict[str, list[str]] = {}
    if ob.kind in FACT_KINDS:
        source = {
            ObligationKind.FUNDS: _("the funds in place recorded"),
            ObligationKind.INVESTMENT: _("the monthly reports"),
            ObligationKind.STAGE: _("the project's stage dates"),
        }[ob.kind]
        raise ValidationError(
            _("Whether “%(title)s” is met follows from %(source)s; it is not confirmed by hand.")
            % {"title": ob.description, "source": source}
        )
    if ob.kind == ObligationKind.SERVICE and ob.commitments.exists():
        raise ValidationError(
            _(
                "“%(title)s” is met when the service commitment that fulfils it is "
                "completed; report the progress of its milestones."
            )
            % {"title": ob.description}
        )
    if ob.waived_on:
        raise ValidationError(_("“%(title)s” is waived.") % {"title": ob.description})
    if met_on is None:
        errors.setdefault("met_on", []).append(_("Give the day it was met."))
    elif met_on > _today():
        errors.setdefault("met_on", []).append(_("The date cannot be in the future."))
    elif met_on < ob.agreement.signed_on:
        errors.setdefault("met_on", []).append(
            _("The date cannot be before the signing date %(date)s.")
            % {"date": ob.agreement.signed_on.isoformat()}
        )
    if evidence is None:
        errors.setdefault("evidence", []).append(
            _("Attach the evidence (完税证明, 社保缴纳证明, 检测报告 …).")
        )
    else:
        try:
            validate_upload(evidence)
        except ValidationError as exc:
            errors.setdefault("evidence", []).extend(exc.messages)
    _raise(errors)
    ob.confirmed_on = met_on
    ob.confirmation_note = (note or "").strip()
    ob.evidence_name = evidence.name[:200]
    ob.evidence_sha256 = _file_digest(evidence)
    ob.evidence.save(evidence.name, evidence, save=False)
    ob.confirmed_by = user
    ob.confirmed_at = clock.now()
    ob.version += 1
    ob._history_user = user
    ob.save()
    log_event(
        user,
        "obligation.confirmed",
        ob,
        summary=f"{ob.description} · {met_on.isoformat()}",
        met_on=met_on,
        evidence=ob.evidence_name,
    )
    if met_on > ob.due_on:
        record_breach(ob)
    return ob


@transaction.atomic
def waive_obligation(
    user,
    obligation: Obligation,
    *,
    reason: str,
    waived_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Obligation:
    """Release an obligation (a supplementary agreement, a change the government caused),
    with the reason kept; a waived obligation no longer counts for 履约."""
    _require(permissions.can_edit_agreement(user, obligation.agreement.project))
    ob = _lock(Obligation, obligation, expected_version, _("obligation"))
    waived_on = waived_on or _today()
    errors = {}
    if ob.waived_on:
        errors["__all__"] = [
            _("“%(title)s” was waived on %(date)s.")
            % {"title": ob.description, "date": ob.waived_on.isoformat()}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the waiver (e.g. the supplementary agreement).")]
    if waived_on > _today():
        errors["waived_on"] = [_("The date cannot be in the future.")]
    _raise(errors)
    ob.waived_on = waived_on
    ob.waiver_reason = reason.strip()
    ob.waived_by = user
    ob.version += 1
    ob._history_user = user
    ob.save()
    log_event(user, "obligation.waived", ob, summary=ob.waiver_reason, waived_on=waived_on)
    return ob


# ---------------------------------------------------------------------------------------
# Breaches and the ledger


def _department_handlers(department_ids: Iterable[int]):
    return User.objects.filter(
        department_id__in=list(department_ids),
        groups__name=roles.Role.DEPARTMENT,
        is_active=True,
    ).distinct()


def _team(project, *team_roles):
    return User.objects.filter(
        project_roles__project=project, project_roles__role__in=team_roles, is_active=True
    ).distinct()


def _missed_from(due_on: datetime.date, calendar=workdays) -> datetime.date:
    """The day an obligation or milestone counts as missed: the first working day after
    its due date (as an overdue case's ledger entry)."""
    return calendar.add_workdays(due_on, 1).date


def _breach_summary(obligation: Obligation) -> str:
    return _("“%(title)s” of %(project)s was not met by %(due)s.") % {
        "title": obligation.description,
        "project": obligation.agreement.project.name,
        "due": obligation.due_on.isoformat(),
    }


def _new_breach(obligation: Obligation, occurred_on: datetime.date) -> ObligationBreach:
    project = obligation.agreement.project
    return ObligationBreach(
        district_id=obligation.district_id,
        obligation=obligation,
        project=project,
        party=obligation.party,
        department=obligation.department,
        enterprise_id=project.enterprise_id,
        due_on=obligation.due_on,
        occurred_on=occurred_on,
    )


def record_breach(
    obligation: Obligation, occurred_on: datetime.date | None = None, calendar=workdays
) -> ObligationBreach | None:
    """Record, once, that the obligation was not met by its due date; a department's
    breach also writes its ledger entry (once). Returns the breach when written."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    if ObligationBreach.objects.filter(obligation=obligation).exists():
        return None
    project = obligation.agreement.project
    occurred_on = occurred_on or _missed_from(obligation.due_on, calendar)
    try:
        with transaction.atomic():
            breach = _new_breach(obligation, occurred_on)
            breach.save()
    except IntegrityError:  # recorded concurrently by another scan
        return None
    summary = _breach_summary(obligation)
    log_event(None, "obligation.missed", obligation, summary=summary, party=obligation.party)
    url = obligation.get_absolute_url()
    if obligation.party == Party.DEPARTMENT:
        write_rule_entry(
            RuleCode.MISSED_OBLIGATION, obligation.department, obligation, summary, occurred_on
        )
        recipients = _department_handlers([obligation.department_id])
    else:
        recipients = _team(project, TeamRole.MANAGER, TeamRole.SECRETARY)
    notify(recipients, "obligation.missed", summary, url=url)
    return breach


def _milestone_summary(milestone: Milestone) -> str:
    commitment = milestone.commitment
    return _("Milestone “%(name)s” of “%(commitment)s” (%(project)s) was not done by %(due)s.") % {
        "name": milestone.name,
        "commitment": commitment.title,
        "project": commitment.project.name,
        "due": milestone.due_on.isoformat(),
    }


def _milestone_recipients(milestone: Milestone, handlers) -> list:
    recipients = [milestone.owner] if milestone.owner_id else []
    recipients += handlers
    if milestone.commitment.owner_id:
        recipients.append(milestone.commitment.owner)
    return recipients


def record_missed_milestone(
    milestone: Milestone, occurred_on: datetime.date | None = None, calendar=workdays
):
    """Write the missed milestone's entry to its owner department's ledger, once."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    commitment = milestone.commitment
    summary = _milestone_summary(milestone)
    entry = write_rule_entry(
        RuleCode.MISSED_MILESTONE,
        milestone.owner_department,
        milestone,
        summary,
        occurred_on or _missed_from(milestone.due_on, calendar),
    )
    if entry is not None:
        log_event(None, "milestone.missed", commitment, summary=summary, milestone=milestone.pk)
        handlers = list(_department_handlers([milestone.owner_department_id]))
        notify(
            _milestone_recipients(milestone, handlers),
            "milestone.missed",
            summary,
            url=milestone.get_absolute_url(),
        )
    return entry


@dataclass
class ScanResult:
    breaches: int = 0
    department_breaches: int = 0
    missed_milestones: int = 0


def _handlers_by_department(department_ids: Iterable[int]) -> dict[int, list[User]]:
    grouped: dict[int, list[User]] = {}
    for user in _department_handlers(set(department_ids)):
        grouped.setdefault(user.department_id, []).append(user)
    return grouped


def _managers_by_project(project_ids: Iterable[int]) -> dict[int, list[User]]:
    from zhaoshang.projects.models import ProjectTeamMember

    grouped: dict[int, list[User]] = {}
    members = ProjectTeamMember.objects.filter(
        project_id__in=set(project_ids),
        role__in=[TeamRole.MANAGER, TeamRole.SECRETARY],
        user__is_active=True,
    ).select_related("user")
    for member in members.order_by("project_id", "role", "id"):
        grouped.setdefault(member.project_id, []).append(member.user)
    return grouped


def _record_breaches(obligations: list[Obligation], calendar) -> ScanResult:
    """The breaches of these obligations (none recorded yet), with their events, the
    departments' ledger entries and the messages, in bulk inserts."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import RuleHit, write_rule_entries

    result = ScanResult()
    if not obligations:
        return result
    breaches = [_new_breach(ob, _missed_from(ob.due_on, calendar)) for ob in obligations]
    try:
        with transaction.atomic():
            ObligationBreach.objects.bulk_create(breaches, batch_size=1000)
    except IntegrityError:  # another scan recorded some meanwhile: one at a time
        for ob in obligations:
            if record_breach(ob, calendar=calendar):
                result.breaches += 1
                result.department_breaches += ob.party == Party.DEPARTMENT
        return result
    summaries = {ob.pk: _breach_summary(ob) for ob in obligations}
    log_events(
        build_event(None, "obligation.missed", ob, summary=summaries[ob.pk], party=ob.party)
        for ob in obligations
    )
    owed = [ob for ob in obligations if ob.party == Party.DEPARTMENT]
    write_rule_entries(
        RuleCode.MISSED_OBLIGATION,
        (
            RuleHit(ob.department, ob, summaries[ob.pk], b.occurred_on)
            for ob, b in zip(obligations, breaches, strict=True)
            if ob.party == Party.DEPARTMENT
        ),
    )
    handlers = _handlers_by_department(ob.department_id for ob in owed)
    managers = _managers_by_project(
        ob.agreement.project_id for ob in obligations if ob.party != Party.DEPARTMENT
    )
    notify_many(
        (
            handlers.get(ob.department_id, [])
            if ob.party == Party.DEPARTMENT
            else managers.get(ob.agreement.project_id, []),
            "obligation.missed",
            summaries[ob.pk],
            "",
            ob.get_absolute_url(),
        )
        for ob in obligations
    )
    result.breaches = len(obligations)
    result.department_breaches = len(owed)
    return result


def _record_missed_milestones(milestones: list[Milestone], calendar) -> int:
    """The missed milestones' ledger entries (none written yet), with their events and
    messages, in bulk inserts."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import RuleHit, write_rule_entries

    summaries = {m.pk: _milestone_summary(m) for m in milestones}
    written = write_rule_entries(
        RuleCode.MISSED_MILESTONE,
        (
            RuleHit(m.owner_department, m, summaries[m.pk], _missed_from(m.due_on, calendar))
            for m in milestones
        ),
    )
    done = [hit.evidence for hit in written]
    log_events(
        build_event(None, "milestone.missed", m.commitment, summary=summaries[m.pk], milestone=m.pk)
        for m in done
    )
    handlers = _handlers_by_department(m.owner_department_id for m in done)
    notify_many(
        (
            _milestone_recipients(m, handlers.get(m.owner_department_id, [])),
            "milestone.missed",
            summaries[m.pk],
            "",
            m.get_absolute_url(),
        )
        for m in done
    )
    return len(done)


@transaction.atomic
def scan(today: datetime.date | None = None) -> ScanResult:
    """The agreements part of the daily scan, set-based: every obligation not met by its
    due date (missed, or met late) gets its breach recorded once — a department's also its
    ledger entry — and every milestone past its due date and not done (or done late)
    writes its owner department's ledger entry once. One query finds each set, bulk
    inserts write the breaches, entries, events and messages. Safe to run twice."""
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.assessment.models import LedgerEntry, RuleCode

    today = today or _today()
    late = (
        Obligation.objects.with_met(today)
        .filter(status__in=[ObligationStatus.MISSED, ObligationStatus.MET_LATE])
        .exclude(breach__isnull=False)
        .select_related("agreement__project", "department")
        .order_by("due_on", "pk")
    )
    recorded = LedgerEntry.objects.filter(
        rule_code=RuleCode.MISSED_MILESTONE,
        evidence_type=ContentType.objects.get_for_model(Milestone),
    ).values("evidence_id")
    missed = (
        Milestone.objects.filter(
            Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__gt=F("due_on"))
        )
        .exclude(pk__in=recorded)
        .select_related("commitment__project", "owner_department", "owner", "commitment__owner")
        .order_by("due_on", "pk")
    )
    obligations, milestones = list(late), list(missed)
    dues = [o.due_on for o in obligations] + [m.due_on for m in milestones]
    if not dues:
        return ScanResult()
    calendar = workdays.CalendarWindow(min(dues), max(max(dues), today))
    result = _record_breaches(obligations, calendar)
    result.missed_milestones = _record_missed_milestones(milestones, calendar)
    return result


# ---------------------------------------------------------------------------------------
# Service commitments and their reverse schedules


def steps_from_template(template: ScheduleTemplate) -> list[Step]:
    return [
        Step(s.name, s.duration_workdays, s.owner_department)
        for s in template.steps.select_related("owner_department").order_by("seq", "id")
    ]


COMMITMENT_FIELDS = ("title", "content", "clause", "owner", "obligation", "start_on", "target_on")


def _check_commitment(commitment: Commitment, project) -> dict:
    errors: dict[str, list[str]] = {}
    for name in ("title", "content"):
        if not (getattr(commitment, name) or "").strip():
            errors.setdefault(name, []).append(
                _("Give the %(field)s.") % {"field": Commitment._meta.get_field(name).verbose_name}
            )
    department = commitment.department
    if department is not None and department.district_id != project.district_id:
        errors.setdefault("department", []).append(_("This record belongs to another district."))
    if commitment.start_on is None:
        errors.setdefault("start_on", []).append(_("Give the day the schedule counts from."))
    if commitment.target_on is None:
        errors.setdefault("target_on", []).append(_("Give the target date."))
    owner = commitment.owner
    if owner is not None and (owner.district_id != project.district_id or owner.enterprise_id):
        errors.setdefault("owner", []).append(
            _("The person responsible must be a government user of the district.")
        )
    ob = commitment.obligation
    if ob is not None:
        if ob.agreement.project_id != project.pk:
            errors.setdefault("obligation", []).append(
                _("The obligation belongs to another project's agreement.")
            )
        elif ob.party != Party.DEPARTMENT or ob.department_id != commitment.department_id:
            errors.setdefault("obligation", []).append(
                _("“%(title)s” is owed by %(party)s, not by %(department)s.")
                % {
                    "title": ob.description,
                    "party": ob.party_name,
                    "department": department,
                }
            )
    return errors


def _check_step_owners(steps: Sequence[Step], district_id: int) -> None:
    errors = []
    for n, step in enumerate(steps, 1):
        dept = step.owner_department
        if dept is not None and dept.district_id != district_id:
            errors.append(
                _("Step %(n)s “%(name)s”: the owner department belongs to another district.")
                % {"n": n, "name": step.name}
            )
        owner = step.owner
        if owner is not None and (owner.district_id != district_id or owner.enterprise_id):
            errors.append(
                _("Step %(n)s “%(name)s”: the owner must be a government user of the district.")
                % {"n": n, "name": step.name}
            )
    if errors:
        raise ValidationError({"steps": errors})


def _completed_on(commitment: Commitment) -> datetime.date | None:
    done = list(commitment.milestones.values_list("done_on", flat=True))
    if done and all(done):
        return max(done)
    return None


@transaction.atomic
def create_commitment(
    user,
    project,
    *,
    department: Department,
    steps: Sequence[Step],
    template: ScheduleTemplate | None = None,
    **fields,
) -> Commitment:
    """A department's service commitment for a project, with its reverse schedule planned
    backwards from the target date. A schedule that does not fit between the planning
    day and the target is refused, naming the date to move or the days to cut."""
    _require(permissions.can_create_commitment(user, project))
    unknown = set(fields) - set(COMMITMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a commitment: {', '.join(sorted(unknown))}")
    if (
        department is None
        or not permissions.commitment_departments(user).filter(pk=department.pk).exists()
    ):
        raise ValidationError(
            {"department": _("You can make commitments for your own department only.")}
        )
    commitment = Commitment(
        district_id=project.district_id,
        project=project,
        department=department,
        template=template,
        created_by=user,
    )
    for name, value in fields.items():
        setattr(commitment, name, value.strip() if isinstance(value, str) else value)
    if commitment.start_on is None:
        commitment.start_on = _today()
    _raise(_check_commitment(commitment, project))
    steps = [
        Step(s.name.strip(), s.duration, s.owner_department or department, s.owner) for s in steps
    ]
    _check_step_owners(steps, project.district_id)
    planned = plan_backwards(steps, commitment.target_on, commitment.start_on)
    commitment._history_user = user
    commitment.save()
    _write_milestones(user, commitment, planned, [])
    log_event(
        user,
        "commitment.created",
        commitment,
        summary=f"{commitment.title} · {department}",
        project=project.pk,
        target_on=commitment.target_on,
        milestones=len(planned),
    )
    owners = [p.step.owner for p in planned if p.step.owner is not None]
    if commitment.owner is not None:
        owners.append(commitment.owner)
    notify(
        [u for u in owners if u.pk != user.pk],
        "commitment.created",
        _("Service commitment “%(title)s” (%(project)s): you own part of its schedule.")
        % {"title": commitment.title, "project": project.name},
        url=commitment.get_absolute_url(),
    )
    return commitment


def _write_milestones(user, commitment, planned: Sequence[Planned], existing) -> None:
    """Save the planned milestones over ``existing`` (by position); new ones are added."""
    existing = list(existing)
    # Free the order numbers of the milestones that move first (one order number each).
    for ms, plan in zip(existing, planned, strict=False):
        if ms.seq != plan.seq:
            ms.seq += 1000
            ms._history_user = user
            ms.save(update_fields=["seq"])
    for position, plan in enumerate(planned):
        values = {
            "seq": plan.seq,
            "name": plan.step.name,
            "duration_workdays": plan.step.duration,
            "planned_start_on": plan.planned_start_on,
            "due_on": plan.due_on,
            "due_is_provisional": plan.provisional,
            "owner_department": plan.step.owner_department,
            "owner": plan.step.owner,
        }
        if position < len(existing):
            ms = existing[position]
            for name, value in values.items():
                setattr(ms, name, value)
            ms.version += 1
        else:
            ms = Milestone(commitment=commitment, **values)
        ms._history_user = user
        ms.save()


@transaction.atomic
def replan_commitment(
    user,
    commitment: Commitment,
    *,
    steps: Sequence[tuple[int | None, Step]],
    expected_version: int | None = None,
    **fields,
) -> Commitment:
    """Change a commitment and plan its schedule again from the target date: ``steps`` are
    (milestone id or None for a new step, step) in their new order. A milestone left out
    is removed, unless it is done or recorded as missed. Done dates and progress stay."""
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.assessment.models import LedgerEntry

    _require(permissions.can_manage_commitment(user, commitment))
    unknown = set(fields) - set(COMMITMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a commitment: {', '.join(sorted(unknown))}")
    locked = _lock(Commitment, commitment, expected_version, _("commitment"))
    before = snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    project = locked.project
    _raise(_check_commitment(locked, project))
    current = {m.pk: m for m in locked.milestones.order_by("seq")}
    kept_ids = [pk for pk, _step in steps if pk is not None]
    unknown_ids = set(kept_ids) - set(current)
    if unknown_ids:
        raise ValidationError({"steps": _("A milestone of another schedule was given.")})
    dropped = [m for pk, m in current.items() if pk not in kept_ids]
    recorded = set(
        LedgerEntry.objects.filter(
            evidence_type=ContentType.objects.get_for_model(Milestone),
            evidence_id__in=[m.pk for m in dropped],
        ).values_list("evidence_id", flat=True)
    )
    refused = [
        _("Milestone “%(name)s” is done and stays in the schedule.") % {"name": m.name}
        if m.done_on
        else _("Milestone “%(name)s” is recorded as missed and stays in the schedule.")
        % {"name": m.name}
        for m in dropped
        if m.done_on or m.pk in recorded
    ]
    if refused:
        raise ValidationError({"steps": refused})
    plain = [
        Step(s.name.strip(), s.duration, s.owner_department or locked.department, s.owner)
        for _pk, s in steps
    ]
    _check_step_owners(plain, project.district_id)
    planned = plan_backwards(plain, locked.target_on, locked.start_on)
    for ms in dropped:
        ms._history_user = user
        ms.delete()
    ordered = [current[pk] for pk, _s in steps if pk is not None]
    news = [i for i, (pk, _s) in enumerate(steps) if pk is None]
    # Existing milestones keep their rows (and history) in their new order; new steps are
    # new rows.
    existing_plans = [p for i, p in enumerate(planned) if i not in news]
    _write_milestones(user, locked, existing_plans, ordered)
    for i in news:
        _write_milestones(user, locked, [planned[i]], [])
    locked.completed_on = _completed_on(locked)
    after = snapshot(locked)
    if locked.filed_version and after != before:
        locked.changed_since_filing = True
    locked.version += 1
    locked._history_user = user
    locked.save()
    log_event(
        user,
        "commitment.replanned",
        locked,
        summary=f"{locked.title} → {locked.target_on.isoformat()}",
        target_on=locked.target_on,
        milestones=len(planned),
    )
    return locked


@transaction.atomic
def reschedule_milestone(
    user,
    milestone: Milestone,
    *,
    due_on: datetime.date | None,
    reason: str,
    expected_version: int | None = None,
) -> Milestone:
    """Move one milestone's due date by hand (a joint meeting's decision, a prerequisite
    late); never past the commitment's target date."""
    _require(permissions.can_manage_commitment(user, milestone.commitment))
    # The commitment first, then the milestone: the order every writer of a plan takes.
    commitment = _lock(Commitment, milestone.commitment, None, _("commitment"))
    ms = _lock(Milestone, milestone, expected_version, _("milestone"))
    errors: dict[str, list[str]] = {}
    if ms.done_on:
        errors["__all__"] = [
            _("Milestone “%(name)s” was done on %(date)s; its due date stays.")
            % {"name": ms.name, "date": ms.done_on.isoformat()}
        ]
    if due_on is None:
        errors.setdefault("due_on", []).append(_("Give the new due date."))
    elif due_on > commitment.target_on:
        errors.setdefault("due_on", []).append(
            _(
                "The due date %(due)s of “%(name)s” is after the commitment's target date "
                "%(target)s: choose %(target)s or earlier, or change the target date of the "
                "commitment first."
            )
            % {
                "due": due_on.isoformat(),
                "name": ms.name,
                "target": commitment.target_on.isoformat(),
            }
        )
    elif due_on < ms.planned_start_on:
        errors.setdefault("due_on", []).append(
            _("The due date %(due)s is before the milestone's planned start %(start)s.")
            % {"due": due_on.isoformat(), "start": ms.planned_start_on.isoformat()}
        )
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason for moving the milestone."))
    _raise(errors)
    old = ms.due_on
    ms.due_on = due_on
    ms.due_is_provisional = Day.objects.filter(
        date__range=(due_on, commitment.target_on), is_provisional=True
    ).exists()
    ms.version += 1
    ms._history_user = user
    ms.save()
    if commitment.filed_version and old != due_on and not commitment.changed_since_filing:
        commitment.changed_since_filing = True
        commitment._history_user = user
        commitment.save(update_fields=["changed_since_filing", "updated_at"])
    log_event(
        user,
        "milestone.rescheduled",
        commitment,
        summary=f"{ms.name}: {old.isoformat()} → {due_on.isoformat()} · {reason.strip()}",
        milestone=ms.pk,
        old=old,
        new=due_on,
    )
    return ms


@transaction.atomic
def report_progress(
    user,
    milestone: Milestone,
    *,
    progress: int | None,
    done_on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Milestone:
    """Report a milestone's progress, or that it is done (progress 100 and the day). A
    milestone done after its due date writes its ledger entry at once; the last milestone
    done completes the commitment."""
    _require(permissions.can_report_progress(user, milestone, milestone.commitment))
    commitment = _lock(Commitment, milestone.commitment, None, _("commitment"))
    ms = _lock(Milestone, milestone, expected_version, _("milestone"))
    errors: dict[str, list[str]] = {}
    if done_on is not None:
        progress = 100
        if done_on > _today():
            errors.setdefault("done_on", []).append(_("The date cannot be in the future."))
        elif done_on <= commitment.start_on:
            errors.setdefault("done_on", []).append(
                _("The date must be after the day the schedule counts from (%(date)s).")
                % {"date": commitment.start_on.isoformat()}
            )
    if progress is None:
        errors.setdefault("progress", []).append(_("Give the progress in per cent."))
    elif not 0 <= progress <= 100:
        errors.setdefault("progress", []).append(_("The progress is between 0 and 100 per cent."))
    elif progress == 100 and done_on is None:
        errors.setdefault("done_on", []).append(
            _("At 100 per cent the milestone is done: give the day it was done.")
        )
    _raise(errors)
    was_done = ms.done_on
    ms.progress, ms.done_on, ms.note = progress, done_on, (note or "").strip()[:200]
    ms.version += 1
    ms._history_user = user
    ms.save()
    completed = _completed_on(commitment)
    if completed != commitment.completed_on:
        commitment.completed_on = completed
        commitment._history_user = user
        commitment.save(update_fields=["completed_on", "updated_at"])
        if completed:
            log_event(
                user, "commitment.completed", commitment, summary=commitment.title, on=completed
            )
    verb = "milestone.done" if done_on and not was_done else "milestone.progress"
    log_event(
        user,
        verb,
        commitment,
        summary=f"{ms.name}: {progress}%" + (f" · {ms.note}" if ms.note else ""),
        milestone=ms.pk,
        progress=progress,
        done_on=done_on,
    )
    if done_on and done_on > ms.due_on:
        ms.commitment = commitment
        record_missed_milestone(ms)
    return ms


@transaction.atomic
def delete_commitment(user, commitment: Commitment) -> None:
    """Delete a commitment made in error; one filed to the archive stays."""
    _require(permissions.can_manage_commitment(user, commitment))
    if commitment.archive_versions.exists():
        raise ValidationError(
            _(
                "“%(title)s” is filed in the park committee's archive and stays; change it and "
                "file a new version instead."
            )
            % {"title": commitment.title}
        )
    log_event(user, "commitment.deleted", commitment, summary=commitment.title)
    for ms in commitment.milestones.all():
        ms._history_user = user
        ms.delete()
    commitment._history_user = user
    commitment.delete()


# ---------------------------------------------------------------------------------------
# The park committee's archive (存档)

SNAPSHOT_SCHEMA = 1


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


def _named(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, "name", None) or str(obj)}


def snapshot(commitment: Commitment) -> dict:
    """The plan as filed: the commitment and its reverse schedule, with the names shown
    (departments, people) beside their ids, and dates as ISO text."""
    project = commitment.project
    milestones = commitment.milestones.select_related("owner_department", "owner").order_by(
        "seq", "id"
    )
    return {
        "schema": SNAPSHOT_SCHEMA,
        "commitment": {
            "id": commitment.pk,
            "title": commitment.title,
            "content": commitment.content,
            "clause": commitment.clause,
            "department": _named(commitment.department),
            "owner": _person(commitment.owner),
            "obligation": (
                {"id": commitment.obligation_id, "name": commitment.obligation.description}
                if commitment.obligation_id
                else None
            ),
            "start_on": commitment.start_on.isoformat(),
            "target_on": commitment.target_on.isoformat(),
        },
        "project": {
            "id": project.pk,
            "code": project.code,
            "name": project.name,
            "park": str(project.park),
        },
        "milestones": [
            {
                "seq": m.seq,
                "name": m.name,
                "duration_workdays": m.duration_workdays,
                "planned_start_on": m.planned_start_on.isoformat(),
                "due_on": m.due_on.isoformat(),
                "due_is_provisional": m.due_is_provisional,
                "owner_department": _named(m.owner_department),
                "owner": _person(m.owner),
            }
            for m in milestones
        ],
    }


def _committee_users(park, committee):
    return User.objects.filter(
        Q(department=committee) | Q(park=park),
        district_id=park.district_id,
        groups__name=roles.Role.PARK,
        is_active=True,
    ).distinct()


@transaction.atomic
def file_commitment(
    user, commitment: Commitment, *, note: str = "", expected_version: int | None = None
) -> ArchiveVersion:
    """File the commitment and its reverse schedule to the park committee's archive
    (报园区管委会存档): a new, read-only version with the filer and the moment. Refused when
    the plan did not change since the last version filed."""
    _require(permissions.can_manage_commitment(user, commitment))
    locked = _lock(Commitment, commitment, expected_version, _("commitment"))
    project = locked.project
    park = project.park
    if park.committee_id is None:
        raise ValidationError(
            _(
                "The park “%(park)s” has no management committee to file to: an "
                "administrator sets the committee of the park first."
            )
            % {"park": park.name}
        )
    if not locked.milestones.exists():
        raise ValidationError(_("The commitment has no schedule to file."))
    if locked.filed_version and not locked.changed_since_filing:
        raise ValidationError(
            _("Version %(n)s is filed and nothing has changed since: there is nothing new to file.")
            % {"n": locked.filed_version}
        )
    number = (
        ArchiveVersion.objects.filter(commitment=locked).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = ArchiveVersion.objects.create(
        district_id=locked.district_id,
        commitment=locked,
        number=number,
        park=park,
        committee_id=park.committee_id,
        filed_by=user,
        filed_at=clock.now(),
        note=(note or "").strip()[:200],
        content=snapshot(locked),
    )
    locked.filed_version = number
    locked.changed_since_filing = False
    locked.version += 1
    locked._history_user = user
    locked.save()
    log_event(
        user,
        "commitment.filed",
        locked,
        summary=_("Version %(n)s filed to %(committee)s")
        % {"n": number, "committee": park.committee},
        version=number,
        archive=version.pk,
    )
    notify(
        [u for u in _committee_users(park, park.committee) if u.pk != user.pk],
        "commitment.filed",
        _("%(department)s filed “%(title)s” (%(project)s), version %(n)s.")
        % {
            "department": locked.department,
            "title": locked.title,
            "project": project.name,
            "n": number,
        },
        url=version.get_absolute_url(),
    )
    return version


def compare_versions(old: dict, new: dict) -> dict:
    """The differences between two filed versions' contents: the commitment's fields
    (label, old, new, changed) and the milestones matched by their order (added, removed
    or changed, with the fields that changed)."""
    labels = {
        "title": _("Commitment"),
        "content": _("What is promised"),
        "clause": _("Agreement clause"),
        "department": _("Committing department"),
        "owner": _("Person responsible"),
        "obligation": _("Agreement obligation fulfilled"),
        "start_on": _("Planning from"),
        "target_on": _("Target date"),
    }

    def text(value) -> str:
        if isinstance(value, dict):
            return value.get("name", "")
        if value is None:
            return ""
        return str(value)

    a, b = old.get("commitment", {}), new.get("commitment", {})
    fields = [
        {
            "key": key,
            "label": label,
            "old": text(a.get(key)),
            "new": text(b.get(key)),
            "changed": text(a.get(key)) != text(b.get(key)),
        }
        for key, label in labels.items()
    ]
    milestone_labels = {
        "name": _("Milestone"),
        "duration_workdays": _("Working days"),
        "planned_start_on": _("Planned start"),
        "due_on": _("Due on"),
        "owner_department": _("Owner department"),
        "owner": _("Owner"),
    }
    by_seq_a = {m["seq"]: m for m in old.get("milestones", [])}
    by_seq_b = {m["seq"]: m for m in new.get("milestones", [])}
    rows = []
    for seq in sorted(set(by_seq_a) | set(by_seq_b)):
        ma, mb = by_seq_a.get(seq), by_seq_b.get(seq)
        cells = []
        for key, label in milestone_labels.items():
            va, vb = text(ma.get(key)) if ma else "", text(mb.get(key)) if mb else ""
            cells.append({"key": key, "label": label, "old": va, "new": vb, "changed": va != vb})
        state = (
            "added"
            if ma is None
            else "removed"
            if mb is None
            else ("changed" if any(c["changed"] for c in cells) else "same")
        )
        rows.append({"seq": seq, "state": state, "cells": cells})
    return {
        "fields": fields,
        "milestones": rows,
        "milestone_labels": list(milestone_labels.values()),
        "changed": any(f["changed"] for f in fields) or any(r["state"] != "same" for r in rows),
    }


# ---------------------------------------------------------------------------------------
# The calendar's hook


def recompute_provisional_schedules(years: Iterable[int]) -> int:
    """Hook for workdays.load_year (settings.WORKDAY_RECOMPUTE_HOOKS): the schedules with a
    provisional due date are planned again from their target dates on the calendar now in
    force; a milestone done keeps its done date. Returns the commitments replanned."""
    changed = 0
    ids = (
        Milestone.objects.filter(due_is_provisional=True)
        .values_list("commitment_id", flat=True)
        .distinct()
    )
    for commitment in Commitment.objects.filter(pk__in=list(ids)).select_related("department"):
        milestones = list(commitment.milestones.select_related("owner_department", "owner"))
        steps = [Step(m.name, m.duration_workdays, m.owner_department, m.owner) for m in milestones]
        try:
            planned = plan_backwards(steps, commitment.target_on, commitment.start_on)
        except ValidationError:
            # The published year took working days away and the steps no longer fit: keep
            # the dates, now firm, and let the department replan.
            planned = None
        before = snapshot(commitment)
        for position, ms in enumerate(milestones):
            if planned is not None:
                plan = planned[position]
                ms.planned_start_on, ms.due_on = plan.planned_start_on, plan.due_on
                ms.due_is_provisional = plan.provisional
            else:
                ms.due_is_provisional = Day.objects.filter(
                    date__range=(ms.due_on, commitment.target_on), is_provisional=True
                ).exists()
            ms.save(
                update_fields=["planned_start_on", "due_on", "due_is_provisional", "updated_at"]
            )
        if snapshot(commitment) != before:
            if commitment.filed_version:
                commitment.changed_since_filing = True
                commitment.save(update_fields=["changed_since_filing", "updated_at"])
            changed += 1
    return changed
