"""Approval cases through their life (SPEC §6). Every state change is a function here;
pages, the API and the scans call them.

The due date is always recomputed from its inputs: the day materials were complete, the
time limit (or the special limit after a recorded extension), the calendar, and the closed
pause intervals; a joint decision sets one common due date instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Prefetch
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions
from zhaoshang.approvals.choices import (
    OPEN_STATUSES,
    CaseStatus,
    LimitUnit,
    PauseKind,
)
from zhaoshang.approvals.models import (
    ApprovalCase,
    ApprovalItem,
    CasePause,
    CaseTransfer,
    JointDecision,
)
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.notifications.services import notify
from zhaoshang.workdays import services as workdays

# 容缺受理: a case whose pledged materials are still missing pauses, and goes back to the
# enterprise after this many working days.
PLEDGE_RETURN_WORKDAYS = 15
# How far ahead of today the forecast reads the calendar at once (it reads more if needed).
FORECAST_READ_AHEAD = datetime.timedelta(days=366)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _today() -> datetime.date:
    return clock.today()


def _check_date(
    field: str, day: datetime.date | None, not_before: datetime.date | None = None
) -> None:
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before and day < not_before:
        raise ValidationError(
            {field: _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}}
        )


# ---------------------------------------------------------------------------------------
# The catalogue


def find_cycle(
    item_id: int, prerequisite_ids: Iterable[int], edges: dict[int, set[int]]
) -> list[int] | None:
    """A cycle the new prerequisites would close, as item ids from ``item_id`` back to it."""
    graph = {k: set(v) for k, v in edges.items()}
    graph[item_id] = set(prerequisite_ids)
    path: list[int] = []
    state: dict[int, int] = {}

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    return visit(item_id)


def _edges(district_id: int) -> dict[int, set[int]]:
    through = ApprovalItem.prerequisites.through
    edges: dict[int, set[int]] = {}
    for src, dst in through.objects.filter(from_approvalitem__district_id=district_id).values_list(
        "from_approvalitem_id", "to_approvalitem_id"
    ):
        edges.setdefault(src, set()).add(dst)
    return edges


def check_prerequisites(item: ApprovalItem, prerequisites: Iterable[ApprovalItem]) -> None:
    """Refuse prerequisites of another district, the item itself, or any that would close
    a cycle in the district's graph — the cycle named, item by item. Raises a
    ValidationError without a field (callers put it on theirs)."""
    prerequisites = list(prerequisites)
    for other in prerequisites:
        if other.district_id != item.district_id:
            raise ValidationError(_("This record belongs to another district."))
        if item.pk is not None and other.pk == item.pk:
            raise ValidationError(_("An item cannot be its own prerequisite."))
    if item.pk is None:
        return  # nothing can point at a new item yet
    cycle = find_cycle(item.pk, [p.pk for p in prerequisites], _edges(item.district_id))
    if cycle:
        names = dict(ApprovalItem.objects.filter(pk__in=cycle).values_list("pk", "name"))
        raise ValidationError(
            _("These prerequisites would make a cycle: %(cycle)s.")
            % {"cycle": " → ".join(names[i] for i in cycle)}
        )


@transaction.atomic
def set_prerequisites(user, item: ApprovalItem, prerequisites: Iterable[ApprovalItem]) -> None:
    """Set an item's prerequisites; a cycle is rejected with the cycle named."""
    if user is not None:
        _require(permissions.can_edit_catalogue(user, item.district_id))
    prerequisites = list(prerequisites)
    try:
        check_prerequisites(item, prerequisites)
    except ValidationError as exc:
        raise ValidationError({"prerequisites": exc}) from None
    item.prerequisites.set(prerequisites)
    if user is not None:
        log_event(
            user,
            "approval_item.prerequisites_set",
            item,
            summary=item.name,
            prerequisites=[p.pk for p in prerequisites],
        )


# The settings of a catalogue item that its editors change (besides its prerequisites and
# materials); the district is the item's for good.
ITEM_FIELDS = (
    "code",
    "name",
    "department",
    "level",
    "phase",
    "time_limit",
    "time_limit_unit",
    "special_time_limit",
    "legal_basis",
    "in_green_channel",
    "is_active",
    "sort_order",
)


def _item_values(item: ApprovalItem) -> dict:
    return {n: ApprovalItem._meta.get_field(n).value_from_object(item) for n in ITEM_FIELDS}


