"""Obligations beyond the standard terms (a department's, or further duties of the
enterprise), and what happens to any obligation: confirmed with evidence, or waived."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.agreements import permissions
from zhaoshang.agreements.choices import (
    AMOUNT_KINDS,
    DEPARTMENT_KINDS,
    FACT_KINDS,
    TARGET_STAGES,
    TEXT_KINDS,
    ObligationKind,
    Party,
    Term,
)
from zhaoshang.agreements.models import (
    Agreement,
    Obligation,
)
from zhaoshang.agreements.services.agreements import why_not_removable
from zhaoshang.agreements.services.common import file_digest
from zhaoshang.agreements.services.ledger import record_breach
from zhaoshang.core import clock
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.services import lock_for_update, raise_errors, require, status_error
from zhaoshang.core.validators import validate_upload
from zhaoshang.workdays import services as workdays

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


def _check_party(ob: Obligation, agreement: Agreement, add) -> None:
    """Who owes it: a department of the agreement's district owes a service or a stage;
    the enterprise owes anything but a service."""
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


def _check_amount(ob: Obligation, add) -> None:
    """A target measured by a figure: given, above zero, whole for jobs."""
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


def _check_text(ob: Obligation, add) -> None:
    """A target described in words (a service, an energy duty with its limit)."""
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


def _check_target(ob: Obligation, add) -> None:
    """What is owed is measurable: a figure, a stage or a described deliverable, by its
    kind; the targets of the other kinds are cleared."""
    if ob.kind not in ObligationKind.values:
        add("kind", _("Choose how the obligation is measured."))
    elif ob.kind in AMOUNT_KINDS:
        _check_amount(ob, add)
    elif ob.kind == ObligationKind.STAGE and ob.target_stage not in TARGET_STAGES:
        add(
            "target_stage",
            _("“%(title)s” has no measurable target: choose the stage the project must reach.")
            % {"title": ob.title or "—"},
        )
    if ob.kind in TEXT_KINDS:
        _check_text(ob, add)
    if ob.kind not in AMOUNT_KINDS:
        ob.target_amount = None
    if ob.kind != ObligationKind.STAGE:
        ob.target_stage = ""
    if ob.kind not in TEXT_KINDS:
        ob.target_text = ""


def check_obligation(ob: Obligation, agreement: Agreement) -> None:
    """An obligation names its party and has a measurable target and a due date after the
    signing; the messages name the field and what to give."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    _check_party(ob, agreement, add)
    if not (ob.title or "").strip():
        add("title", _("Say what is owed."))
    _check_target(ob, add)
    if ob.due_on is None:
        add("due_on", _("Give the due date."))
    elif agreement.signed_on and ob.due_on <= agreement.signed_on:
        add(
            "due_on",
            _("The due date must be after the signing date %(date)s.")
            % {"date": agreement.signed_on.isoformat()},
        )
    raise_errors(errors)


@transaction.atomic
def add_obligation(user, agreement: Agreement, **fields) -> Obligation:
    """Add an obligation beyond the standard terms: a department's service or stage, or a
    further duty of the enterprise."""
    return add_obligations(user, agreement, [fields])[0]


@transaction.atomic
def add_obligations(user, agreement: Agreement, rows: Sequence[Mapping]) -> list[Obligation]:
    """Add several obligations beyond the standard terms at once (the departments' duties
    recorded with the agreement), each checked as ``add_obligation`` checks one: one insert
    for the rows, one for their history and one for their events. All or nothing."""
    require(permissions.can_edit_agreement(user, agreement.project))
    added = []
    for fields in rows:
        unknown = set(fields) - set(OBLIGATION_FIELDS)
        if unknown:
            raise TypeError(f"not a field of an obligation: {', '.join(sorted(unknown))}")
        ob = Obligation(district_id=agreement.district_id, agreement=agreement, term=Term.NONE)
        for name, value in fields.items():
            setattr(ob, name, value.strip() if isinstance(value, str) else value)
        check_obligation(ob, agreement)
        added.append(ob)
    if not added:
        return added
    bulk_create_with_history(added, Obligation, default_user=user, default_date=clock.now())
    workdays.ensure_range(max(ob.due_on for ob in added))
    log_events(
        build_event(user, "obligation.added", ob, ob.description, party=ob.party, kind=ob.kind)
        for ob in added
    )
    return added


