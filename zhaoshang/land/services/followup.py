"""Carrying out a clean-up decision (SPEC §20: each decision starts its follow-up).

- 保留观察: nothing to carry out; the next campaign checks the project again.
- 限期整改 and 盘活利用: the deadline is watched by the daily scan (``scan``: overdue once
  past it, told to the lead, the supervision office and the project's team; the light and
  its escalation are monitoring's, from ``CampaignEntry.objects.with_days_left``); the
  follow-up ends when the rectification is confirmed (``confirm_rectified``).
- 收回土地: the land recovery starts on the parcel (``recovery_started_on``) and the exit
  steps on the project (its open exit warning, or the warning the scan would raise under
  the matching exit rule once it is due: ``exits.services.raise_warning``); the follow-up
  ends when the parcel is recovered (``parcels.change_parcel_status`` calls
  ``land_recovered``).
- 清退: the exit steps start on the project the same way; the follow-up ends with the
  project 已退出 (``complete_exit``), once the exit's clearance decision (清退决定) is
  recorded — or, for a project no exit rule reaches yet, once the deadline has passed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.querysets import in_districts
from zhaoshang.core.services import lock_for_update, raise_errors, require, status_error
from zhaoshang.exits.choices import OPEN_STATUSES, RuleCode, WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.services import ensure_default_rules, exit_clock, raise_warning
from zhaoshang.land import permissions
from zhaoshang.land.choices import FOLLOW_UP_OF, Decision, EntryCategory, FollowUp
from zhaoshang.land.models import CampaignEntry, CleanupLead, LandParcel
from zhaoshang.land.services.base import _save
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import supervisors
from zhaoshang.projects.choices import EXIT_STAGES, Stage, TeamRole

# The exit rule a clean-up category answers to.
RULE_OF = {
    EntryCategory.ENCLOSED: RuleCode.NOT_STARTED,
    EntryCategory.SIGNED: RuleCode.NOT_STARTED,
    EntryCategory.BUILT: RuleCode.NOT_PRODUCING,
    EntryCategory.LOW_EFFICIENCY: RuleCode.NO_BENEFIT,
}
# Exit steps done: the clearance decision is recorded (the land may be recovered after).
CLEARED_OUT = (WarningStatus.CLEARANCE, WarningStatus.LAND_RECOVERED)


def _exit_warning(entry: CampaignEntry, today: datetime.date) -> ExitWarning | None:
    """The exit procedure of the entry's project: its open warning (the one under the
    category's rule first), else the warning of that rule, raised now when the project is
    past the rule's date (``exits.services.exit_clock``: what the daily exit scan would
    raise). None when no rule reaches the project yet (the follow-up then runs on the entry
    alone)."""
    code = RULE_OF[entry.category]
    open_ = list(
        ExitWarning.objects.filter(project=entry.project, status__in=OPEN_STATUSES)
        .select_related("rule")
        .order_by("id")
    )
    for warning in open_:
        if warning.rule.code == code:
            return warning
    if open_:
        return open_[0]
    rule = {r.code: r for r in ensure_default_rules(entry.district_id)}[code]
    if not rule.is_active or ExitWarning.objects.filter(project=entry.project, rule=rule).exists():
        return None  # switched off, or cleared, excluded or finished before
    found = exit_clock(entry.project, rule, today)
    if not found.is_due(today):
        return None
    try:
        with transaction.atomic():
            return raise_warning(entry.project, rule, today=today, found=found)
    except IntegrityError:  # the scan raised it at the same moment
        return ExitWarning.objects.filter(project=entry.project, rule=rule).first()


def _start_recovery(user, parcel: LandParcel, entry: CampaignEntry, today) -> None:
    parcel = lock_for_update(parcel)
    if parcel.recovery_started_on is not None:
        return
    parcel.recovery_started_on = today
    parcel.save_new_version()
    log_event(
        user,
        "land_parcel.recovery_started",
        parcel,
        f"{entry.campaign} · {entry.project.code}",
        entry=entry.pk,
    )


def start_followup(user, entry: CampaignEntry, today: datetime.date) -> None:
    """Start the follow-up of the decision just set on ``entry`` (locked, saved by the
    caller): see the module docstring."""
    entry.followup = FOLLOW_UP_OF[entry.decision]
    entry.followup_on = today
    entry.overdue_on = entry.done_on = None
    entry.done_note = ""
    entry.exit_warning = None
    if entry.decision in (Decision.RECOVER, Decision.CLEAR):
        entry.exit_warning = _exit_warning(entry, today)
    if entry.decision == Decision.RECOVER:
        _start_recovery(user, entry.parcel, entry, today)


def _running(entry, followups, message):
    if entry.followup not in followups:
        raise status_error(message)


def confirm_rectified(
    user,
    entry: CampaignEntry,
    *,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> CampaignEntry:
    """整改到位: the rectification (or the better use) ordered by the decision is done."""
    require(permissions.can_follow_up(user, entry))
    today = clock.today()
    on = on or today
    note = (note or "").strip()
    with transaction.atomic():
        entry = lock_for_update(entry, expected_version)
        _running(entry, (FollowUp.WATCHING,), _("No rectification is under way on this entry."))
        errors = {}
        if on > today:
            errors["on"] = [_("The date cannot be in the future.")]
        elif on < entry.followup_on:
            errors["on"] = [
                _("The date cannot be before the decision (%(date)s).")
                % {"date": entry.followup_on.isoformat()}
            ]
        if not note:
            errors["note"] = [_("Say what was rectified.")]
        raise_errors(errors)
        entry.followup = FollowUp.RECTIFIED
        entry.done_on, entry.done_note = on, note
        _save(entry, user, "land_entry.rectified", note[:200], on=on)
    return entry


def complete_exit(
    user,
    entry: CampaignEntry,
    *,
    on: datetime.date | None = None,
    note: str = "",
    document=None,
    expected_version: int | None = None,
) -> CampaignEntry:
    """清退 carried out: the project becomes 已退出 (``projects.services.change_stage``,
    with the clearance decision as its evidence), once the exit's clearance decision is
    recorded, or — with no exit warning — once the deadline has passed."""
    from zhaoshang.projects.services import change_stage

    require(permissions.can_complete_exit(user, entry))
    today = clock.today()
    on = on or today
    note = (note or "").strip()
    with transaction.atomic():
        entry = lock_for_update(entry, expected_version)
        _running(entry, (FollowUp.CLEARING,), _("No clearance is under way on this entry."))
        warning = entry.exit_warning
        if warning is not None and warning.status not in CLEARED_OUT:
            raise status_error(
                _(
                    "The exit steps are not done: the exit warning is at “%(status)s”; the "
                    "clearance decision (清退决定) is recorded on it first."
                )
                % {"status": warning.get_status_display()}
            )
        errors = {}
        if on > today:
            errors["on"] = _("The date cannot be in the future.")
        elif warning is None and entry.deadline and on <= entry.deadline:
            errors["on"] = _("The deadline (%(date)s) has not passed yet.") % {
                "date": entry.deadline.isoformat()
            }
        if errors:
            raise ValidationError(errors)
        project = entry.project
        if project.stage not in EXIT_STAGES:
            evidence = {"clearance_decision": document} if document is not None else None
            change_stage(
                user,
                project,
                Stage.EXITED,
                on,
                reason=note or entry.decision_reason,
                evidence_files=evidence,
            )
        entry.followup = FollowUp.EXITED
        entry.done_on, entry.done_note = on, note
        _save(entry, user, "land_entry.exited", note[:200], on=on)
    return entry


def land_recovered(user, parcel: LandParcel, *, on, document: str = "") -> int:
    """The parcel is recovered (``change_parcel_status``): the 收回土地 decisions on it are
    carried out. Returns how many."""
    done = 0
    for entry in CampaignEntry.objects.filter(parcel=parcel, followup=FollowUp.RECOVERING):
        entry = lock_for_update(entry)
        entry.followup = FollowUp.RECOVERED
        entry.done_on, entry.done_note = on, document
        _save(entry, user, "land_entry.recovered", document, on=on)
        done += 1
    return done


def _people(entries) -> dict[int, list]:
    """Who is told of a missed deadline: the district's clean-up lead, its supervision
    office and the project's secretary and manager."""
    from zhaoshang.projects.models import ProjectTeamMember

    district_ids = {e.district_id for e in entries}
    leads = {
        lead.district_id: lead.leader
        for lead in CleanupLead.objects.filter(district_id__in=district_ids).select_related(
            "leader"
        )
    }
    office = {d: supervisors(d) for d in district_ids}
    team: dict[int, list] = {}
    for member in ProjectTeamMember.objects.filter(
        project_id__in={e.project_id for e in entries},
        role__in=(TeamRole.SECRETARY, TeamRole.MANAGER),
    ).select_related("user"):
        team.setdefault(member.project_id, []).append(member.user)
    return {
        e.pk: [leads.get(e.district_id), *office[e.district_id], *team.get(e.project_id, [])]
        for e in entries
    }