def _write_item(user, item: ApprovalItem, verb: str, fields: dict) -> ApprovalItem:
    """Validate and save an item's fields, materials and prerequisites, then record what
    changed. Runs inside the caller's transaction: any refusal saves nothing."""
    unknown = set(fields) - {*ITEM_FIELDS, "materials", "prerequisites"}
    if unknown:
        raise TypeError(f"not a field of an approval item: {', '.join(sorted(unknown))}")
    fields = dict(fields)
    prerequisites = fields.pop("prerequisites", None)
    materials = fields.pop("materials", None)
    before = _item_values(item) if item.pk else {}
    for name, value in fields.items():
        setattr(item, name, value)
    department = fields.get("department")
    if department is not None and department.district_id != item.district_id:
        raise ValidationError({"department": _("This record belongs to another district.")})
    item.full_clean()
    changed = [n for n, v in _item_values(item).items() if n in fields and before.get(n) != v]
    item._history_user = user
    item.save()
    if materials is not None:
        materials = list(materials)
        old = set(item.materials.values_list("pk", flat=True)) if before else set()
        if old != {m.pk for m in materials}:
            changed.append("materials")
        item.materials.set(materials)
    if prerequisites is not None:
        set_prerequisites(user, item, prerequisites)
    log_event(user, verb, item, summary=item.name, changed=changed)
    return item


@transaction.atomic
def create_item(user, district, **fields) -> ApprovalItem:
    """Add an item to the district's catalogue (审批事项目录): its settings (``ITEM_FIELDS``),
    ``materials`` and ``prerequisites``; for the district's administrator."""
    _require(permissions.can_edit_catalogue(user, district.pk))
    return _write_item(user, ApprovalItem(district=district), "approval_item.created", fields)


@transaction.atomic
def update_item(user, item: ApprovalItem, **fields) -> ApprovalItem:
    """Change an item of the catalogue: any of its settings (``ITEM_FIELDS``), its
    ``materials`` and its ``prerequisites`` (a cycle is refused, named). The district's
    administrator only; all or nothing. Cases already registered keep the limit they
    started with. Returns the item as saved."""
    locked = ApprovalItem.objects.select_for_update().get(pk=item.pk)
    _require(permissions.can_edit_catalogue(user, locked.district_id))
    return _write_item(user, locked, "approval_item.updated", fields)


# ---------------------------------------------------------------------------------------
# Due dates


@dataclass(frozen=True)
class Due:
    date: datetime.date | None
    provisional: bool


def paused_days(pauses: Iterable[CasePause], unit: str, calendar=workdays) -> int:
    """Working (or natural) days inside closed pauses: after the start up to the end.
    ``calendar`` answers ``workdays_between``: the calendar's services, or a
    ``workdays.services.CalendarWindow`` read once for many cases."""
    total = 0
    for pause in pauses:
        if pause.ended_on is None:
            continue
        if unit == LimitUnit.NATURAL_DAY:
            total += (pause.ended_on - pause.started_on).days
        else:
            total += calendar.workdays_between(pause.started_on, pause.ended_on)
    return total


def case_limit(case: ApprovalCase) -> tuple[int, str]:
    """The limit a case runs on and its unit: its own limit (as registered) in its own
    unit, or after a special-circumstances extension the item's special limit, which is
    always in working days."""
    if case.extended:
        return case.item.special_time_limit, LimitUnit.WORKDAY
    return case.time_limit, case.time_limit_unit


def due_after(start: datetime.date, limit: int, unit: str, calendar=workdays) -> Due:
    """The end of a limit counted from the day after ``start``: the limit-th working day
    after it (provisional in a year without a published arrangement), or for a limit in
    natural days the limit-th calendar day after it (never provisional)."""
    if unit == LimitUnit.NATURAL_DAY:
        return Due(start + datetime.timedelta(days=limit), False)
    result = calendar.add_workdays(start, limit)
    return Due(result.date, result.provisional)


def compute_due(
    case: ApprovalCase, pauses: Iterable[CasePause] | None = None, calendar=workdays
) -> Due:
    """The due date from (start, limit, calendar, pause intervals); None before materials
    are complete. A joint decision's common due date overrides it. ``calendar`` as for
    ``paused_days``."""
    if case.joint_decision_id:
        decision = case.joint_decision
        return Due(decision.common_due_on, decision.common_due_is_provisional)
    if case.materials_complete_on is None:
        return Due(None, False)
    pauses = list(case.pauses.all()) if pauses is None else list(pauses)
    limit, unit = case_limit(case)
    # Paused time lengthens the limit in its own unit: a limit in natural days counts
    # calendar days, not working days.
    return due_after(
        case.materials_complete_on, limit + paused_days(pauses, unit, calendar), unit, calendar
    )


def common_due(
    decided_on: datetime.date, limits: Iterable[tuple[int, str]], calendar=workdays
) -> Due:
    """The one due date of items a joint meeting decided to approve together (同时审批、
    同时办结, SPEC §6), from each case's limit and unit (``case_limit``).

    SPEC §6 dates a due date from its start by the item's limit in the limit's own unit,
    and done together means none is done before the last can be. So each limit is counted
    from the decision day in its own unit — working days on the calendar, natural days as
    calendar days — and the common due date is the latest of those dates: every item keeps
    its full time limit, and the date is the same whatever the order of the cases. It is
    provisional when any of the dates compared is: loading that year can move a date past
    the others, so the common date is recomputed then as well."""
    dues = [due_after(decided_on, limit, unit, calendar) for limit, unit in limits]
    if not dues:
        raise ValueError("a joint decision needs the limits of its cases")
    return Due(max(d.date for d in dues), any(d.provisional for d in dues))


