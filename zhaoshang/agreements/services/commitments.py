"""Service commitments and their reverse schedules (倒排工期): made, planned again, a
milestone moved or its progress reported, deleted; and the calendar's hook that plans
provisional schedules again when a year's working days are published."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.agreements import permissions
from zhaoshang.agreements.choices import (
    Party,
)
from zhaoshang.agreements.models import (
    Commitment,
    Milestone,
    ScheduleTemplate,
)
from zhaoshang.agreements.schedule import Planned, Step, check_steps, plan_backwards
from zhaoshang.agreements.services.archive import SNAPSHOT_RELATED, schedule_of, snapshot
from zhaoshang.agreements.services.ledger import record_missed_milestone
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core import clock
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.services import (
    gather,
    hand_over,
    lock_for_update,
    raise_errors,
    require,
    status_error,
)
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import Department
from zhaoshang.workdays.models import Day

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


def _lock_schedule(commitment: Commitment, milestone: Milestone, expected_version):
    """The milestone, locked with the other milestones of its (locked) commitment in one
    query — the commitment first, then its milestones, the order every writer of a plan
    takes; refused (409) when changed since ``expected_version``. Returns (milestone,
    the schedule)."""
    schedule = list(Milestone.objects.select_for_update(of=("self",)).filter(commitment=commitment))
    ms = next((m for m in schedule if m.pk == milestone.pk), None)
    if ms is None:
        raise Milestone.DoesNotExist
    if expected_version is not None and ms.version != expected_version:
        raise ConcurrentEditError()
    return ms, schedule


def provisional_between(due_on: datetime.date, target_on: datetime.date) -> bool:
    """Whether a provisional day (a year whose calendar is not published) lies between a
    milestone's due date and the target date: its due date is provisional then."""
    return Day.objects.filter(date__range=(due_on, target_on), is_provisional=True).exists()


def is_missed(milestone: Milestone, today: datetime.date) -> bool:
    """A milestone missed: done after its due date, or still open after it. Its due date
    stays as it was — the miss is a fact of the ledger — even by a change request."""
    if milestone.done_on is not None:
        return milestone.done_on > milestone.due_on
    return milestone.due_on < today


def missed_message(milestone: Milestone) -> str:
    return _(
        "Milestone “%(name)s” was due on %(date)s and is missed: its due date stays, even by "
        "a change request (report it done when it is)."
    ) % {"name": milestone.name, "date": milestone.due_on.isoformat()}


def filed_message(commitment: Commitment) -> str:
    return _(
        "“%(title)s” is filed with the park committee (version %(n)s): its milestones move "
        "only by a change request approved by the park committee or the supervision office."
    ) % {"title": commitment.title, "n": commitment.filed_version}


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
    require(permissions.can_create_commitment(user, project))
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
        commitment.start_on = clock.today()
    errors = _check_commitment(commitment, project)  # with the steps' problems, at once
    steps = [
        Step((s.name or "").strip(), s.duration, s.owner_department or department, s.owner)
        for s in steps
    ]
    gather(errors, check_steps, steps)
    gather(errors, _check_step_owners, steps, project.district_id)
    raise_errors(errors)
    planned = plan_backwards(steps, commitment.target_on, commitment.start_on)
    commitment._history_user = user
    commitment.save()
    _hand_schedule(commitment, _write_milestones(user, commitment, planned, []))
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


def _write_milestones(user, commitment, planned: Sequence[Planned], existing) -> list[Milestone]:
    """Save the planned milestones over ``existing`` (by position); new ones are added
    (with their history rows, in one insert each). Returns the milestones written."""
    existing = list(existing)
    added, written = [], []
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
            ms._history_user = user
            ms.save_new_version()
        else:
            ms = Milestone(commitment=commitment, **values)
            ms._history_user = user
            added.append(ms)
        written.append(ms)
    if added:
        bulk_create_with_history(added, Milestone, default_user=user, default_date=clock.now())
    return written


