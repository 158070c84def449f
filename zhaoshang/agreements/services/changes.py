"""Changes of a filed commitment (变更申请): a commitment filed with the park committee keeps
its milestones' dates until a change request is approved. The committing department asks
(which milestones, from which date to which, the target date if it moves, and why); the
park committee of the project's park or the supervision office (督查室) approves — the
change is applied and filed as a new archive version — or refuses with the reason. A
milestone already missed is never moved: its miss stands in the ledger."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.agreements import permissions
from zhaoshang.agreements.choices import ChangeStatus
from zhaoshang.agreements.models import ChangeRequest, Commitment, Milestone, MilestoneMove
from zhaoshang.agreements.services.archive import (
    SNAPSHOT_RELATED,
    file_version,
    schedule_of,
)
from zhaoshang.agreements.services.commitments import (
    is_missed,
    missed_message,
    provisional_between,
)
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import (
    lock_for_update,
    raise_errors,
    require,
    require_status,
    status_error,
)
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import User
from zhaoshang.workdays import services as workdays


def approvers(commitment: Commitment) -> list:
    """Who decides a change of ``commitment``: the park committee's users of the project's
    park and the district's supervision office, none of the committing department."""
    park = commitment.project.park
    committee = Q(park=park)
    if park.committee_id:
        committee |= Q(department_id=park.committee_id)
    people = User.objects.filter(
        Q(groups__name=roles.Role.SUPERVISOR) | (Q(groups__name=roles.Role.PARK) & committee),
        district_id=commitment.district_id,
        is_active=True,
    ).exclude(department_id=commitment.department_id)
    return list(people.distinct())


def _check_moves(
    commitment: Commitment,
    schedule: Sequence[Milestone],
    moves: dict[int, datetime.date | None],
    target_on: datetime.date,
    today: datetime.date,
) -> dict[str, list[str]]:
    """What is wrong with moving ``moves`` (milestone id → new due date) on ``schedule``
    with the target date ``target_on``, every error at once by field."""
    errors: dict[str, list[str]] = {}
    by_pk = {m.pk: m for m in schedule}
    for pk, due in moves.items():
        ms = by_pk.get(pk)
        if ms is None:
            errors.setdefault("moves", []).append(_("A milestone of another schedule was given."))
            continue
        if ms.done_on and not is_missed(ms, today):
            errors.setdefault("moves", []).append(
                _("Milestone “%(name)s” was done on %(date)s; its due date stays.")
                % {"name": ms.name, "date": ms.done_on.isoformat()}
            )
        elif is_missed(ms, today):
            errors.setdefault("moves", []).append(missed_message(ms))
        if due is None:
            errors.setdefault("moves", []).append(
                _("Give the new due date of “%(name)s”.") % {"name": ms.name}
            )
        elif due == ms.due_on:
            errors.setdefault("moves", []).append(
                _("“%(name)s” is already due on %(date)s: give another date or leave it out.")
                % {"name": ms.name, "date": due.isoformat()}
            )
        elif due <= today:
            errors.setdefault("moves", []).append(
                _("The new due date of “%(name)s” must be after today (%(today)s).")
                % {"name": ms.name, "today": today.isoformat()}
            )
        elif due > target_on:
            errors.setdefault("moves", []).append(
                _(
                    "The new due date %(due)s of “%(name)s” is after the target date "
                    "%(target)s: move the target date too."
                )
                % {"due": due.isoformat(), "name": ms.name, "target": target_on.isoformat()}
            )
    if errors:
        return errors
    # The milestones stay in their order.
    dues = [(m, moves.get(m.pk, m.due_on)) for m in schedule]
    for (a, due_a), (b, due_b) in zip(dues, dues[1:], strict=False):
        if due_b < due_a:
            errors.setdefault("moves", []).append(
                _(
                    "“%(later)s” (%(b)s) would fall due before “%(earlier)s” (%(a)s), which "
                    "comes before it in the schedule."
                )
                % {
                    "later": b.name,
                    "b": due_b.isoformat(),
                    "earlier": a.name,
                    "a": due_a.isoformat(),
                }
            )
    return errors


