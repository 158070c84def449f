"""The exit mechanism through its life (退出机制, SPEC §11). Every state change is a
function here; the pages, the API, the ``exits_scan`` command and the daily scan call them.

- ``scan`` raises a warning for each project past a rule's due date (the anchor date plus
  the rule's months, month ends clamped: ``add_months``) that has not reached the rule's
  clearing fact, once per project and rule; it closes open warnings whose project has met
  the fact since, and puts an excluded warning back when its moved due date has passed
  without the fact. Safe to run twice.
- Clearing facts: *started* — the project has a start date (or a later stage date);
  *production* — it has a production date (or a capacity date); *benefit* — at least one
  of: an enterprise obligation of the agreement for annual tax, investment intensity or
  annual output confirmed as met; the recorded annual tax at or above the agreed annual
  tax (the same as the per-mu tax at or above the agreed per-mu tax); the recorded
  investment intensity at or above the agreed intensity; where the agreement sets no tax
  (intensity) target, the per-mu tax (intensity) at or above the rule's threshold.
- Steps, in order, each with a document, a date and a note: rectification notice with a
  deadline (限期整改通知) → clearance decision after that deadline (清退决定) → land
  recovery (收回土地). Only the supervision office, the bureau and admins record them.
- Delay attribution (因企业自身原因): ``government_delay`` lists the overdue approval cases
  and overdue commitment milestones of the project in the anchor-to-due window and counts
  the working days they held it up (a day held up by two causes counts once). When an
  officer confirms it with a reason (``confirm_delay``), the due date moves out by those
  working days; if the moved date is still ahead, the warning is excluded.

Bad input raises ``ValidationError`` keyed by the field and saves nothing; a stale
``expected_version`` raises ``ConcurrentEditError`` and saves nothing.
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.roles import Role
from zhaoshang.core.validators import validate_upload
from zhaoshang.exits import permissions
from zhaoshang.exits.choices import (
    ANCHOR_FIELDS,
    ATTRIBUTABLE_STATUSES,
    CLEARABLE_STATUSES,
    DEFAULT_RULES,
    STEP_FROM,
    STEP_TO,
    ClearingFact,
    DelayKind,
    StepKind,
    WarningStatus,
)
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.notifications.services import notify
from zhaoshang.workdays import services as workdays

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return clock.today()


# ---------------------------------------------------------------------------------------
# Month arithmetic


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months; a day the target month does not have is
    clamped to its last day (30 November + 3 → 28 or 29 February; 31 August + 3 →
    30 November; 29 February + 24 → 28 February). ``months`` may be negative."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_anchor_due_before(today: datetime.date, months: int) -> datetime.date:
    """The latest anchor date whose due date (``add_months(anchor, months)``) is before
    ``today``: every earlier anchor is due before today too (``add_months`` never goes
    back as the anchor moves on), so one comparison in SQL selects the projects due."""
    day = add_months(today, -months) + datetime.timedelta(days=7)
    while add_months(day, months) >= today:
        day -= ONE_DAY
    return day


# ---------------------------------------------------------------------------------------
# Rules


def ensure_default_rules(district) -> list[ExitRule]:
    """The district's rule table, the work plan's three rules created on first use
    (三个月不开工, 两年不投产, 三年不见效, counted from the land delivery)."""
    rules = []
    for code, anchor, months, clears_by in DEFAULT_RULES:
        rule, _created = ExitRule.objects.get_or_create(
            district_id=getattr(district, "pk", district),
            code=code,
            defaults={"anchor": anchor, "months": months, "clears_by": clears_by},
        )
        rules.append(rule)
    return rules


def _ensure_rules_everywhere() -> int:
    """Default rules for every district that has none yet; returns how many were made."""
    from zhaoshang.org.models import District

    made = 0
    for district_id in District.objects.exclude(
        pk__in=ExitRule.objects.values("district_id")
    ).values_list("pk", flat=True):
        ensure_default_rules(district_id)
        made += len(DEFAULT_RULES)
    return made


def _decimal_field() -> DecimalField:
    return DecimalField(max_digits=20, decimal_places=4)


def fact_met_q(rule: ExitRule) -> Q:
    """The condition on ``Project`` rows under which ``rule`` is satisfied (see the module
    docstring), as one SQL expression."""
    if rule.clears_by == ClearingFact.STARTED:
        return (
            Q(started_on__isnull=False)
            | Q(completed_on__isnull=False)
            | Q(production_on__isnull=False)
            | Q(capacity_on__isnull=False)
        )
    if rule.clears_by == ClearingFact.PRODUCTION:
        return Q(production_on__isnull=False) | Q(capacity_on__isnull=False)
    return _benefit_q(rule)


def _benefit_q(rule: ExitRule) -> Q:
    from zhaoshang.agreements.choices import ObligationKind, Party
    from zhaoshang.agreements.models import Obligation

    owed = Obligation.objects.filter(
        agreement__project=OuterRef("pk"), party=Party.ENTERPRISE, waived_on__isnull=True
    )
    kinds = (ObligationKind.TAX, ObligationKind.INTENSITY, ObligationKind.OUTPUT)
    confirmed = owed.filter(kind__in=kinds, confirmed_on__isnull=False)
    tax_target = owed.filter(kind=ObligationKind.TAX, target_amount__isnull=False)
    intensity_target = owed.filter(kind=ObligationKind.INTENSITY, target_amount__isnull=False)
    tax_reached = tax_target.filter(target_amount__lte=OuterRef("actual_tax"))
    intensity_reached = intensity_target.annotate(
        needed=ExpressionWrapper(
            F("target_amount") * OuterRef("land_area"), output_field=_decimal_field()
        )
    ).filter(needed__lte=OuterRef("fixed_asset_investment"))
    met = (
        Q(Exists(confirmed))
        | Q(Exists(tax_reached))
        | (Q(land_area__gt=0) & Q(Exists(intensity_reached)))
    )
    if rule.min_tax_per_mu is not None:
        met |= (
            ~Q(Exists(tax_target))
            & Q(land_area__gt=0)
            & Q(actual_tax__gte=_times_area(rule.min_tax_per_mu))
        )
    if rule.min_intensity is not None:
        met |= (
            ~Q(Exists(intensity_target))
            & Q(land_area__gt=0)
            & Q(fixed_asset_investment__gte=_times_area(rule.min_intensity))
        )
    return met


def _times_area(per_mu: Decimal):
    return ExpressionWrapper(
        F("land_area") * Value(per_mu, output_field=_decimal_field()),
        output_field=_decimal_field(),
    )


def _fact_text(rule: ExitRule, project) -> str:
    if rule.clears_by == ClearingFact.STARTED:
        day = project.started_on or project.completed_on or project.production_on
        return _("Construction started on %(date)s") % {"date": day.isoformat() if day else "—"}
    if rule.clears_by == ClearingFact.PRODUCTION:
        day = project.production_on or project.capacity_on
        return _("Production started on %(date)s") % {"date": day.isoformat() if day else "—"}
    return _("The agreed benefit was reached")


# ---------------------------------------------------------------------------------------
# The scan


def _people_to_tell(project, district_id) -> list:
    from zhaoshang.org.models import User
    from zhaoshang.projects.choices import TeamRole

    team = [
        m.user
        for m in project.team_members.all()
        if m.role in (TeamRole.SECRETARY, TeamRole.MANAGER)
    ]
    supervisors = User.objects.filter(
        district_id=district_id, is_active=True, groups__name=Role.SUPERVISOR
    ).distinct()
    return [*team, *supervisors]


def _moment(day: datetime.date, today: datetime.date) -> datetime.datetime | None:
    """When an event dated ``day`` is logged: now for today, office hours for a past day
    (the demo records steps taken in the past)."""
    if day >= today:
        return None
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SHANGHAI)


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
    today = today or _today()
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
    today = today or _today()
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
    from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
    from zhaoshang.projects.models import Project

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
    from zhaoshang.projects.models import Project

    today = today or _today()
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


# ---------------------------------------------------------------------------------------
# Steps


def _lock(warning: ExitWarning, expected_version: int | None) -> ExitWarning:
    locked = (
        ExitWarning.objects.select_for_update(of=("self",))
        .select_related("project", "rule")
        .get(pk=warning.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this warning after you opened it (it is now "
                "“%(status)s”). Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _save(warning: ExitWarning, user, verb: str, summary: str = "", occurred_at=None, **data):
    warning.version += 1
    warning.save()
    log_event(user, verb, warning, summary, occurred_at=occurred_at, **data)
    return warning


STEP_VERBS = {
    StepKind.NOTICE: "exit_warning.notice_issued",
    StepKind.CLEARANCE: "exit_warning.clearance_decided",
    StepKind.LAND_RECOVERY: "exit_warning.land_recovered",
}


def _order_error(warning: ExitWarning, kind: str) -> str:
    """Why step ``kind`` cannot be recorded on ``warning`` now."""
    if warning.status == WarningStatus.CLEARED:
        return _("The project has met the condition and the warning is closed; no step follows.")
    if warning.status == WarningStatus.EXCLUDED:
        return _(
            "The warning is excluded: the delay is not the enterprise's own. No step follows "
            "unless the moved due date passes."
        )
    if warning.status == WarningStatus.LAND_RECOVERED:
        return _("The land has been recovered: this is the last step.")
    needed = {
        StepKind.NOTICE: _("A rectification notice is issued on a warning that has no steps yet."),
        StepKind.CLEARANCE: _("A clearance decision needs a rectification notice first."),
        StepKind.LAND_RECOVERY: _("Land recovery needs a clearance decision first."),
    }[kind]
    return needed


def record_step(
    user,
    warning: ExitWarning,
    *,
    kind: str,
    document,
    note: str = "",
    on: datetime.date | None = None,
    deadline: datetime.date | None = None,
    expected_version: int | None = None,
) -> ExitStep:
    """Record the next step of ``warning`` with its document: a rectification notice
    (with the date to rectify by), then a clearance decision (after that date), then the
    land recovery. Steps go in this order, none skipped, none twice."""
    _require(permissions.can_record_step(user, warning))
    today = _today()
    on = on or today
    note = (note or "").strip()
    errors: dict[str, list] = {}
    if kind not in STEP_FROM:
        errors["kind"] = [_("Choose the step to record.")]
    if document is None:
        errors["document"] = [_("Attach the document of this step.")]
    else:
        try:
            validate_upload(document)
        except ValidationError as exc:
            errors["document"] = exc.messages
    if on > today:
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    if kind == StepKind.NOTICE:
        if deadline is None:
            errors["deadline"] = [_("Give the date by which the enterprise must rectify.")]
        elif deadline <= on:
            errors["deadline"] = [_("The deadline must be after the date of the notice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        warning = _lock(warning, expected_version)
        if warning.status != STEP_FROM[kind]:
            raise ValidationError(_order_error(warning, kind), code="wrong_order")
        previous = ExitStep.objects.filter(warning=warning).order_by("-occurred_on").first()
        earliest = previous.occurred_on if previous else warning.raised_on
        if on < earliest:
            raise ValidationError(
                {
                    "occurred_on": _("The date cannot be before the previous step (%(date)s).")
                    % {"date": earliest.isoformat()}
                }
            )
        if kind == StepKind.CLEARANCE and on <= warning.notice_deadline:
            raise ValidationError(
                {
                    "occurred_on": _(
                        "The rectification deadline (%(date)s) has not passed yet: a clearance "
                        "decision follows it."
                    )
                    % {"date": warning.notice_deadline.isoformat()}
                }
            )
        step = ExitStep(
            warning=warning,
            kind=kind,
            occurred_on=on,
            deadline=deadline if kind == StepKind.NOTICE else None,
            original_name=document.name[:200],
            note=note,
            recorded_by=user,
        )
        step.document.save(document.name, document, save=False)
        step.save()
        warning.status = STEP_TO[kind]
        if kind == StepKind.NOTICE:
            warning.notice_deadline = deadline
        _save(
            warning,
            user,
            STEP_VERBS[kind],
            note[:200] or step.original_name,
            occurred_at=_moment(on, today),
            step=step.pk,
        )
        if kind == StepKind.NOTICE:
            notify(
                _people_to_tell(warning.project, warning.district_id),
                STEP_VERBS[kind],
                _("Rectification notice for %(project)s: rectify by %(date)s")
                % {"project": warning.project.name, "date": deadline.isoformat()},
                url=warning.get_absolute_url(),
            )
    return step


def issue_notice(user, warning, *, deadline, document, note="", on=None, expected_version=None):
    """限期整改通知: the rectification notice, with the date to rectify by."""
    return record_step(
        user,
        warning,
        kind=StepKind.NOTICE,
        document=document,
        note=note,
        on=on,
        deadline=deadline,
        expected_version=expected_version,
    )


def decide_clearance(user, warning, *, document, note="", on=None, expected_version=None):
    """清退决定: the clearance decision per the agreement, after the rectification deadline."""
    return record_step(
        user,
        warning,
        kind=StepKind.CLEARANCE,
        document=document,
        note=note,
        on=on,
        expected_version=expected_version,
    )


def recover_land(user, warning, *, document, note="", on=None, expected_version=None):
    """收回土地: the land is recovered after the clearance decision."""
    return record_step(
        user,
        warning,
        kind=StepKind.LAND_RECOVERY,
        document=document,
        note=note,
        on=on,
        expected_version=expected_version,
    )


# ---------------------------------------------------------------------------------------
# Delay attribution (因企业自身原因)


@dataclass(frozen=True)
class DelayCause:
    """A government record that held the project up in the warning's window."""

    kind: str
    title: str
    department: str
    due_on: datetime.date
    done_on: datetime.date | None
    start: datetime.date  # held up on the working days after this day …
    end: datetime.date  # … up to and including this one
    workdays: int
    url: str

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "department": self.department,
            "due_on": self.due_on.isoformat(),
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "workdays": self.workdays,
            "url": self.url,
        }