def _hand_schedule(commitment: Commitment, milestones: list[Milestone]) -> None:
    """The milestones just written become the commitment's ``milestones``, in order."""
    hand_over(commitment, "milestones", milestones, lambda m: (m.seq, m.pk))


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
    require(permissions.can_manage_commitment(user, commitment))
    unknown = set(fields) - set(COMMITMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a commitment: {', '.join(sorted(unknown))}")
    locked = lock_for_update(commitment, expected_version, select_related=SNAPSHOT_RELATED)
    schedule = schedule_of(locked)
    before = snapshot(locked, schedule)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    project = locked.project
    raise_errors(_check_commitment(locked, project))
    current = {m.pk: m for m in schedule}
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
    if locked.filed_version:
        # A filed plan keeps its dates: its text, names and owners may change (and are
        # filed again), its steps, their days and its dates only by a change request.
        dates = (before["commitment"]["start_on"], before["commitment"]["target_on"])
        same = dates == (locked.start_on.isoformat(), locked.target_on.isoformat()) and [
            (pk, s.duration) for pk, s in steps
        ] == [(m.pk, m.duration_workdays) for m in schedule]
        if not same:
            raise status_error(filed_message(locked))
        planned = [
            Planned(m.seq, step, m.planned_start_on, m.due_on, m.due_is_provisional)
            for m, step in zip(schedule, plain, strict=True)
        ]
    else:
        planned = plan_backwards(plain, locked.target_on, locked.start_on)
        today = clock.today()
        missed = [
            missed_message(current[pk])
            for (pk, _s), plan in zip(steps, planned, strict=True)
            if pk is not None
            and current[pk].due_on != plan.due_on
            and is_missed(current[pk], today)
        ]
        if missed:
            raise ValidationError({"steps": missed})
    for ms in dropped:
        ms._history_user = user
        ms.delete()
    ordered = [current[pk] for pk, _s in steps if pk is not None]
    news = [i for i, (pk, _s) in enumerate(steps) if pk is None]
    # Existing milestones keep their rows (and history) in their new order; new steps are
    # new rows.
    existing_plans = [p for i, p in enumerate(planned) if i not in news]
    written = _write_milestones(user, locked, existing_plans, ordered)
    for i in news:
        written += _write_milestones(user, locked, [planned[i]], [])
    _hand_schedule(locked, written)
    done = [m.done_on for m in written]
    locked.completed_on = max(done) if done and all(done) else None
    after = snapshot(locked, locked.milestones.all())
    if locked.filed_version and after != before:
        locked.changed_since_filing = True
    locked._history_user = user
    locked.save_new_version()
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
    late); never past the commitment's target date. Only while the plan is not filed with
    the park committee (a filed plan changes by an approved change request,
    ``services.changes``) and never a milestone already missed."""
    require(permissions.can_manage_commitment(user, milestone.commitment))
    # The commitment first, then the milestone: the order every writer of a plan takes.
    commitment = lock_for_update(milestone.commitment)
    ms = lock_for_update(milestone, expected_version)
    errors: dict[str, list[str]] = {}
    if ms.done_on:
        errors["status"] = [
            _("Milestone “%(name)s” was done on %(date)s; its due date stays.")
            % {"name": ms.name, "date": ms.done_on.isoformat()}
        ]
    elif is_missed(ms, clock.today()):
        errors["status"] = [missed_message(ms)]
    if commitment.filed_version:
        errors.setdefault("status", []).append(filed_message(commitment))
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
    raise_errors(errors)
    old = ms.due_on
    ms.due_on = due_on
    ms.due_is_provisional = provisional_between(due_on, commitment.target_on)
    ms._history_user = user
    ms.save_new_version()
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
    require(permissions.can_report_progress(user, milestone, milestone.commitment))
    commitment = lock_for_update(milestone.commitment)
    ms, schedule = _lock_schedule(commitment, milestone, expected_version)
    errors: dict[str, list[str]] = {}
    if done_on is not None:
        progress = 100
        if done_on > clock.today():
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
    raise_errors(errors)
    was_done = ms.done_on
    ms.progress, ms.done_on, ms.note = progress, done_on, (note or "").strip()[:200]
    ms._history_user = user
    ms.save_new_version()
    # (a milestone not done leaves its commitment not completed)
    done = [m.done_on for m in schedule]
    completed = max(done) if done_on is not None and all(done) else None
    events = []
    if completed != commitment.completed_on:
        commitment.completed_on = completed
        commitment._history_user = user
        commitment.save(update_fields=["completed_on", "updated_at"])
        if completed:
            on = {"on": completed}
            events.append(
                build_event(user, "commitment.completed", commitment, commitment.title, **on)
            )
    verb = "milestone.done" if done_on and not was_done else "milestone.progress"
    events.append(
        build_event(
            user,
            verb,
            commitment,
            summary=f"{ms.name}: {progress}%" + (f" · {ms.note}" if ms.note else ""),
            milestone=ms.pk,
            progress=progress,
            done_on=done_on,
        )
    )
    log_events(events)
    if ms.done_late:
        ms.commitment = commitment
        record_missed_milestone(ms)
    return ms


@transaction.atomic
def delete_commitment(user, commitment: Commitment) -> None:
    """Delete a commitment made in error; one filed to the archive stays."""
    require(permissions.can_manage_commitment(user, commitment))
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
                ms.due_is_provisional = provisional_between(ms.due_on, commitment.target_on)
            ms.save(
                update_fields=["planned_start_on", "due_on", "due_is_provisional", "updated_at"]
            )
        if snapshot(commitment) != before:
            if commitment.filed_version:
                commitment.changed_since_filing = True
                commitment.save(update_fields=["changed_since_filing", "updated_at"])
            changed += 1
    return changed