@transaction.atomic
def update_obligation(
    user, obligation: Obligation, expected_version: int | None = None, **fields
) -> Obligation:
    """Change a further obligation (the standard terms change with the agreement)."""
    agreement = obligation.agreement
    require(permissions.can_edit_agreement(user, agreement.project))
    ob = lock_for_update(obligation, expected_version)
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
    ob._history_user = user
    ob.save_new_version()
    workdays.ensure_range(ob.due_on)
    log_event(user, "obligation.updated", ob, summary=ob.description)
    return ob


@transaction.atomic
def delete_obligation(user, obligation: Obligation) -> None:
    """Remove a further obligation entered in error; refused once a breach is recorded or
    a commitment fulfils it (waive it instead)."""
    require(permissions.can_edit_agreement(user, obligation.agreement.project))
    if obligation.term:
        raise ValidationError(
            _("“%(title)s” is a term of the agreement: change it on the agreement.")
            % {"title": obligation.description}
        )
    reason = why_not_removable(obligation)
    if reason:
        raise ValidationError(reason)
    log_event(user, "obligation.removed", obligation, summary=obligation.description)
    obligation._history_user = user
    obligation.delete()


def obligation_status(obligation: Obligation, today: datetime.date | None = None) -> str:
    """The derived status of one obligation (as ``with_status`` computes it)."""
    today = today or clock.today()
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
    require(permissions.can_confirm(user, obligation, project))
    ob = lock_for_update(obligation, expected_version, select_related=("agreement__project",))
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
        raise status_error(_("“%(title)s” is waived.") % {"title": ob.description})
    if met_on is None:
        errors.setdefault("met_on", []).append(_("Give the day it was met."))
    elif met_on > clock.today():
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
    raise_errors(errors)
    ob.confirmed_on = met_on
    ob.confirmation_note = (note or "").strip()
    ob.evidence_name = evidence.name[:200]
    ob.evidence_sha256 = file_digest(evidence)
    ob.evidence.save(evidence.name, evidence, save=False)
    ob.confirmed_by = user
    ob.confirmed_at = clock.now()
    ob._history_user = user
    ob.save_new_version()
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
def record_imported_met(
    user, obligation: Obligation, *, met_on: datetime.date, source: str = ""
) -> Obligation:
    """补录: record that an obligation was met on ``met_on``, before the platform kept it, as
    the district's ledger says (``source``: the file and row). Checked as a confirmation
    is, but without its evidence file: the note says it was imported and the scan is still
    to be uploaded (a confirmation on the obligation's page replaces it). Met late, the
    breach is recorded with its due date as ``confirm_obligation`` records it."""
    require(permissions.can_edit_agreement(user, obligation.agreement.project))
    ob = lock_for_update(obligation, None, select_related=("agreement__project",))
    if ob.kind in FACT_KINDS:
        raise ValidationError(
            {
                "met_on": _(
                    "Whether “%(title)s” is met follows from the project's records; it is "
                    "not confirmed by hand."
                )
                % {"title": ob.description}
            }
        )
    if ob.waived_on:
        raise status_error(_("“%(title)s” is waived.") % {"title": ob.description})
    errors: dict[str, list[str]] = {}
    if met_on > clock.today():
        errors["met_on"] = [_("The date cannot be in the future.")]
    elif met_on < ob.agreement.signed_on:
        errors["met_on"] = [
            _("The date cannot be before the signing date %(date)s.")
            % {"date": ob.agreement.signed_on.isoformat()}
        ]
    raise_errors(errors)
    ob.confirmed_on = met_on
    ob.confirmation_note = _(
        "Imported (补录) from %(source)s; the evidence is still to be uploaded."
    ) % {"source": source or "—"}
    ob.confirmed_by = user
    ob.confirmed_at = clock.now()
    ob._history_user = user
    ob.save_new_version()
    log_event(
        user,
        "obligation.confirmed",
        ob,
        summary=f"{ob.description} · {met_on.isoformat()}",
        met_on=met_on,
        imported=True,
        source=source,
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
    require(permissions.can_edit_agreement(user, obligation.agreement.project))
    ob = lock_for_update(obligation, expected_version)
    waived_on = waived_on or clock.today()
    errors = {}
    if ob.waived_on:
        errors["status"] = [
            _("“%(title)s” was waived on %(date)s.")
            % {"title": ob.description, "date": ob.waived_on.isoformat()}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the waiver (e.g. the supplementary agreement).")]
    if waived_on > clock.today():
        errors["waived_on"] = [_("The date cannot be in the future.")]
    raise_errors(errors)
    ob.waived_on = waived_on
    ob.waiver_reason = reason.strip()
    ob.waived_by = user
    ob._history_user = user
    ob.save_new_version()
    log_event(user, "obligation.waived", ob, summary=ob.waiver_reason, waived_on=waived_on)
    return ob