def government_delay(
    warning: ExitWarning, today: datetime.date | None = None
) -> tuple[int, list[DelayCause]]:
    """The working days ``warning``'s project was held up by the government between its
    anchor date and its due date (or today, if earlier): each overdue approval case and
    each overdue commitment milestone holds it up from its due date until it was done
    (or until today). A day held up by several causes counts once. Three queries."""
    from zhaoshang.agreements.models import Milestone
    from zhaoshang.approvals.models import ApprovalCase

    today = today or _today()
    first, last = warning.anchor_on, min(warning.due_on, today)
    if last <= first:
        return 0, []
    late = Q(due_on__lt=last) & (Q(done_on__isnull=True) | Q(done_on__gt=F("due_on")))
    rows: list[tuple] = []
    for case in (
        ApprovalCase.objects.filter(late, project_id=warning.project_id, due_on__isnull=False)
        .select_related("item", "department")
        .order_by("due_on", "id")
    ):
        rows.append(
            (
                DelayKind.APPROVAL_CASE,
                case.item.name,
                case.department.name,
                case.due_on,
                case.done_on,
                case.get_absolute_url(),
            )
        )
    for milestone in (
        Milestone.objects.filter(late, commitment__project_id=warning.project_id)
        .select_related("commitment", "owner_department")
        .order_by("due_on", "id")
    ):
        rows.append(
            (
                DelayKind.MILESTONE,
                f"{milestone.commitment.title} · {milestone.name}",
                milestone.owner_department.name,
                milestone.due_on,
                milestone.done_on,
                milestone.get_absolute_url(),
            )
        )
    window = workdays.CalendarWindow(first, last)
    causes: list[DelayCause] = []
    for kind, title, department, due_on, done_on, url in rows:
        start, end = max(due_on, first), min(done_on or today, last)
        if end <= start:
            continue
        causes.append(
            DelayCause(
                kind,
                title,
                department,
                due_on,
                done_on,
                start,
                end,
                window.workdays_between(start, end),
                url,
            )
        )
    total = 0
    merged_start = merged_end = None
    for cause in sorted(causes, key=lambda c: (c.start, c.end)):
        if merged_end is None or cause.start >= merged_end:
            if merged_end is not None:
                total += window.workdays_between(merged_start, merged_end)
            merged_start, merged_end = cause.start, cause.end
        else:
            merged_end = max(merged_end, cause.end)
    if merged_end is not None:
        total += window.workdays_between(merged_start, merged_end)
    return total, causes