def scan(
    today: datetime.date | None = None, district_ids: list[int] | None = None
) -> dict[str, int]:
    """The daily scan's clean-up step: each running follow-up whose deadline has passed is
    marked overdue once (the day it is found) and its people are told. Safe to run twice.
    ``district_ids``: only the entries of these districts (None: every district)."""
    today = today or clock.today()
    missed = list(
        in_districts(CampaignEntry.objects.running(), district_ids)
        .filter(deadline__lt=today, overdue_on__isnull=True)
        .select_related("project", "campaign")
        .order_by("pk")
    )
    if not missed:
        return {"overdue": 0}
    people = _people(missed)
    for entry in missed:
        with transaction.atomic():
            # Not a new version: the scan changes no fact a person is editing.
            entry.overdue_on = today
            entry.save(update_fields=["overdue_on"])
            log_event(
                None,
                "land_entry.overdue",
                entry,
                f"{entry.project.code} · {entry.deadline.isoformat()}",
                deadline=entry.deadline,
            )
            notify(
                people[entry.pk],
                "land_entry.overdue",
                _("Clean-up deadline missed: %(project)s (%(decision)s, due %(date)s)")
                % {
                    "project": entry.project.name,
                    "decision": entry.get_decision_display(),
                    "date": entry.deadline.isoformat(),
                },
                url=entry.get_absolute_url(),
            )
    return {"overdue": len(missed)}