def _save_due(case: ApprovalCase) -> None:
    due = compute_due(case)
    case.due_on, case.due_is_provisional = due.date, due.provisional
    case.paused = case.pauses.filter(ended_on__isnull=True).exists()


def recompute_due_dates(cases) -> int:
    """Recompute the due dates of a set of cases (e.g. when a calendar year is loaded);
    the calendar is read once for their span."""
    changed = 0
    span = cases.aggregate(first=Min("materials_complete_on"), last=Max("due_on"))
    calendar = workdays
    if span["first"]:
        calendar = workdays.CalendarWindow(span["first"], span["last"] or span["first"])
    latest = None
    for case in cases.select_related("item", "joint_decision").prefetch_related("pauses"):
        due = compute_due(case, calendar=calendar)
        if due.date and (latest is None or due.date > latest):
            latest = due.date
        if (case.due_on, case.due_is_provisional) != (due.date, due.provisional):
            case.due_on, case.due_is_provisional = due.date, due.provisional
            case.save(update_fields=["due_on", "due_is_provisional", "updated_at"])
            changed += 1
    if latest and calendar is not workdays and calendar.reaches_past_index:
        # Stored due dates stay inside the index, where SQL counts the days left.
        workdays.ensure_range(latest)
    return changed


def recompute_joint_decisions(decisions) -> int:
    """Recompute the common due dates of joint decisions from their cases' limits."""
    changed = 0
    for decision in decisions.prefetch_related(
        Prefetch("cases", queryset=ApprovalCase.objects.select_related("item"))
    ):
        limits = [case_limit(c) for c in decision.cases.all()]
        if not limits:
            continue
        due = common_due(decision.decided_on, limits)
        if (decision.common_due_on, decision.common_due_is_provisional) != (
            due.date,
            due.provisional,
        ):
            decision.common_due_on, decision.common_due_is_provisional = due.date, due.provisional
            decision.save(update_fields=["common_due_on", "common_due_is_provisional"])
            changed += 1
    return changed


def recompute_provisional_due_dates(years: Iterable[int]) -> int:
    """Hook for workdays.load_year: every provisional due date is computed again, the
    joint decisions' common due dates first (their cases take them over)."""
    recompute_joint_decisions(JointDecision.objects.filter(common_due_is_provisional=True))
    return recompute_due_dates(ApprovalCase.objects.filter(due_is_provisional=True))


# ---------------------------------------------------------------------------------------
# Registration (统一受理)


def _new_case(user, project, item: ApprovalItem, agent=None) -> ApprovalCase:
    case = ApprovalCase(
        district_id=project.district_id,
        project=project,
        item=item,
        department_id=item.department_id,
        agent=agent,
        registered_on=_today(),
        registered_by=user,
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
    )
    case.save()
    log_event(user, "case.registered", case, summary=f"{project.name} · {item.name}")
    return case


def _check_agent(agent, project) -> None:
    from zhaoshang.core import roles

    if agent is None:
        return
    if agent.district_id != project.district_id or not roles.has_role(
        agent, roles.Role.SERVICE_CENTER
    ):
        raise ValidationError(
            {"agent": _("The agent must be a service center agent of the district.")}
        )


@transaction.atomic
def register_case(user, project, item: ApprovalItem, agent=None) -> ApprovalCase:
    _require(permissions.can_register(user, project))
    if item.district_id != project.district_id:
        raise ValidationError({"item": _("This record belongs to another district.")})
    if ApprovalCase.objects.filter(project=project, item=item).exists():
        raise ValidationError(
            {"item": _("This project already has a case for “%(item)s”.") % {"item": item.name}}
        )
    _check_agent(agent, project)
    return _new_case(user, project, item, agent)


@transaction.atomic
def register_green_channel(user, project, agent) -> list[ApprovalCase]:
    """统一受理: register every green-channel item of the catalogue for the project at once,
    each carried by the agent (项目代办)."""
    _require(permissions.can_register(user, project))
    if not project.is_green_channel:
        raise ValidationError(_("Only a green-channel project has its cases registered at once."))
    if agent is None:
        raise ValidationError({"agent": _("Choose the agent who carries the cases.")})
    _check_agent(agent, project)
    existing = set(ApprovalCase.objects.filter(project=project).values_list("item_id", flat=True))
    items = ApprovalItem.objects.filter(
        district_id=project.district_id, is_active=True, in_green_channel=True
    )
    created = [_new_case(user, project, item, agent) for item in items.exclude(pk__in=existing)]
    for case in ApprovalCase.objects.filter(project=project, agent__isnull=True):
        case.agent = agent  # saved one by one so the change history keeps it
        case.save(update_fields=["agent", "updated_at"])
    log_event(
        user,
        "project.green_channel_registered",
        project,
        summary=str(len(created)),
        count=len(created),
    )
    return created