@transaction.atomic
def request_change(
    user,
    commitment: Commitment,
    *,
    moves: Sequence[tuple[Milestone, datetime.date | None]],
    reason: str,
    target_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Ask to move milestones of a filed commitment (and its target date): refused for a
    plan not filed (its department moves it itself), a milestone done or missed, a date
    out of order; one open request per commitment. Notifies the approvers."""
    require(permissions.can_request_change(user, commitment))
    locked = lock_for_update(commitment, expected_version, select_related=SNAPSHOT_RELATED)
    if not locked.filed_version:
        raise status_error(
            _(
                "“%(title)s” is not filed with the park committee yet: plan it again or move "
                "its milestones directly."
            )
            % {"title": locked.title}
        )
    if ChangeRequest.objects.filter(commitment=locked, status=ChangeStatus.PENDING).exists():
        raise status_error(
            _("A change request of “%(title)s” awaits its decision: it is decided first.")
            % {"title": locked.title}
        )
    today = clock.today()
    schedule = schedule_of(locked)
    wanted = {m.pk: due for m, due in moves}
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the change.")]
    if target_on is not None and target_on == locked.target_on:
        target_on = None
    if target_on is not None and target_on <= today:
        errors["target_on"] = [
            _("The new target date must be after today (%(today)s).") % {"today": today.isoformat()}
        ]
    if not wanted and target_on is None:
        errors.setdefault("moves", []).append(
            _("Give at least one milestone's new due date, or a new target date.")
        )
    if "target_on" not in errors:
        target = target_on or locked.target_on
        for field, messages in _check_moves(locked, schedule, wanted, target, today).items():
            errors.setdefault(field, []).extend(messages)
        last = max((wanted.get(m.pk, m.due_on) for m in schedule), default=None)
        if target_on is not None and last is not None and last > target_on:
            errors.setdefault("target_on", []).append(
                _("The new target date %(target)s is before the last milestone's due date %(due)s.")
                % {"target": target_on.isoformat(), "due": last.isoformat()}
            )
    raise_errors(errors)
    change = ChangeRequest(
        district_id=locked.district_id,
        commitment=locked,
        reason=reason.strip(),
        old_target_on=locked.target_on,
        new_target_on=target_on,
        filed_version=locked.filed_version,
        requested_by=user,
        requested_at=clock.now(),
    )
    change._history_user = user
    change.save()
    by_pk = {m.pk: m for m in schedule}
    ordered = sorted(wanted.items(), key=lambda item: by_pk[item[0]].seq)
    MilestoneMove.objects.bulk_create(
        MilestoneMove(
            request=change, milestone=by_pk[pk], old_due_on=by_pk[pk].due_on, new_due_on=due
        )
        for pk, due in ordered
    )
    parts = [
        f"{by_pk[pk].name}: {by_pk[pk].due_on.isoformat()} → {due.isoformat()}"
        for pk, due in ordered
    ]
    if target_on is not None:
        parts.append(
            f"{_('Target date')}: {locked.target_on.isoformat()} → {target_on.isoformat()}"
        )
    summary = "; ".join(parts)
    log_event(
        user,
        "commitment.change_requested",
        locked,
        summary=f"{summary} · {change.reason}",
        request=change.pk,
    )
    notify(
        [u for u in approvers(locked) if u.pk != user.pk],
        "commitment.change_requested",
        _("%(department)s asks to change the filed schedule of “%(title)s” (%(project)s).")
        % {
            "department": locked.department,
            "title": locked.title,
            "project": locked.project.name,
        },
        body=change.reason,
        url=change.get_absolute_url(),
    )
    return change


def _lock_request(change: ChangeRequest, expected_version):
    """The request's commitment locked (as every writer of a plan takes it), then the
    request; refused (409) when the request changed since ``expected_version``."""
    commitment = lock_for_update(change.commitment, select_related=SNAPSHOT_RELATED)
    locked = lock_for_update(change, expected_version)
    locked.commitment = commitment
    return locked, commitment


def _decided_message(change: ChangeRequest) -> str:
    return _("This change request is already decided (“%(status)s”).") % {
        "status": change.get_status_display()
    }


@transaction.atomic
def approve_change(
    user, change: ChangeRequest, *, note: str = "", expected_version: int | None = None
):
    """Approve a change request: the milestones move (each planned start kept within its
    new due date), the target date with them, and the plan is filed as a new archive
    version. Refused when a milestone was done or missed meanwhile, or the plan changed
    since the request (ask again then). Notifies the requester. Returns the version."""
    require(permissions.can_decide_change(user, change.commitment))
    change, commitment = _lock_request(change, expected_version)
    require_status(change, ChangeStatus.PENDING, message=_decided_message(change))
    today = clock.today()
    schedule = list(
        Milestone.objects.select_for_update(of=("self",))
        .filter(commitment=commitment)
        .select_related("owner_department", "owner")
        .order_by("seq", "id")
    )
    moves = list(change.moves.all())
    by_pk = {m.pk: m for m in schedule}
    if commitment.target_on != change.old_target_on or any(
        move.milestone_id not in by_pk or by_pk[move.milestone_id].due_on != move.old_due_on
        for move in moves
    ):
        raise status_error(_("The schedule changed since the request: refuse it and ask again."))
    target = change.new_target_on or commitment.target_on
    raise_errors(
        _check_moves(
            commitment, schedule, {m.milestone_id: m.new_due_on for m in moves}, target, today
        )
    )
    workdays.ensure_range(target)
    for move in moves:
        ms = by_pk[move.milestone_id]
        ms.due_on = move.new_due_on
        ms.planned_start_on = min(ms.planned_start_on, ms.due_on)
        ms.due_is_provisional = provisional_between(ms.due_on, target)
        ms._history_user = user
        ms.save_new_version()
    if change.new_target_on is not None:
        commitment.target_on = change.new_target_on
    commitment.changed_since_filing = True
    filing_note = _("Change request of %(date)s approved") % {
        "date": timezone.localdate(change.requested_at).isoformat()
    }
    version = file_version(user, commitment, filing_note)
    _decide(user, change, ChangeStatus.APPROVED, note, version)
    log_event(
        user,
        "commitment.change_approved",
        commitment,
        summary=_("Change approved, filed as version %(n)s") % {"n": version.number}
        + (f" · {change.decision_note}" if change.decision_note else ""),
        request=change.pk,
        version=version.number,
    )
    notify(
        [change.requested_by] if change.requested_by_id != user.pk else [],
        "commitment.change_approved",
        _("The change of “%(title)s” is approved and filed as version %(n)s.")
        % {"title": commitment.title, "n": version.number},
        body=change.decision_note,
        url=change.get_absolute_url(),
    )
    return version


def _decide(user, change: ChangeRequest, status: str, note: str, version=None) -> None:
    change.status = status
    change.decided_by, change.decided_at = user, clock.now()
    change.decision_note = (note or "").strip()
    change.archive_version = version
    change._history_user = user
    change.save_new_version()


@transaction.atomic
def refuse_change(
    user, change: ChangeRequest, *, note: str, expected_version: int | None = None
) -> ChangeRequest:
    """Refuse a change request with the reason: the filed plan stays as it is. Notifies
    the requester."""
    require(permissions.can_decide_change(user, change.commitment))
    change, commitment = _lock_request(change, expected_version)
    require_status(change, ChangeStatus.PENDING, message=_decided_message(change))
    if not (note or "").strip():
        raise ValidationError({"note": _("Give the reason for refusing the change.")})
    _decide(user, change, ChangeStatus.REFUSED, note)
    log_event(
        user,
        "commitment.change_refused",
        commitment,
        summary=_("Change refused") + f" · {change.decision_note}",
        request=change.pk,
    )
    notify(
        [change.requested_by] if change.requested_by_id != user.pk else [],
        "commitment.change_refused",
        _("The change of “%(title)s” is refused: %(reason)s")
        % {"title": commitment.title, "reason": change.decision_note},
        url=change.get_absolute_url(),
    )
    return change
