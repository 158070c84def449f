"""The scan (computed daily): raise a warning for each project past a rule's due date
without its clearing fact, clear warnings whose project met it since, and reopen excluded
warnings whose moved due date has passed."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.exits.choices import ANCHOR_FIELDS, CLEARABLE_STATUSES, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitWarning
from zhaoshang.exits.services.base import _moment, _people_to_tell, _save
from zhaoshang.exits.services.rules import (
    _ensure_rules_everywhere,
    _fact_text,
    add_months,
    fact_met_q,
    last_anchor_due_before,
)
from zhaoshang.notifications.services import notify
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
from zhaoshang.projects.models import Project


def raise_warning(
    project,
    rule: ExitRule,
    *,
    today: datetime.date | None = None,
    raised_on=None,
    notify_people: bool = True,
) -> ExitWarning:
    """Raise the warning of ``project`` under ``rule`` (the scan calls it for each project
    due) and tell the project's secretary and manager and the supervision office
    (``notify_people=False``: a loader of past data, whose people were told long ago)."""
    today = today or clock.today()
    raised_on = raised_on or today
    anchor_on = getattr(project, ANCHOR_FIELDS[rule.anchor])
    due_on = add_months(anchor_on, rule.months)
    with transaction.atomic():
        warning = ExitWarning.objects.create(
            district_id=project.district_id,
            project=project,
            rule=rule,
            anchor_on=anchor_on,
            due_on=due_on,
            effective_due_on=due_on,
            raised_on=raised_on,
        )
        log_event(
            None,
            "exit_warning.raised",
            warning,
            f"{project.code} {rule.get_code_display()}",
            occurred_at=_moment(raised_on, today),
            due_on=due_on,
        )
        if not notify_people:
            return warning
        notify(
            _people_to_tell(project, project.district_id),
            "exit_warning.raised",
            _("Exit warning for %(project)s: %(rule)s")
            % {"project": project.name, "rule": rule.get_code_display()},
            body=_("Due on %(date)s, counted from %(anchor)s.")
            % {"date": due_on.isoformat(), "anchor": anchor_on.isoformat()},
            url=warning.get_absolute_url(),
        )
    return warning


def clear_warning(
    warning: ExitWarning, *, today: datetime.date | None = None, on=None, note: str = ""
) -> ExitWarning:
    """Close ``warning``: its project met the rule's condition (the scan calls it)."""
    today = today or clock.today()
    on = on or today
    with transaction.atomic():
        warning = ExitWarning.objects.select_for_update().get(pk=warning.pk)
        if warning.status not in CLEARABLE_STATUSES:
            return warning
        warning.status = WarningStatus.CLEARED
        warning.cleared_on = on
        warning.cleared_note = note[:200]
        _save(warning, None, "exit_warning.cleared", note, occurred_at=_moment(on, today))
    return warning


def _candidates(rule: ExitRule, today: datetime.date):
    """The projects of the rule's district due under it and not meeting its condition,
    with no warning under it yet: one query."""
    field = ANCHOR_FIELDS[rule.anchor]
    return (
        Project.objects.filter(
            district_id=rule.district_id,
            kind=ProjectKind.INVESTMENT,
            **{f"{field}__lte": last_anchor_due_before(today, rule.months)},
        )
        .exclude(stage__in=EXIT_STAGES)
        .exclude(fact_met_q(rule))
        .exclude(pk__in=ExitWarning.objects.filter(rule=rule).values("project_id"))
        .prefetch_related("team_members__user")
        .order_by("id")
    )


def scan(today: datetime.date | None = None) -> dict[str, int]:
    """Raise, clear and reopen exit warnings as of ``today`` (SPEC §11, computed daily).
    Returns the counts; a second run on the same day changes nothing."""
    today = today or clock.today()
    counts = {"rules": _ensure_rules_everywhere(), "raised": 0, "cleared": 0, "reopened": 0}
    for rule in ExitRule.objects.active().order_by("district_id", "months", "id"):
        met = Project.objects.filter(fact_met_q(rule)).values("pk")
        for warning in (
            ExitWarning.objects.filter(rule=rule, status__in=CLEARABLE_STATUSES, project__in=met)
            .select_related("project")
            .order_by("id")
        ):
            clear_warning(warning, today=today, note=_fact_text(rule, warning.project))
            counts["cleared"] += 1
        for warning in (
            ExitWarning.objects.filter(
                rule=rule, status=WarningStatus.EXCLUDED, effective_due_on__lt=today
            )
            .exclude(project__in=met)
            .order_by("id")
        ):
            _reopen(warning, today)
            counts["reopened"] += 1
        for project in _candidates(rule, today):
            try:
                raise_warning(project, rule, today=today)
            except IntegrityError:
                continue  # a scan running at the same time raised it (uniq_exit_warning)
            counts["raised"] += 1
    return counts


def _reopen(warning: ExitWarning, today: datetime.date) -> None:
    """An excluded warning whose moved due date has passed without the condition met
    counts again (the government delay is already taken off)."""
    with transaction.atomic():
        warning = ExitWarning.objects.select_for_update().get(pk=warning.pk)
        if warning.status != WarningStatus.EXCLUDED:
            return
        warning.status = WarningStatus.WARNING
        _save(
            warning,
            None,
            "exit_warning.reopened",
            _("The moved due date %(date)s has passed.")
            % {"date": warning.effective_due_on.isoformat()},
        )
