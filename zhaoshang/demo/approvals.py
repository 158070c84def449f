"""The approval cases of the demo city (SPEC §6, 限时办结 and 绿色通道).

Every project from signing on has its cases: those of the phases it has passed are done
(materials complete, accepted, done within the limit or a little beyond it); those of the
phase it is in run now, in every state a worklist meets — on time, due soon, overdue, paused
for 补正 or a special procedure, extended, transferred, reported upward, accepted on a
pledge (容缺), returned. Green-channel projects have all their green-channel items registered
at once, carried by an agent of the service center; one project has a joint decision.

Rows are built directly, dated in the past as the services would have dated them (the
services stamp today's date, so they cannot replay a history), and every due date is
computed by ``approvals.services.compute_due`` — the rule itself. The ledger is written
by the services: ``record_overdue`` for cases done late, ``scan_overdue`` for open ones.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import (
    CaseStatus,
    ItemLevel,
    LimitUnit,
    PauseKind,
    Phase,
)
from zhaoshang.approvals.models import (
    ApprovalCase,
    ApprovalItem,
    CasePause,
    CaseTransfer,
    JointDecision,
)
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import Department, User
from zhaoshang.projects.choices import ProjectKind, Stage
from zhaoshang.workdays import services as workdays
from zhaoshang.workdays.models import Day

SEED = 2026_06
ONE_DAY = datetime.timedelta(days=1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# The stage whose date opens an item's window and the stage by which it is done.
WINDOWS = {
    Phase.PROJECT_LAND: (Stage.SIGNED, Stage.LAND_DELIVERED),
    Phase.WORKS_PLANNING: (Stage.LAND_DELIVERED, Stage.STARTED),
    Phase.CONSTRUCTION: (Stage.LAND_DELIVERED, Stage.STARTED),
    Phase.UTILITIES: (Stage.STARTED, Stage.COMPLETED),
    Phase.ACCEPTANCE: (Stage.COMPLETED, Stage.PRODUCTION),
}
# Assessments that only gate the construction permit may run until the works start.
UNTIL_STARTED = ("XM-04", "XM-05", "XM-06", "XM-07", "XM-08")
STAGE_FIELDS = {
    Stage.SIGNED: "signed_on",
    Stage.LAND_DELIVERED: "land_delivered_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCTION: "production_on",
}

# What an open case is doing today.
RUNNING = "running"  # accepted or in progress, on time or not (the light is the target)
PENDING_COMPLETE = "pending_complete"  # materials complete, not yet accepted
SUPPLEMENT_OPEN = "supplement_open"  # 补正 after acceptance: clock paused
SPECIAL_OPEN = "special_open"  # special procedure: clock paused
RESUMED = "resumed"  # a pause behind it, running again
EXTENDED = "extended"  # special circumstances: 10 working days
TRANSFERRED = "transferred"  # 快速转办 to the competent department, then accepted
REPORTED = "reported"  # 上报 and waiting for the higher authority
PLEDGE = "pledge"  # 容缺受理
PLEDGE_OVERDUE = "pledge_overdue"  # pledged materials late: paused by the daily scan
RETURNED = "returned"
DONE = "done"
WAITING = "waiting"  # registered, materials not complete
PRE_SUPPLEMENT = "pre_supplement"  # materials incomplete: 补正 before acceptance
JOINT = "joint"

GREEN, YELLOW, RED = (2, 99), (0, 1), (-6, -1)  # ranges of working days left


class Calendar:
    """The working-day index in memory, to choose dates (due dates come from the services)."""

    def __init__(self, first: datetime.date, last: datetime.date):
        workdays.ensure_range(last)
        rows = Day.objects.filter(date__range=(first, last)).values_list(
            "date", "is_workday", "seq"
        )
        self.seq: dict[datetime.date, int] = {}
        self.work: dict[datetime.date, bool] = {}
        self.by_seq: dict[int, datetime.date] = {}
        for day, is_workday, seq in rows:
            self.seq[day], self.work[day] = seq, is_workday
            if is_workday:
                self.by_seq[seq] = day

    def after(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``day`` (``day`` itself for n == 0)."""
        return day if n == 0 else self.by_seq[self.seq[day] + n]

    def before(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th working day before ``day`` (n >= 1)."""
        return self.by_seq[self.seq[day] - n + (0 if self.work[day] else 1)]

    def between(self, a: datetime.date, b: datetime.date) -> int:
        return self.seq[b] - self.seq[a]

    def on_or_after(self, day: datetime.date) -> datetime.date:
        return day if self.work[day] else self.after(day, 1)

    def left(self, due: datetime.date, today: datetime.date) -> int:
        left = self.seq[due] - self.seq[today]
        return min(left, -1) if due < today else left


@dataclass
class Pause:
    kind: str
    reason: str
    start: datetime.date
    end: datetime.date | None


@dataclass
class CasePlan:
    """A case before it is saved: its dates, its state and its timeline."""

    project: object
    plan: object
    item: ApprovalItem
    registered_on: datetime.date
    registrar: User
    agent: User | None
    department: Department
    status: str = CaseStatus.PENDING
    earliest: datetime.date | None = None  # materials cannot be complete before this
    deadline: datetime.date | None = None  # done before this (the next stage's date)
    mc: datetime.date | None = None
    accepted_on: datetime.date | None = None
    handler: User | None = None
    done_on: datetime.date | None = None
    returned_on: datetime.date | None = None
    return_reason: str = ""
    reported_on: datetime.date | None = None
    reported_to: str = ""
    higher_answer: str = ""
    extended_on: datetime.date | None = None
    extension_reason: str = ""
    approver: User | None = None
    pledge: str = ""
    pledge_due_on: datetime.date | None = None
    pledge_fulfilled_on: datetime.date | None = None
    pauses: list = field(default_factory=list)
    transfers: list = field(default_factory=list)  # (from, to, day, reason, by)
    events: list = field(default_factory=list)  # (day, actor, verb, summary, data)
    scenario: str = ""
    joint: bool = False
    case: ApprovalCase | None = None

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def done(self) -> bool:
        return self.status == CaseStatus.DONE

    def event(self, day, actor, verb: str, summary: str = "", **data) -> None:
        self.events.append((day, actor, verb, summary, data))


class ApprovalsBuilder:
    """Adds the catalogue, the handlers and the cases to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.case_type = ContentType.objects.get_for_model(ApprovalCase)
        self.project_type = builder.project_type
        self.plans: list[CasePlan] = []
        self.decisions: list[tuple[JointDecision, list[CasePlan], object]] = []
        self.project_events: list[tuple] = []
        self.busy_department = builder.worlds[0].role_users[Role.DEPARTMENT].department_id

    # -- entry point ----------------------------------------------------------------------

    def build(self) -> None:
        today = self.today
        first, last = datetime.date(today.year - 8, 1, 1), datetime.date(today.year + 2, 12, 31)
        self.cal = Calendar(first, last)
        # The services' arithmetic on the index read once, for the due dates of every case.
        self.window = workdays.CalendarWindow(first, last)
        for world in self.builder.worlds:
            self._catalogue(world)
            self._handlers(world)
        for world in self.builder.worlds:
            self._plan_district(world)
        self._assign_scenarios()
        self._save()
        self._ledger()
        self._notifications()

    # -- the catalogue and the people who handle it -----------------------------------------

    def _catalogue(self, world) -> None:
        district = world.district
        # The shipped catalogue, 取水许可 (XM-08, 45 working days) included.
        items = {i.code: i for i in seed_catalogue(district)}
        world.items = dict(sorted(items.items(), key=lambda kv: (kv[1].sort_order, kv[0])))
        world.prerequisites = {
            code: {p.code for p in item.prerequisites.all()} for code, item in items.items()
        }

    def _handlers(self, world) -> None:
        """One handler (经办人, role department) for every department that handles items;
        the departments the catalogue added get theirs here."""
        builder = self.builder
        departments = {i.department_id: i.department for i in world.items.values()}
        handlers = {}
        for user in User.objects.filter(
            department_id__in=departments, groups__name=Role.DEPARTMENT
        ).order_by("rank", "pk"):
            # the general cadre handles; a head only where no one else does
            if user.department_id not in handlers or handlers[user.department_id].rank != "general":
                handlers[user.department_id] = user
        rows = []
        for pk, department in sorted(departments.items()):
            if pk in handlers:
                continue
            user = User(
                username=builder._username(real_name := builder._person()),
                real_name=real_name,
                district=world.district,
                department=department,
                rank="general",
                title="行政审批经办人",
                phone=builder._mobile(),
            )
            rows.append((user, Role.DEPARTMENT))
            handlers[pk] = user
        if rows:
            builder._make_users(rows, world)
            world.staff.extend(u for u, _r in rows)
        world.handlers = handlers
        center = world.departments["center"]
        world.agents = [
            u for u in world.staff if u.department_id == center.pk and u.rank == "general"
        ]
        leaders = world.leaders
        world.approvers = [leaders[k] for k in ("construction", "industry") if k in leaders]

    # -- planning -----------------------------------------------------------------------------

    def _plan_district(self, world) -> None:
        plans = sorted(
            (p for p in world.plans if p.project.signed_on and p.stage != Stage.TERMINATED),
            key=lambda p: p.project.code,
        )
        joint = None
        if world.spec.code == self.builder.worlds[0].spec.code:
            joint = self._joint_project(plans)
        for plan in plans:
            self._plan_project(world, plan, joint=plan is joint)

    def _joint_project(self, plans):
        """A green-channel project in its works-planning phase for the joint decision."""
        limit = self.today - datetime.timedelta(days=25)
        for green in (True, False):
            for plan in plans:
                project = plan.project
                if (
                    bool(plan.green) == green
                    and project.stage == Stage.LAND_DELIVERED
                    and project.land_delivered_on <= limit
                ):
                    return plan
        return None

    def _needed(self, world, plan) -> list[str]:
        """The items a project applies for."""
        rng = self.rng
        key = (plan.industry or {}).get("key")
        if plan.green:
            codes = {c for c, item in world.items.items() if item.in_green_channel}
        else:
            codes = {"XM-01", "XM-02", "XM-03", "XM-04", "GC-01", "GC-02", "GC-03", "SG-01"}
            codes |= {"SZ-01", "JG-01", "JG-02", "JG-03"}
            if plan.level != "general":
                codes.add("XM-05")
            if key == "chem":
                codes.add("XM-06")
            if rng.random() < 0.4:
                codes.add("XM-07")
            if rng.random() < 0.8 or plan.kind == ProjectKind.INFRASTRUCTURE:
                codes.add("SZ-02")
            if key in N.GAS_INDUSTRIES:
                codes.add("SZ-03")
        if key in N.WATER_INDUSTRIES:
            codes.add("XM-08")
        return [c for c in world.items if c in codes]

    def _window(self, project, item) -> tuple[datetime.date | None, datetime.date | None]:
        """The date an item's window opened (None: not yet) and the date it closed (None:
        still open; for a project that exited before, the exit date)."""
        start_stage, end_stage = WINDOWS[item.phase]
        if item.code in UNTIL_STARTED:
            end_stage = Stage.STARTED
        start = getattr(project, STAGE_FIELDS[start_stage])
        end = getattr(project, STAGE_FIELDS[end_stage])
        if project.stage == Stage.EXITED:
            if start is None:
                return None, None
            return start, end or project.exited_on
        return start, end

    def _deadlines(self, world, project, codes) -> dict[str, datetime.date | None]:
        """A case is done before its window closes, and early enough for the cases that
        need it to fit before theirs."""
        deadlines: dict[str, datetime.date | None] = {}
        for code in reversed(codes):
            _start, end = self._window(project, world.items[code])
            deadline = end if end is not None and end <= self.today else None
            for other in codes:
                if code in world.prerequisites[other] and deadlines.get(other) is not None:
                    limit = deadlines[other] - datetime.timedelta(days=3)
                    deadline = limit if deadline is None else min(deadline, limit)
            deadlines[code] = deadline
        return deadlines

    def _plan_project(self, world, plan, joint: bool) -> None:
        rng, cal, today = self.rng, self.cal, self.today
        project = plan.project
        codes = self._needed(world, plan)
        registrar = rng.choice(world.agents)
        agent = r0 = None
        if plan.green:
            # 统一受理: every green-channel item at once, an agent on each (项目代办).
            agent = world.agents[0] if rng.random() < 0.5 else rng.choice(world.agents)
            r0 = min(
                project.signed_on + datetime.timedelta(days=rng.randint(1, 6)), today - ONE_DAY
            )

        deadlines = self._deadlines(world, project, codes)
        joint_codes = {"GC-02", "GC-03"} if joint else set()
        cases: dict[str, CasePlan] = {}
        for code in codes:
            item = world.items[code]
            start, end = self._window(project, item)
            prerequisites = [cases.get(p) for p in world.prerequisites[code] if p in codes]
            waived = joint_codes if code in joint_codes else set()
            blocked = [
                p for p in prerequisites if p is None or (not p.done and p.code not in waived)
            ]
            if r0 is not None and item.in_green_channel:
                registered = r0
            elif start is None or blocked:
                continue  # applied for once its phase has come and its prerequisites are done
            else:
                registered = start + datetime.timedelta(days=rng.randint(0, 4))
                done = [p.done_on for p in prerequisites if p.done]
                if done:
                    registered = max(
                        registered, max(done) + datetime.timedelta(days=rng.randint(0, 2))
                    )
                if end is not None:
                    registered = min(registered, end - datetime.timedelta(days=3))
                registered = max(min(registered, today - ONE_DAY), project.signed_on, r0 or start)
            c = CasePlan(
                project=project,
                plan=plan,
                item=item,
                registered_on=registered,
                registrar=registrar,
                agent=agent if (agent and (item.in_green_channel or rng.random() < 0.7)) else None,
                department=item.department,
                deadline=deadlines[code],
            )
            c.event(registered, registrar, "case.registered", f"{project.name} · {item.name}")
            cases[code] = c

            exited = project.stage == Stage.EXITED and (end is None or end == project.exited_on)
            if start is None or blocked:
                if exited:
                    self._return_at_exit(world, c)
                continue  # registered, waiting for its phase or its prerequisites
            earliest = max(registered, start)
            for p in prerequisites:
                if p.done:
                    earliest = max(earliest, p.done_on + ONE_DAY)
            c.earliest = earliest
            if code in joint_codes:
                c.joint = True
                continue
            if c.deadline is not None and not exited:
                self._schedule_done(world, c, earliest, c.deadline)
                continue
            if exited:
                room_end = project.exited_on - datetime.timedelta(days=10)
                if earliest < room_end and rng.random() < 0.6:
                    self._schedule_done(world, c, earliest, room_end)
                else:
                    self._return_at_exit(world, c)
                continue
            # The window is open: done already if it began long enough ago, else open now.
            # (The `department` account's department keeps more of its cases open, so that
            # its worklist shows every light.)
            room = cal.between(cal.on_or_after(earliest), today)
            limit = self._limit_workdays(item)
            must = joint and code == "GC-01"
            busy = 0.5 if item.department_id == self.busy_department else 1.0
            if (
                must
                or (room > limit + 25 and rng.random() < 0.5 * busy)
                or (room > limit + 4 and rng.random() < 0.2 * busy)
            ):
                last = cal.before(today, 4) if must else today
                self._schedule_done(world, c, earliest, max(last, earliest + ONE_DAY))
            else:
                c.scenario = "candidate"
        if plan.green:
            count = sum(1 for c in cases.values() if c.item.in_green_channel)
            self.project_events.append(
                (r0, registrar, "project.green_channel_registered", project, str(count))
            )
        if joint:
            self._joint_decision(world, project, [cases["GC-02"], cases["GC-03"]])
        self.plans.extend(cases.values())

    def _limit_workdays(self, item) -> int:
        if item.time_limit_unit == LimitUnit.NATURAL_DAY:
            return item.time_limit * 5 // 7
        return item.time_limit

    # -- cases done, returned --------------------------------------------------------------

    def _schedule_done(self, world, c: CasePlan, earliest, deadline) -> None:
        """Materials complete, accepted and done before ``deadline`` (exclusive): within the
        limit mostly, a little beyond it sometimes (the ledger records those)."""
        rng, cal = self.rng, self.cal
        item = c.item
        natural = item.time_limit_unit == LimitUnit.NATURAL_DAY
        last = min(deadline - ONE_DAY, self.today - ONE_DAY)
        first = cal.on_or_after(min(earliest, last))
        if first > last:
            first = last
        extended = not natural and item.special_time_limit > item.time_limit and rng.random() < 0.02
        limit = item.special_time_limit if extended else item.time_limit
        pause = not natural and rng.random() < 0.09
        transfer = not pause and item.code in N.TRANSFERS and rng.random() < 0.08
        paused = rng.randint(2, 6) if pause else 0
        late = rng.random() < 0.07
        k = limit + rng.randint(1, 3) if late else rng.randint(max(1, limit // 3), limit)
        gap = rng.randint(0, 20)

        def done_for(mc, k, paused):
            if natural:
                return cal.on_or_after(mc + datetime.timedelta(days=k))
            return cal.after(mc, k + paused)

        mc = cal.on_or_after(first + datetime.timedelta(days=gap))
        if mc > last or done_for(mc, k, paused) > last:
            mc = first
        if done_for(mc, k, paused) > last:
            pause, paused = False, 0
            k = min(k, limit)
        while k > 0 and done_for(mc, k, paused) > last:
            k -= 1
        done = done_for(mc, k, paused) if k > 0 else mc
        if done > last:  # squeezed between a late prerequisite and the next stage
            done = mc
        c.mc, c.done_on, c.status = mc, done, CaseStatus.DONE
        c.handler = world.handlers[c.department.pk]
        transfer = transfer and cal.between(mc, done) >= 2
        accepted = mc if (pause or rng.random() < 0.6 or mc == done) else cal.after(mc, 1)
        if transfer:
            accepted = cal.after(mc, 1)
        accepted = min(accepted, done)
        c.accepted_on = accepted
        self._complete_materials(c, mc)
        if transfer:
            self._transfer(world, c, mc)
        c.event(
            accepted,
            c.handler,
            "case.accepted",
            "已受理",
            status="accepted",
            on=accepted,
            pledge=False,
        )
        if pause:
            start = cal.after(mc, 1) if k >= 2 else mc
            end = cal.after(start, paused)
            kind, reason = self._pause_reason(c)
            c.pauses.append(Pause(kind, reason, start, end))
            c.event(
                start,
                c.handler,
                "case.paused",
                reason,
                status="supplement" if kind == PauseKind.SUPPLEMENT else "in_progress",
                kind=kind,
                on=start,
            )
            c.event(end, c.handler, "case.resumed", "", status="in_progress", kind=kind, on=end)
        if extended:
            on = min(cal.after(accepted, 1), done)
            self._extend(world, c, on)
        if item.level == ItemLevel.REPORTED:
            on = min(cal.after(accepted, rng.randint(1, 3)), done)
            self._report(c, on)
            c.higher_answer = N.HIGHER_ANSWERS.format(
                authority=N.REPORTED_TO, year=done.year, n=rng.randint(20, 260)
            )
        c.event(done, c.handler, "case.done", "已办结", status="done", on=done)

    def _complete_materials(self, c: CasePlan, day) -> None:
        c.mc = day
        c.event(
            day,
            c.agent or c.registrar,
            "case.materials_complete",
            "申报材料齐备",
            status="pending",
            on=day,
        )

    def _pause_reason(self, c: CasePlan) -> tuple[str, str]:
        if self.rng.random() < 0.7 or c.code not in ("XM-04", "XM-06", "GC-02", "GC-03", "XM-02"):
            return PauseKind.SUPPLEMENT, N.SUPPLEMENT_REASONS[c.code]
        kind = self.rng.choice(list(N.SPECIAL_PROCEDURES))
        return kind, self.rng.choice(N.SPECIAL_PROCEDURES[kind])

    def _transfer(self, world, c: CasePlan, day) -> bool:
        target_code, reason = N.TRANSFERS[c.code]
        target = world.items[target_code].department
        if target.pk == c.department.pk:
            return False
        by = world.handlers[c.department.pk]
        c.transfers.append((c.department, target, day, reason, by))
        c.event(
            day,
            by,
            "case.transferred",
            f"{c.department.name} → {target.name}",
            status="pending",
            to=target.pk,
            reason=reason,
        )
        c.department = target
        c.handler = world.handlers[target.pk]
        return True

    def _extend(self, world, c: CasePlan, day) -> None:
        c.extended_on = day
        c.extension_reason = self.rng.choice(N.EXTENSION_REASONS)
        c.approver = self.rng.choice(world.approvers)
        c.event(
            day,
            c.handler,
            "case.extended",
            c.extension_reason,
            status="in_progress",
            approver=c.approver.pk,
        )

    def _report(self, c: CasePlan, day) -> None:
        c.reported_on, c.reported_to = day, N.REPORTED_TO
        c.event(day, c.handler, "case.reported", N.REPORTED_TO, status="reported", on=day)

    def _return_at_exit(self, world, c: CasePlan) -> None:
        project = c.project
        reason = N.EXIT_RETURN_REASON.format(reason=c.plan.events[-1].reason.split("，")[0])
        c.scenario = RETURNED
        c.status, c.returned_on, c.return_reason = CaseStatus.RETURNED, project.exited_on, reason
        c.handler = None
        c.event(
            project.exited_on,
            world.handlers[c.department.pk],
            "case.returned",
            reason,
            status="returned",
            on=project.exited_on,
        )

    def _joint_decision(self, world, project, pair: list[CasePlan]) -> None:
        """互为前置: the joint meeting decided two days ago that 施工图审查 and 消防设计审查
        are approved together, with one common due date."""
        cal = self.cal
        decided = cal.before(self.today, 2)
        first, second = pair
        if (
            first.earliest is None
            or second.earliest is None
            or first.earliest > cal.before(self.today, 3)
            or second.earliest > decided
        ):
            # no room for the meeting: 施工图审查 runs alone, 消防设计 waits for it
            first.joint = second.joint = False
            first.scenario = "candidate"
            return
        recorder = world.role_users[Role.SERVICE_CENTER]
        common = services.common_due(
            decided, [(c.item.time_limit, c.item.time_limit_unit) for c in pair]
        )
        decision = JointDecision(
            district=world.district,
            project=project,
            decided_on=decided,
            document_number=N.JOINT_DECISION_NUMBER.format(
                year=decided.year, n=self.rng.randint(10, 40)
            ),
            note=N.JOINT_DECISION_NOTE,
            common_due_on=common.date,
            common_due_is_provisional=common.provisional,
            recorded_by=recorder,
        )
        handler = world.handlers[first.department.pk]
        # 施工图审查 was accepted the day before the meeting; 消防设计 on the meeting's word.
        self._complete_materials(first, cal.before(self.today, 3))
        first.accepted_on, first.handler = first.mc, handler
        first.event(
            first.mc,
            handler,
            "case.accepted",
            "已受理",
            status="accepted",
            on=first.mc,
            pledge=False,
        )
        first.event(decided, handler, "case.in_progress", "", status="in_progress")
        first.status = CaseStatus.IN_PROGRESS
        second.mc = decided
        second.event(
            decided, recorder, "case.joint_decision", decision.document_number, status="pending"
        )
        first.event(
            decided, recorder, "case.joint_decision", decision.document_number, status="in_progress"
        )
        accepted = cal.before(self.today, 1)
        second.accepted_on, second.handler, second.status = accepted, handler, CaseStatus.ACCEPTED
        second.event(
            accepted,
            handler,
            "case.accepted",
            "已受理",
            status="accepted",
            on=accepted,
            pledge=False,
        )
        first.scenario = second.scenario = JOINT
        self.decisions.append((decision, pair, recorder))
        self.project_events.append(
            (decided, recorder, "project.joint_decision", project, decision.document_number)
        )

    # -- open cases ---------------------------------------------------------------------------

    def _assign_scenarios(self) -> None:
        """Give every open case its state today, making sure each state and light appears
        (and the `department` account's worklist shows them all)."""
        rng = self.rng
        candidates = [c for c in self.plans if c.scenario == "candidate"]
        works = self.busy_department
        taken: set[int] = set()

        def give(pool, scenario, target=None, count=1):
            given = 0
            for c in pool:
                if id(c) in taken:
                    continue
                if self._realize(c, scenario, target):
                    taken.add(id(c))
                    given += 1
                    if given == count:
                        return

        own = [c for c in candidates if c.department.pk == works]
        demo = [
            c for c in candidates if c.project.district_id == self.builder.worlds[0].district.pk
        ]
        for scenario, target in (
            (RUNNING, RED),
            (RUNNING, YELLOW),
            (RUNNING, GREEN),
            (SUPPLEMENT_OPEN, None),
            (EXTENDED, GREEN),
            (PLEDGE, YELLOW),
            (SPECIAL_OPEN, None),
            (RUNNING, RED),
            (PENDING_COMPLETE, GREEN),
            (RESUMED, GREEN),
        ):
            give(own, scenario, target)
        # 快速转办 into the department and out of others.
        for code in ("JG-02", "XM-02", "XM-07"):
            give([c for c in demo if c.code == code], TRANSFERRED, None)
        # 取水许可 (45 working days) from recent weeks: due next year, provisional while
        # that year's arrangement is not published.
        next_year = (self.cal.between(self.today, datetime.date(self.today.year, 12, 31)) + 1, 999)
        give([c for c in candidates if c.code == "XM-08"], RUNNING, next_year, count=99)
        reported = [c for c in candidates if c.code == "XM-04"]
        give(reported, REPORTED, None, count=max(1, len(reported) * 2 // 3))
        give(demo, RETURNED, None, count=2)
        give(demo, PLEDGE_OVERDUE, None)
        give(demo, PRE_SUPPLEMENT, None, count=2)
        give(demo, SPECIAL_OPEN, None, count=2)
        weights = [
            ((RUNNING, GREEN), 30),
            ((RUNNING, YELLOW), 10),
            ((RUNNING, RED), 9),
            ((PENDING_COMPLETE, GREEN), 6),
            ((SUPPLEMENT_OPEN, None), 7),
            ((SPECIAL_OPEN, None), 3),
            ((RESUMED, GREEN), 6),
            ((EXTENDED, GREEN), 5),
            ((PLEDGE, GREEN), 4),
            ((DONE, None), 12),
            ((WAITING, None), 4),
            ((PRE_SUPPLEMENT, None), 3),
        ]
        options, chances = zip(*weights, strict=True)
        for c in candidates:
            if id(c) in taken:
                continue
            scenario, target = rng.choices(options, chances)[0]
            for attempt in (
                (scenario, target),
                (RUNNING, GREEN),
                (RUNNING, YELLOW),
                (WAITING, None),
            ):
                if self._realize(c, *attempt):
                    break
            taken.add(id(c))

    def _realize(self, c: CasePlan, scenario: str, target) -> bool:
        """Date an open case so that it is in ``scenario`` today with ``target`` working days
        left (a range); False when its earliest date leaves no room for that."""
        rng, cal, today = self.rng, self.cal, self.today
        item = c.item
        world = next(w for w in self.builder.worlds if w.district.pk == c.project.district_id)
        natural = item.time_limit_unit == LimitUnit.NATURAL_DAY
        yesterday = cal.before(today, 1)
        earliest = cal.on_or_after(c.earliest)
        if earliest > yesterday:
            return scenario == WAITING and self._waiting(c)
        room = cal.between(earliest, yesterday) + 1  # working days to choose from

        if scenario in (WAITING, PRE_SUPPLEMENT, RETURNED, DONE):
            return self._realize_early(world, c, scenario, room)
        if scenario == REPORTED and item.level != ItemLevel.REPORTED:
            return False
        if scenario == TRANSFERRED:
            target_code = N.TRANSFERS.get(c.code, (None,))[0]
            if target_code is None or world.items[target_code].department.pk == c.department.pk:
                return False
        extended = scenario == EXTENDED
        if extended and (natural or item.special_time_limit <= item.time_limit):
            return False
        limit = item.special_time_limit if extended else item.time_limit
        paused = rng.randint(2, 5) if scenario == RESUMED else 0
        if scenario == RESUMED and natural:
            return False
        options = self._options(c, scenario, target, room, limit, paused)
        if not options:
            return False
        n = rng.choice(options)
        mc = cal.before(today, n)
        handler = world.handlers[c.department.pk]
        c.scenario = scenario
        if scenario in (PLEDGE, PLEDGE_OVERDUE):
            return self._pledge(c, scenario, mc, n, handler)
        self._complete_materials(c, mc)
        if scenario == PENDING_COMPLETE:
            return True
        accepted = mc
        if scenario == TRANSFERRED:
            accepted = cal.after(mc, 1)
            self._transfer(world, c, mc)
            handler = c.handler
        elif n >= 2 and rng.random() < 0.3 and scenario not in (RESUMED, EXTENDED):
            accepted = cal.after(mc, 1)
        c.accepted_on, c.handler, c.status = accepted, handler, CaseStatus.ACCEPTED
        c.event(
            accepted,
            handler,
            "case.accepted",
            "已受理",
            status="accepted",
            on=accepted,
            pledge=False,
        )
        if cal.between(accepted, yesterday) >= 1 or rng.random() < 0.5:
            c.status = CaseStatus.IN_PROGRESS
            c.event(accepted, handler, "case.in_progress", "", status="in_progress")
        self._after_acceptance(world, c, scenario, accepted, handler, paused)
        return True

    def _realize_early(self, world, c: CasePlan, scenario: str, room: int) -> bool:
        """Waiting, in 补正 before acceptance, returned, or done."""
        rng, cal, today = self.rng, self.cal, self.today
        if scenario == WAITING:
            return self._waiting(c)
        if scenario == PRE_SUPPLEMENT:
            day = cal.before(today, rng.randint(1, min(room, 8)))
            c.status = CaseStatus.SUPPLEMENT
            c.event(
                day,
                world.handlers[c.department.pk],
                "case.supplement_requested",
                N.SUPPLEMENT_REASONS[c.code],
                status="supplement",
                reason=N.SUPPLEMENT_REASONS[c.code],
            )
            c.scenario = scenario
            return True
        if scenario == RETURNED:
            if room < 2:
                return False
            mc = cal.before(today, rng.randint(2, min(room, 10)))
            self._complete_materials(c, mc)
            day = cal.after(mc, 1)
            reason = N.RETURN_REASONS[sum(1 for p in self.plans if p.scenario == RETURNED) % 2]
            c.status, c.returned_on, c.return_reason = CaseStatus.RETURNED, day, reason
            c.event(
                day,
                world.handlers[c.department.pk],
                "case.returned",
                reason,
                status="returned",
                on=day,
            )
            c.scenario = scenario
            return True
        if scenario == DONE:
            if room < 3:
                return False
            self._schedule_done(world, c, c.earliest, today)
            c.scenario = scenario
            return True
        return False

    def _options(self, c: CasePlan, scenario, target, room, limit, paused) -> list[int]:
        """The working days ago the materials may have been complete on for ``scenario``."""
        cal, today = self.cal, self.today
        natural = c.item.time_limit_unit == LimitUnit.NATURAL_DAY
        lo, hi = target or (-99, 99)
        if scenario in (SUPPLEMENT_OPEN, SPECIAL_OPEN, PLEDGE_OVERDUE, REPORTED):
            lo, hi = (-3, 99) if scenario != REPORTED else (-2, 99)
        # Materials complete on a working day n working days ago; the due date follows.
        options = []
        for n in range(1, min(room, 80) + 1):
            mc = cal.before(today, n)
            due = mc + datetime.timedelta(days=limit) if natural else cal.after(mc, limit + paused)
            left = cal.left(due, today)
            if lo <= left <= hi:
                options.append(n)
        minimum = {
            RESUMED: paused + 2,
            TRANSFERRED: 2,
            SUPPLEMENT_OPEN: 2,
            SPECIAL_OPEN: 2,
            PLEDGE_OVERDUE: 3,
            REPORTED: 2,
            EXTENDED: 2,
        }.get(scenario, 1)
        if scenario == PENDING_COMPLETE:
            options = [n for n in options if n <= 2]
        options = [n for n in options if n >= minimum]
        if scenario in (SUPPLEMENT_OPEN, SPECIAL_OPEN, PLEDGE_OVERDUE):
            options = [n for n in options if n <= 12]
        return options

    def _pledge(self, c: CasePlan, scenario: str, mc, n: int, handler) -> bool:
        """容缺受理: accepted with a minor material missing; the clock starts at once."""
        rng, cal, today = self.rng, self.cal, self.today
        c.mc = mc
        c.handler = handler
        c.accepted_on = mc
        c.pledge = rng.choice(N.PLEDGE_MATERIALS)
        if scenario == PLEDGE:
            c.pledge_due_on = today + datetime.timedelta(days=rng.randint(3, 12))
            if n >= 3 and rng.random() < 0.5:
                c.pledge_fulfilled_on = cal.after(mc, rng.randint(1, n - 1))
        else:
            c.pledge_due_on = cal.after(mc, 1)
        c.event(
            mc,
            handler,
            "case.accepted",
            f"容缺受理：{c.pledge}",
            status="accepted",
            on=mc,
            pledge=True,
        )
        c.status = CaseStatus.ACCEPTED
        if c.pledge_fulfilled_on:
            c.event(
                c.pledge_fulfilled_on,
                handler,
                "case.pledge_fulfilled",
                c.pledge,
                status="accepted",
                on=c.pledge_fulfilled_on,
            )
        if scenario == PLEDGE_OVERDUE:
            # what the daily scan did the day after the pledged date
            reason = f"容缺材料逾期未补交：{c.pledge}"
            c.pauses.append(Pause(PauseKind.PLEDGE_OVERDUE, reason, c.pledge_due_on, None))
            c.event(c.pledge_due_on + ONE_DAY, None, "case.pledge_overdue", c.pledge, at_night=True)
        return True

    def _after_acceptance(self, world, c: CasePlan, scenario, accepted, handler, paused):
        """Resumed, paused, extended or reported after acceptance."""
        rng, cal = self.rng, self.cal
        yesterday = cal.before(self.today, 1)
        if scenario == RESUMED:
            start = (
                cal.after(accepted, 1) if cal.between(accepted, yesterday) > paused else accepted
            )
            end = cal.after(start, paused)
            kind, reason = self._pause_reason(c)
            c.pauses.append(Pause(kind, reason, start, end))
            c.event(
                start,
                handler,
                "case.paused",
                reason,
                kind=kind,
                on=start,
                status="supplement" if kind == PauseKind.SUPPLEMENT else "in_progress",
            )
            c.event(end, handler, "case.resumed", "", kind=kind, on=end, status="in_progress")
            c.status = CaseStatus.IN_PROGRESS
        elif scenario in (SUPPLEMENT_OPEN, SPECIAL_OPEN):
            start = cal.after(accepted, rng.randint(0, max(0, cal.between(accepted, yesterday))))
            if scenario == SUPPLEMENT_OPEN:
                kind, reason = PauseKind.SUPPLEMENT, N.SUPPLEMENT_REASONS[c.code]
                c.status = CaseStatus.SUPPLEMENT
            else:
                kind = rng.choice(list(N.SPECIAL_PROCEDURES))
                reason = rng.choice(N.SPECIAL_PROCEDURES[kind])
                c.status = CaseStatus.IN_PROGRESS
            c.pauses.append(Pause(kind, reason, start, None))
            c.event(start, handler, "case.paused", reason, kind=kind, on=start, status=c.status)
        elif scenario == EXTENDED:
            on = min(cal.after(accepted, rng.randint(1, 2)), yesterday)
            c.status = CaseStatus.IN_PROGRESS
            self._extend(world, c, on)
        elif scenario == REPORTED:
            on = min(cal.after(accepted, rng.randint(1, 3)), yesterday)
            c.status = CaseStatus.REPORTED
            self._report(c, on)

    def _waiting(self, c: CasePlan) -> bool:
        c.scenario = WAITING
        return True

    # -- saving ---------------------------------------------------------------------------------

    def _save(self) -> None:
        b = self.builder
        for decision, _pair, recorder in self.decisions:
            decision._history_user = recorder
            decision._history_date = b._at(decision.decided_on, 15, 16)
        bulk_create_with_history([d for d, _p, _r in self.decisions], JointDecision)
        decision_of = {id(c): d for d, pair, _r in self.decisions for c in pair}

        cases, pauses, pause_owners = [], [], []
        for c in self.plans:
            item = c.item
            case = ApprovalCase(
                district_id=c.project.district_id,
                project=c.project,
                item=item,
                department=c.department,
                status=c.status,
                agent=c.agent,
                handler=c.handler,
                registered_on=c.registered_on,
                registered_by=c.registrar,
                materials_complete_on=c.mc,
                accepted_on=c.accepted_on,
                time_limit=item.time_limit,
                time_limit_unit=item.time_limit_unit,
                done_on=c.done_on,
                returned_on=c.returned_on,
                return_reason=c.return_reason,
                reported_on=c.reported_on,
                reported_to=c.reported_to,
                higher_answer=c.higher_answer,
                extended=c.extended_on is not None,
                extension_reason=c.extension_reason,
                extension_approver=c.approver,
                extended_on=c.extended_on,
                pledge_materials=c.pledge,
                pledge_due_on=c.pledge_due_on,
                pledge_fulfilled_on=c.pledge_fulfilled_on,
                joint_decision=decision_of.get(id(c)),
            )
            rows = [
                CasePause(kind=p.kind, reason=p.reason, started_on=p.start, ended_on=p.end)
                for p in c.pauses
            ]
            due = services.compute_due(case, rows, calendar=self.window)
            case.due_on, case.due_is_provisional = due.date, due.provisional
            case.paused = any(p.ended_on is None for p in rows)
            case.version = 1 + sum(1 for e in c.events if e[2] != "case.registered")
            stamps = self._stamps(c)
            c.stamps = stamps
            # the history row holds the state after the last change, dated then
            last = max(range(len(stamps)), key=lambda i: stamps[i])
            case._history_user = c.events[last][1] or c.registrar
            case._history_date = stamps[last]
            case.created_at = case.updated_at = stamps[0]
            c.case = case
            cases.append(case)
            for row in rows:
                pauses.append(row)
                pause_owners.append((c, row))
        with _stamped(ApprovalCase):
            bulk_create_with_history(cases, ApprovalCase, batch_size=500)

        for c, row in pause_owners:
            row.case = c.case
            row.created_by = (
                c.handler or c.registrar if row.kind != PauseKind.PLEDGE_OVERDUE else c.registrar
            )
            row._history_user = row.created_by
            row._history_date = row.created_at = b._at(row.started_on, 9, 17)
        with _stamped(CasePause):
            bulk_create_with_history(pauses, CasePause, batch_size=500)
        transfers = [
            CaseTransfer(
                case=c.case,
                from_department=a,
                to_department=z,
                transferred_on=day,
                reason=reason,
                transferred_by=by,
                created_at=b._at(day, 9, 17),
            )
            for c in self.plans
            for a, z, day, reason, by in c.transfers
        ]
        with _stamped(CaseTransfer):
            CaseTransfer.objects.bulk_create(transfers)

        events = []
        for c in self.plans:
            for (_day, actor, verb, summary, data), when in zip(c.events, c.stamps, strict=True):
                data.pop("at_night", None)
                events.append(self._domain_event(c.case, actor, verb, when, summary, data))
        for day, actor, verb, project, summary in self.project_events:
            events.append(
                DomainEvent(
                    district_id=project.district_id,
                    occurred_at=b._at(day, 9, 17),
                    actor=actor,
                    verb=verb,
                    content_type=self.project_type,
                    object_id=project.pk,
                    summary=summary,
                    data={"count": int(summary)} if summary.isdigit() else {},
                )
            )
        DomainEvent.objects.bulk_create(events, batch_size=1000)

    def _stamps(self, c: CasePlan) -> list[datetime.datetime]:
        """Office-hour moments for a case's events, in order."""
        b = self.builder
        order = sorted(range(len(c.events)), key=lambda i: (c.events[i][0], i))
        moments = {}
        previous = None
        for i in order:
            day, _actor, _verb, _summary, data = c.events[i]
            if data.get("at_night"):  # the daily scan
                when = datetime.datetime.combine(day, datetime.time(1, 30), tzinfo=SHANGHAI)
            else:
                when = b._at(day, 8, 11)
            if previous is not None and when <= previous:
                when = previous + datetime.timedelta(minutes=self.rng.randint(5, 50))
            moments[i] = previous = when
        return [moments[i] for i in range(len(c.events))]

    def _domain_event(self, case, actor, verb, when, summary, data) -> DomainEvent:
        clean = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
        return DomainEvent(
            district_id=case.district_id,
            occurred_at=when,
            actor=actor,
            verb=verb,
            content_type=self.case_type,
            object_id=case.pk,
            summary=summary[:300],
            data=clean,
        )

    # -- the ledger and the enterprise's notices -----------------------------------------------

    def _ledger(self) -> None:
        """Cases done late write their entry as ``complete_case`` does; open cases past
        their due date get theirs from the daily scan."""
        b = self.builder
        for c in self.plans:
            case = c.case
            if case.status == CaseStatus.DONE and case.due_on and case.done_on > case.due_on:
                services.record_overdue(case, case.done_on)
        services.scan_overdue(self.today)
        services.scan_pledges(self.today)
        districts = [w.district.pk for w in b.worlds]
        entries = LedgerEntry.objects.filter(district_id__in=districts)
        b._backdate(
            LedgerEntry,
            {
                pk: datetime.datetime.combine(day, datetime.time(2, 0), tzinfo=SHANGHAI)
                for pk, day in entries.values_list("pk", "occurred_on")
                if day < self.today
            },
            "created_at",
        )

    def _notifications(self) -> None:
        """办结告知: the enterprise account was told of its latest cases done."""
        b = self.builder
        world = b.worlds[0]
        enterprise = world.role_users.get(Role.ENTERPRISE)
        if enterprise is None:
            return
        done = sorted(
            (
                c
                for c in self.plans
                if c.done and c.project.enterprise_id == enterprise.enterprise_id
            ),
            key=lambda c: (c.done_on, c.case.pk),
        )[-3:]
        stamps = {}
        for c in done:
            title = f"“{c.item.name}”已办结（{c.project.name}）"
            for note in notify([enterprise], "case.done", title, url=c.case.get_absolute_url()):
                stamps[note.pk] = max(c.stamps) + datetime.timedelta(minutes=1)
        b._backdate(Notification, stamps, "created_at")


@contextlib.contextmanager
def _stamped(model):
    """Insert rows with the creation moments set on them: the demo's records were created
    in the past, and setting them afterwards (bulk_update on the rows and their history)
    would take longer than the rest of the cases together."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def approval_counts(district_ids) -> dict[str, int]:
    """Approval records of the demo districts (for the summary and the tests)."""
    in_districts = Q(district_id__in=district_ids)
    of_cases = Q(case__district_id__in=district_ids)
    return {
        "approval items": ApprovalItem.objects.filter(in_districts).count(),
        "approval cases": ApprovalCase.objects.filter(in_districts).count(),
        "case pauses": CasePause.objects.filter(of_cases).count(),
        "case transfers": CaseTransfer.objects.filter(of_cases).count(),
        "joint decisions": JointDecision.objects.filter(in_districts).count(),
        "ledger entries": LedgerEntry.objects.filter(in_districts).count(),
    }