# ---------------------------------------------------------------------------------------
# The life of a case


def _lock(case: ApprovalCase, expected_version: int | None) -> ApprovalCase:
    locked = (
        ApprovalCase.objects.select_for_update(of=("self",))
        .select_related("item", "project", "joint_decision", "department")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else acted on this case after you opened it (it is now “%(status)s”). "
                "Reload the page to see what changed; nothing of yours was saved."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _save(case: ApprovalCase, user, verb: str, summary: str = "", **data) -> ApprovalCase:
    _save_due(case)
    case.version += 1
    case.save()
    log_event(
        user, verb, case, summary=summary or case.get_status_display(), status=case.status, **data
    )
    return case


def _require_status(case: ApprovalCase, *allowed: str) -> None:
    if case.status not in allowed:
        raise ValidationError(
            {
                "status": _("This cannot be done while the case is “%(status)s”.")
                % {"status": case.get_status_display()}
            }
        )


def unmet_prerequisites(case: ApprovalCase) -> list[ApprovalItem]:
    """Prerequisite items not yet done for this project (a joint decision waives those
    decided together)."""
    needed = list(case.item.prerequisites.all())
    if not needed:
        return []
    done = set(
        ApprovalCase.objects.filter(project_id=case.project_id, status=CaseStatus.DONE).values_list(
            "item_id", flat=True
        )
    )
    joint = set()
    if case.joint_decision_id:
        joint = set(case.joint_decision.cases.values_list("item_id", flat=True))
    return [p for p in needed if p.pk not in done and p.pk not in joint]


@transaction.atomic
def mark_materials_complete(
    user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None
):
    """申报材料齐备: the clock starts the day after."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case) or permissions.can_register(user, case.project))
    _require_status(case, CaseStatus.PENDING, CaseStatus.SUPPLEMENT)
    if case.accepted_on:
        # After acceptance, 补正 is a pause: resume_case ends it; the clock start stays.
        raise ValidationError(
            {"status": _("The case is accepted: record the supplement by resuming the case.")}
        )
    _check_date("materials_complete_on", on, case.registered_on)
    case.materials_complete_on = on
    case.status = CaseStatus.PENDING
    return _save(case, user, "case.materials_complete", on=on)


@transaction.atomic
def accept_case(
    user,
    case: ApprovalCase,
    on: datetime.date,
    expected_version: int | None = None,
    *,
    pledge_materials: str = "",
    pledge_due_on: datetime.date | None = None,
) -> ApprovalCase:
    """受理. With ``pledge_materials`` the case is accepted with minor materials missing on
    the enterprise's written pledge (容缺受理) and the clock starts now."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    if case.status != CaseStatus.PENDING:
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS) and case.handler_id:
            message = ValidationError(
                _("The case is already “%(status)s”; it was accepted by %(who)s."),
                code="already_accepted",
                params={"status": case.get_status_display(), "who": case.handler.display_name},
            )
        else:
            message = ValidationError(
                _("The case is “%(status)s” and cannot be accepted now."),
                code="not_pending",
                params={"status": case.get_status_display()},
            )
        raise ValidationError({"status": message})
    _check_date("accepted_on", on, case.registered_on)
    missing = unmet_prerequisites(case)
    if missing:
        raise ValidationError(
            {
                "status": _("The prerequisites are not done yet: %(items)s.")
                % {"items": "、".join(p.name for p in missing)}
            }
        )
    if pledge_materials.strip():
        if pledge_due_on is None or pledge_due_on <= on:
            raise ValidationError(
                {
                    "pledge_due_on": _(
                        "Give the date by which the enterprise pledges the missing materials; it must be after the acceptance."
                    )
                }
            )
        case.pledge_materials, case.pledge_due_on = pledge_materials.strip(), pledge_due_on
        case.materials_complete_on = case.materials_complete_on or on
    elif case.materials_complete_on is None:
        raise ValidationError(
            {
                "materials_complete_on": _(
                    "The materials are not complete: record the day they were, or accept on a written pledge (容缺受理)."
                )
            }
        )
    case.status = CaseStatus.ACCEPTED
    case.accepted_on = on
    case.handler = user
    return _save(case, user, "case.accepted", on=on, pledge=bool(case.pledge_materials))


@transaction.atomic
def start_handling(user, case: ApprovalCase, expected_version: int | None = None) -> ApprovalCase:
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    _require_status(case, CaseStatus.ACCEPTED)
    case.status = CaseStatus.IN_PROGRESS
    return _save(case, user, "case.in_progress")


PAUSE_KINDS_SPECIAL = (PauseKind.HEARING, PauseKind.EXPERT_REVIEW, PauseKind.SITE_SURVEY)