def confirm_delay(
    user, warning: ExitWarning, *, reason: str, expected_version: int | None = None
) -> ExitWarning:
    """An officer confirms that the project was held up by the government for the working
    days ``government_delay`` counts: the due date moves out by them, and the warning is
    excluded (非企业自身原因) when the moved due date is still ahead. Once per warning."""
    _require(permissions.can_confirm_delay(user, warning))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the attribution.")})
    today = _today()
    with transaction.atomic():
        warning = _lock(warning, expected_version)
        if warning.status not in ATTRIBUTABLE_STATUSES:
            raise ValidationError(
                _(
                    "The delay can be attributed only before a clearance decision, on an open "
                    "warning (it is “%(status)s”)."
                )
                % {"status": warning.get_status_display()},
                code="wrong_order",
            )
        if warning.delay_confirmed_on is not None:
            raise ValidationError(
                _("The delay attribution has already been confirmed."), code="wrong_order"
            )
        days, causes = government_delay(warning, today)
        if days == 0:
            raise ValidationError(
                _(
                    "No overdue government case or milestone held the project up in the window: "
                    "there is no delay to attribute."
                ),
                code="no_delay",
            )
        warning.delay_workdays = days
        warning.delay_causes = [c.as_dict() for c in causes]
        warning.delay_reason = reason
        warning.delay_confirmed_on = today
        warning.delay_confirmed_by = user
        warning.effective_due_on = workdays.add_workdays(warning.due_on, days).date
        summary = _("%(days)s working days; due date moved to %(date)s") % {
            "days": days,
            "date": warning.effective_due_on.isoformat(),
        }
        if warning.effective_due_on > today:
            warning.status = WarningStatus.EXCLUDED
            warning.excluded_on = today
            _save(warning, user, "exit_warning.excluded", summary, workdays=days)
        else:
            _save(warning, user, "exit_warning.delay_confirmed", summary, workdays=days)
    return warning