@transaction.atomic
def pause_case(
    user,
    case: ApprovalCase,
    kind: str,
    reason: str,
    on: datetime.date,
    expected_version: int | None = None,
):
    """Stop the clock: 补正 (waiting for the enterprise) or a special procedure."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    if kind not in (PauseKind.SUPPLEMENT, *PAUSE_KINDS_SPECIAL):
        raise ValidationError({"kind": _("Unknown kind of pause.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the pause.")})
    if (
        kind == PauseKind.SUPPLEMENT
        and case.status == CaseStatus.PENDING
        and case.materials_complete_on is None
    ):
        # Before the materials are complete there is no clock to stop: the case waits.
        case.status = CaseStatus.SUPPLEMENT
        return _save(case, user, "case.supplement_requested", summary=reason, reason=reason)
    _require_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ValidationError({"kind": _("The case is already paused.")})
    _check_date("started_on", on, case.accepted_on)
    CasePause.objects.create(
        case=case, kind=kind, reason=reason.strip(), started_on=on, created_by=user
    )
    if kind == PauseKind.SUPPLEMENT:
        case.status = CaseStatus.SUPPLEMENT
    return _save(case, user, "case.paused", summary=reason, kind=kind, on=on)


@transaction.atomic
def resume_case(user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None):
    """The pause ends: materials supplemented, or the special procedure finished."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        if case.status == CaseStatus.SUPPLEMENT and case.materials_complete_on is None:
            _check_date("ended_on", on, case.registered_on)
            case.status = CaseStatus.PENDING
            case.materials_complete_on = on
            return _save(case, user, "case.materials_complete", on=on)
        raise ValidationError({"status": _("The case is not paused.")})
    _check_date("ended_on", on, pause.started_on)
    pause.ended_on = on
    pause.save()
    if case.status == CaseStatus.SUPPLEMENT:
        case.status = CaseStatus.IN_PROGRESS if case.handler_id else CaseStatus.ACCEPTED
    return _save(case, user, "case.resumed", kind=pause.kind, on=on)


@transaction.atomic
def extend_case(
    user,
    case: ApprovalCase,
    reason: str,
    approver,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ApprovalCase:
    """Special circumstances (特殊情况): the limit becomes the item's special limit (10
    working days by default) — only with a reason and a recorded approver."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    _require_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.SUPPLEMENT)
    if case.extended:
        raise ValidationError({"status": _("The case has already been extended.")})
    if not (reason or "").strip():
        raise ValidationError(
            {"extension_reason": _("An extension needs the reason for the special circumstances.")}
        )
    if approver is None or not permissions.can_approve_extension(approver, case.district_id):
        raise ValidationError(
            {
                "extension_approver": _(
                    "An extension needs an approver: a district leader or administrator."
                )
            }
        )
    # Compare the due dates, not the numbers: the special limit is in working days, the
    # normal one may be in natural days.
    normal = compute_due(case)
    case.extended = True
    special = compute_due(case)
    if normal.date is not None and special.date is not None and special.date <= normal.date:
        raise ValidationError(
            {"status": _("This item's special limit is not longer than its normal one.")}
        )
    on = on or _today()
    _check_date("extended_on", on, case.accepted_on)
    case.extension_reason = reason.strip()
    case.extension_approver = approver
    case.extended_on = on
    return _save(case, user, "case.extended", summary=reason, approver=approver.pk)


@transaction.atomic
def fulfil_pledge(user, case: ApprovalCase, on: datetime.date, expected_version: int | None = None):
    """The pledged materials arrived; a pledge pause ends."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    if not case.pledge_materials or case.pledge_fulfilled_on:
        raise ValidationError({"status": _("The case has no open pledge.")})
    _check_date("pledge_fulfilled_on", on, case.accepted_on)
    case.pledge_fulfilled_on = on
    pause = case.pauses.filter(ended_on__isnull=True, kind=PauseKind.PLEDGE_OVERDUE).first()
    if pause:
        pause.ended_on = on
        pause.save()
    return _save(case, user, "case.pledge_fulfilled", on=on)


@transaction.atomic
def report_upward(
    user, case: ApprovalCase, to: str, on: datetime.date, expected_version: int | None = None
):
    """对口上报: the district's part is done and the case goes to a higher authority,
    tracked until it answers."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    _require_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
    if not (to or "").strip():
        raise ValidationError({"reported_to": _("Name the authority the case is reported to.")})
    _check_date("reported_on", on, case.accepted_on)
    case.status = CaseStatus.REPORTED
    case.reported_on, case.reported_to = on, to.strip()
    return _save(case, user, "case.reported", summary=to, on=on)


def _notify_done(case: ApprovalCase) -> None:
    """办结告知: the enterprise's portal accounts and the project team are told."""
    from zhaoshang.org.models import User

    recipients = (
        list(User.objects.filter(enterprise_id=case.project.enterprise_id, is_active=True))
        if case.project.enterprise_id
        else []
    )
    recipients += [m.user for m in case.project.team_members.select_related("user")]
    notify(
        recipients,
        "case.done",
        _("“%(item)s” is done for %(project)s")
        % {"item": case.item.name, "project": case.project.name},
        url=case.get_absolute_url(),
    )


def _close_done(user, case: ApprovalCase, on: datetime.date, answer: str = "") -> ApprovalCase:
    case.status = CaseStatus.DONE
    case.done_on = on
    if answer:
        case.higher_answer = answer
    _save(case, user, "case.done", on=on)
    if case.due_on and on > case.due_on:
        record_overdue(case, on)
    _notify_done(case)
    return case


@transaction.atomic
def complete_case(
    user,
    case: ApprovalCase,
    on: datetime.date,
    expected_version: int | None = None,
    answer: str = "",
) -> list[ApprovalCase]:
    """办结. Cases under a joint decision are done together (同时办结)."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    _require_status(case, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REPORTED)
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ValidationError({"status": _("End the pause before completing the case.")})
    if case.status == CaseStatus.REPORTED and not (answer or "").strip():
        raise ValidationError({"higher_answer": _("Record the higher authority's answer.")})
    _check_date("done_on", on, case.accepted_on)
    if case.joint_decision_id:
        others = list(
            ApprovalCase.objects.select_for_update(of=("self",))
            .filter(joint_decision_id=case.joint_decision_id)
            .exclude(pk=case.pk)
            .select_related("item", "project", "joint_decision")
        )
        not_ready = [
            o
            for o in others
            if o.status
            not in (
                CaseStatus.ACCEPTED,
                CaseStatus.IN_PROGRESS,
                CaseStatus.REPORTED,
                CaseStatus.DONE,
            )
        ]
        if not_ready:
            raise ValidationError(
                {
                    "status": _(
                        "Items decided jointly are done together; not yet accepted: %(items)s."
                    )
                    % {"items": "、".join(o.item.name for o in not_ready)}
                }
            )
        return [
            _close_done(user, c, on, answer) for c in [case, *others] if c.status != CaseStatus.DONE
        ]
    return [_close_done(user, case, on, answer)]


@transaction.atomic
def return_case(
    user, case: ApprovalCase, reason: str, on: datetime.date, expected_version: int | None = None
):
    """退回: the case goes back to the enterprise."""
    case = _lock(case, expected_version)
    _require(permissions.can_handle(user, case))
    _require_status(case, *OPEN_STATUSES)
    if not (reason or "").strip():
        raise ValidationError({"return_reason": _("Give the reason for returning the case.")})
    _check_date("returned_on", on, case.registered_on)
    for pause in case.pauses.filter(ended_on__isnull=True):
        pause.ended_on = on
        pause.save()
    case.status = CaseStatus.RETURNED
    case.returned_on, case.return_reason = on, reason.strip()
    return _save(case, user, "case.returned", summary=reason, on=on)


@transaction.atomic
def transfer_case(
    user,
    case: ApprovalCase,
    to_department,
    reason: str,
    on: datetime.date,
    expected_version: int | None = None,
) -> CaseTransfer:
    """快速转办: another department takes the case; the clock keeps running and who held it
    for how long stays on record."""
    case = _lock(case, expected_version)
    _require(permissions.can_transfer(user, case))
    _require_status(case, *OPEN_STATUSES)
    if to_department.district_id != case.district_id:
        raise ValidationError({"to_department": _("This record belongs to another district.")})
    if to_department.pk == case.department_id:
        raise ValidationError({"to_department": _("The case is already with this department.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the transfer.")})
    last = (
        case.transfers.order_by("-transferred_on").values_list("transferred_on", flat=True).first()
    )
    _check_date("transferred_on", on, last or case.registered_on)
    transfer = CaseTransfer.objects.create(
        case=case,
        from_department=case.department,
        to_department=to_department,
        transferred_on=on,
        reason=reason.strip(),
        transferred_by=user,
    )
    case.department = to_department
    _save(
        case,
        user,
        "case.transferred",
        summary=f"{transfer.from_department} → {to_department}",
        to=to_department.pk,
        reason=reason,
    )
    return transfer


def days_held_by_department(
    case: ApprovalCase, today: datetime.date | None = None
) -> dict[int, int]:
    """Working days the case's clock ran while each department held it (paused days do not
    count): the evidence for the assessment of timeliness. The calendar is read once for
    the whole span, whatever the number of transfers and pauses."""
    start = case.materials_complete_on
    if start is None:
        return {}
    end = case.done_on or case.returned_on or (today or _today())
    transfers = list(case.transfers.order_by("transferred_on", "id"))
    holders = []
    holder = transfers[0].from_department_id if transfers else case.department_id
    cursor = start
    for t in transfers:
        holders.append((holder, cursor, max(cursor, t.transferred_on)))
        holder, cursor = t.to_department_id, max(cursor, t.transferred_on)
    holders.append((holder, cursor, max(cursor, end)))
    pauses = [(p.started_on, p.ended_on or end) for p in case.pauses.all()]
    calendar = workdays.CalendarWindow(start, holders[-1][2])
    held: dict[int, int] = {}
    for department, a, b in holders:
        days = calendar.workdays_between(a, b)
        for p_start, p_end in pauses:
            lo, hi = max(a, p_start), min(b, p_end)
            if hi > lo:
                days -= calendar.workdays_between(lo, hi)
        held[department] = held.get(department, 0) + max(days, 0)
    return held


# ---------------------------------------------------------------------------------------
# Joint decisions (互为前置, 同时审批、同时办结)


@transaction.atomic
def record_joint_decision(
    user,
    project,
    cases: list[ApprovalCase],
    decided_on: datetime.date,
    document_number: str,
    note: str = "",
) -> JointDecision:
    """A joint meeting's decision that the cases' items, prerequisites of each other
    (互为前置), are approved at the same time: the cases share one common due date
    (``common_due``: the latest date their own limits give from the decision day, each
    in its own unit), and a prerequisite decided together no longer holds a case up."""
    _require(permissions.can_record_joint_decision(user, project))
    cases = list(
        ApprovalCase.objects.select_for_update(of=("self",))
        .filter(pk__in=[c.pk for c in cases])
        .select_related("item")
    )
    if len(cases) < 2 or any(c.project_id != project.pk for c in cases):
        raise ValidationError({"cases": _("Choose at least two cases of this project.")})
    if any(not c.is_open for c in cases):
        raise ValidationError({"cases": _("Only open cases can be decided jointly.")})
    if not (document_number or "").strip():
        raise ValidationError(
            {"document_number": _("Give the number of the meeting's decision document.")}
        )
    _check_date("decided_on", decided_on)
    ids = {c.item_id for c in cases}
    linked = any(set(c.item.prerequisites.values_list("pk", flat=True)) & ids for c in cases)
    if not linked:
        raise ValidationError(
            {
                "cases": _(
                    "None of these items is a prerequisite of another: they can run in parallel without a joint decision."
                )
            }
        )
    common = common_due(decided_on, [case_limit(c) for c in cases])
    decision = JointDecision.objects.create(
        district_id=project.district_id,
        project=project,
        decided_on=decided_on,
        document_number=document_number.strip(),
        note=note,
        common_due_on=common.date,
        common_due_is_provisional=common.provisional,
        recorded_by=user,
    )
    for case in cases:
        case.joint_decision = decision
        if case.materials_complete_on is None:
            case.materials_complete_on = decided_on
        _save(
            case,
            user,
            "case.joint_decision",
            summary=decision.document_number,
            decision=decision.pk,
        )
    log_event(
        user,
        "project.joint_decision",
        project,
        summary=decision.document_number,
        decision=decision.pk,
    )
    return decision


# ---------------------------------------------------------------------------------------
# Scans: overdue cases and pledges (run by the daily scan; safe to run twice)


def _overdue_reason(case: ApprovalCase) -> str:
    return _("“%(item)s” of %(project)s was not done by %(due)s.") % {
        "item": case.item.name,
        "project": case.project.name,
        "due": case.due_on.isoformat(),
    }


def record_overdue(case: ApprovalCase, on: datetime.date | None = None):
    """Write the overdue case's entry to the holding department's ledger, once."""
    from zhaoshang.assessment.models import RuleCode
    from zhaoshang.assessment.services import write_rule_entry

    return write_rule_entry(
        RuleCode.OVERDUE_CASE, case.department, case, _overdue_reason(case), on or case.due_on
    )


@transaction.atomic
def scan_overdue(today: datetime.date | None = None) -> int:
    """Every open, running case past its due date writes its ledger entry (once), dated
    the first working day after its due date: one query finds them, bulk inserts write
    them."""
    from django.contrib.contenttypes.models import ContentType

    from zhaoshang.assessment.models import LedgerEntry, RuleCode
    from zhaoshang.assessment.services import RuleHit, write_rule_entries

    today = today or _today()
    recorded = LedgerEntry.objects.filter(
        rule_code=RuleCode.OVERDUE_CASE,
        evidence_type=ContentType.objects.get_for_model(ApprovalCase),
    ).values("evidence_id")
    overdue = list(
        ApprovalCase.objects.filter(status__in=OPEN_STATUSES, paused=False, due_on__lt=today)
        .exclude(pk__in=recorded)
        .select_related("item", "project", "department")
        .only(
            "district_id",
            "due_on",
            "item__name",
            "project__name",
            "department__district_id",
        )
    )
    if not overdue:
        return 0
    calendar = workdays.CalendarWindow(min(c.due_on for c in overdue), today)
    hits = [
        RuleHit(
            case.department,
            case,
            _overdue_reason(case),
            calendar.add_workdays(case.due_on, 1).date,
        )
        for case in overdue
    ]
    return len(write_rule_entries(RuleCode.OVERDUE_CASE, hits))


@transaction.atomic
def scan_pledges(today: datetime.date | None = None, user=None) -> tuple[int, int]:
    """容缺: pledged materials still missing after the pledged date pause the case; after
    15 working days paused so, the case goes back to the enterprise."""
    today = today or _today()
    paused = returned = 0
    late = ApprovalCase.objects.filter(
        status__in=OPEN_STATUSES, pledge_due_on__lt=today, pledge_fulfilled_on__isnull=True
    ).exclude(pledge_materials="")
    for case in late.select_related("item", "project", "department"):
        pause = case.pauses.filter(kind=PauseKind.PLEDGE_OVERDUE).first()
        if pause is None:
            open_pause = case.pauses.filter(ended_on__isnull=True).first()
            if open_pause is None:
                CasePause.objects.create(
                    case=case,
                    kind=PauseKind.PLEDGE_OVERDUE,
                    started_on=case.pledge_due_on,
                    reason=_("Pledged materials not received: %(m)s")
                    % {"m": case.pledge_materials},
                    created_by=user or case.registered_by,
                )
                case.paused = True
                case.save(update_fields=["paused", "updated_at"])
                log_event(user, "case.pledge_overdue", case, summary=case.pledge_materials)
                paused += 1
            continue
        if (
            pause.ended_on is None
            and workdays.workdays_between(pause.started_on, today) >= PLEDGE_RETURN_WORKDAYS
        ):
            pause.ended_on = today
            pause.save()
            case.status = CaseStatus.RETURNED
            case.returned_on = today
            case.return_reason = _("Pledged materials not received within %(n)d working days.") % {
                "n": PLEDGE_RETURN_WORKDAYS
            }
            case.paused = False
            case.version += 1
            case.save()
            log_event(user, "case.returned", case, summary=case.return_reason)
            returned += 1
    return paused, returned


# ---------------------------------------------------------------------------------------
# Forecast (critical path)


@dataclass
class Forecast:
    finish: dict[int, Due]  # case id -> earliest finish
    all_done_by: Due | None
    holding_case: ApprovalCase | None
    critical_path: list[ApprovalCase]


def forecast(project, today: datetime.date | None = None) -> Forecast:
    """The earliest date by which all of the project's approvals can be done, from the
    prerequisite graph and the time limits, and the case that holds the project up."""
    today = today or _today()
    cases = list(
        ApprovalCase.objects.filter(project=project)
        .exclude(status=CaseStatus.RETURNED)
        .select_related("item", "joint_decision", "department")
        .prefetch_related("item__prerequisites", "pauses")
    )
    by_item = {c.item_id: c for c in cases}
    finish: dict[int, Due] = {}
    pred: dict[int, ApprovalCase | None] = {}
    # Read once: every case not yet started is counted from today or later.
    calendar = workdays.CalendarWindow(today, today + FORECAST_READ_AHEAD)

    def earliest(case: ApprovalCase, stack=()) -> Due:
        if case.pk in finish:
            return finish[case.pk]
        if case.status == CaseStatus.DONE:
            result = Due(case.done_on, False)
            pred[case.pk] = None
        else:
            start, provisional, before = today, False, None
            joint = set()
            if case.joint_decision_id:
                joint = {c.item_id for c in cases if c.joint_decision_id == case.joint_decision_id}
            for prereq in case.item.prerequisites.all():
                other = by_item.get(prereq.pk)
                if other is None or prereq.pk in joint or other.pk in stack:
                    continue
                due = earliest(other, (*stack, case.pk))
                if due.date and due.date > start:
                    start, provisional, before = due.date, due.provisional, other
            if case.due_on and (before is None or case.due_on >= start):
                result = Due(max(case.due_on, today), case.due_is_provisional)
            else:
                # Counted in the limit's own unit, as the due date will be.
                added = due_after(start, *case_limit(case), calendar)
                result = Due(added.date, added.provisional or provisional)
            pred[case.pk] = before
        finish[case.pk] = result
        return result

    for case in cases:
        earliest(case)
    open_cases = [c for c in cases if c.status != CaseStatus.DONE]
    if not cases:
        return Forecast(finish, None, None, [])
    last = max(cases, key=lambda c: (finish[c.pk].date or today, c.pk))
    path = [last]
    while pred.get(path[-1].pk):
        path.append(pred[path[-1].pk])
    path.reverse()
    holding = next((c for c in path if c.status != CaseStatus.DONE), None)
    all_done = (
        finish[last.pk] if open_cases else Due(max(c.done_on for c in cases if c.done_on), False)
    )
    return Forecast(finish, all_done, holding, path)
