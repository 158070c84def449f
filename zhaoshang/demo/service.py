"""Project service in the demo city (SPEC §7, 回执单制度), replayed through its services.

On one ``Timeline``, with the clock set to each moment, by the person who did it: the teams
file receipts after their visits (``file_receipt``; the demo ``leader`` has the latest few
waiting, two filed just now), the leader in charge opens most and instructs on some
(``write_instruction``); problems go on the list (``raise_need``) from a receipt that needed
coordination or from the team, and their departments take them up and solve most in time
(``start_need``, ``resolve_need``), a couple late with the reason, some after more time was
given (``update_need``); a few are withdrawn (``close_need``) or taken to a joint meeting
(``escalate_need``), two are close to their date and two still open past it, each with its
story. Second-round records are kept by the teams and the bureau. Texts: ``data/service.json``.
"""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import SHANGHAI, Timeline, moment, office_time
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import mark_read
from zhaoshang.org.models import User
from zhaoshang.projects.choices import EXIT_STAGES, Level, Stage, TeamRole
from zhaoshang.service import services as S
from zhaoshang.service.choices import NeedCategory, RaisedVia, ReceiptResult
from zhaoshang.service.choices import SecondRoundKind as Kind
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.workdays import services as workdays

SEED = 2026_07
TEXTS = load("service")
DAY, MINUTE = datetime.timedelta(days=1), datetime.timedelta(minutes=1)
HISTORY_DAYS = 150  # how far back the receipts go
PER_PROJECT = {Level.MAJOR: (3, 6), Level.KEY: (2, 4), Level.GENERAL: (1, 3)}
RESULTS = {
    ReceiptResult.DONE: 45,
    ReceiptResult.IN_PROGRESS: 35,
    ReceiptResult.NEEDS_COORDINATION: 20,
}
UNREAD_FOR_LEADER = 4  # the demo leader's latest receipts, not opened yet
# What became of the problems due before today, and of those still within their time.
PAST = ["resolved"] * 7 + ["closed", "extended"]
FRESH = ["pending", "pending", "in_progress", "escalated", "resolved", "in_progress", "resolved"]
MATURE = (Stage.STARTED, Stage.COMPLETED, Stage.PRODUCTION, Stage.CAPACITY)


@dataclass(eq=False)
class NeedPlan:
    plan: object
    receipt: Receipt | None
    raised: datetime.datetime
    days: int
    fate: str = ""
    need: Need | None = None
    due: datetime.date | None = None

    def dated(self) -> NeedPlan:
        self.due = workdays.add_workdays(self.raised.date(), self.days).date
        return self


class ServiceBuilder:
    """Plans the receipts, instructions, problems and second-round records of the worlds a
    DemoBuilder built (after its ApprovalsBuilder) on one timeline, and plays it."""

    def __init__(self, builder):
        self.b, self.today, self.rng = builder, builder.today, random.Random(SEED)
        self.now = clock.now().astimezone(SHANGHAI)
        self.line, self.receipts = Timeline(self.today, now=self.now), []

    def build(self) -> None:
        for world in self.b.worlds:
            self._receipts(world, self._plans(world))
        self._this_morning(self.b.worlds[0])
        for receipt in self.receipts:
            self.line.add(receipt.filed_at, self._file, receipt)
            if receipt.read_plan:
                self.line.add(receipt.read_plan, self._read, receipt)
        for world in self.b.worlds:
            self._needs(world)
            self._second_round(world)
        self._instructions(self.b.worlds[0])
        self.line.run()

    def _plans(self, world):
        plans = [p for p in world.plans if p.team and p.project.signed_on]
        return sorted(
            (p for p in plans if p.stage not in EXIT_STAGES), key=lambda p: p.project.code
        )

    def _day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A working day in [first, last] (``last`` itself when none is found)."""
        for _ in range(10):
            day = first + DAY * self.rng.randint(0, max((last - first).days, 0))
            if day <= last and workdays.is_workday(day):
                return day
        return last

    def _chain(self, after: datetime.datetime, steps) -> None:
        """Plan ``[(day, fn, *args), …]`` at office times, each after the step before."""
        for day, fn, *args in steps:
            when = office_time(self.rng, day, late=0.02)
            after = when if when > after else after + MINUTE * self.rng.randint(20, 90)
            self.line.add(after, fn, *args)

    # -- receipts ------------------------------------------------------------------------------

    def _receipts(self, world, plans, filed=None) -> None:
        rng, keys, problems = self.rng, [k for k in TEXTS["matters"] if k in world.departments], ""
        handlers, cases = getattr(world, "handlers", {}), {}
        for case in ApprovalCase.objects.filter(district=world.district).order_by("pk"):
            cases.setdefault((case.project_id, case.department_id), []).append(case)
        for plan in plans:
            start = max(
                plan.project.signed_on, plan.team_since + DAY, self.today - DAY * HISTORY_DAYS
            )
            for _ in range(
                (1 if filed else rng.randint(*PER_PROJECT[plan.level])) * (start < self.today)
            ):
                key = rng.choice(keys)
                department, (matter, done) = (
                    world.departments[key],
                    rng.choice(TEXTS["matters"][key]),
                )
                visited, handler = self._day(start, self.today - DAY), handlers.get(department.pk)
                result = rng.choices(list(RESULTS), list(RESULTS.values()))[0]
                if result == ReceiptResult.NEEDS_COORDINATION:
                    problems = TEXTS["problems"].get(key) or rng.choice(
                        list(TEXTS["problems"].values())
                    )
                role = TeamRole.SECRETARY if rng.random() < 0.7 else TeamRole.SERVICE_OFFICER
                receipt = Receipt(
                    project=plan.project, visited_on=visited, department=department, matter=matter,
                    handler_name=handler.display_name if handler else self.b._person(),
                    handler_user=handler, work_done=done, result=result,
                    approval_case=rng.choice(cases.get((plan.project.pk, department.pk), [None])),
                    problems=problems if result == ReceiptResult.NEEDS_COORDINATION else "",
                    filed_by=plan.team[role], addressee=plan.team.get(TeamRole.MANAGER) or plan.leader,
                    filed_at=filed or moment(visited, rng.randint(15, 18), rng.randint(0, 59)),
                )  # fmt: skip
                receipt.plan, receipt.read_plan, age = plan, None, (self.today - visited).days
                if receipt.addressee and not filed and rng.random() < (0.92 if age > 10 else 0.35):
                    receipt.read_plan = receipt.filed_at + MINUTE * 60 * rng.randint(1, 60)
                self.receipts.append(receipt)

    def _this_morning(self, world) -> None:
        """The demo leader has receipts waiting: the latest few unread, two filed just now."""
        leader = world.role_users[Role.LEADER]
        theirs = sorted(
            (r for r in self.receipts if r.addressee is leader), key=lambda r: r.filed_at
        )
        for receipt in theirs[-UNREAD_FOR_LEADER:]:
            receipt.read_plan = None
        plans = dict(sorted((r.plan.project.code, r.plan) for r in theirs)[-2:])
        for seconds, plan in zip((50, 20), plans.values(), strict=False):
            self._receipts(world, [plan], filed=self.now - datetime.timedelta(seconds=seconds))

    def _file(self, receipt: Receipt) -> None:
        fields = {f: getattr(receipt, f) for f in S.CORRECTABLE}
        saved = S.file_receipt(receipt.filed_by, receipt.project, **fields)
        receipt.__dict__.update(saved.__dict__)  # the planned instance becomes the saved row

    def _read(self, receipt: Receipt) -> None:
        leader = receipt.addressee
        if S.mark_receipt_read(leader, receipt):
            receipt.read_at = clock.now()
            notes = Notification.objects.filter(recipient=leader, url=receipt.get_absolute_url())
            mark_read(leader, notes.filter(verb="receipt.filed").values_list("pk", flat=True))

    # -- the problem list ------------------------------------------------------------------------

    def _needs(self, world) -> None:
        rng, today, first = self.rng, self.today, world is self.b.worlds[0]
        rows = [
            NeedPlan(r.plan, r, r.filed_at + MINUTE * rng.randint(10, 50), rng.choice([3, 5, 5, 10, 15])).dated()
            for r in self.receipts
            if r.project.district_id == world.district.pk and r.problems and r.filed_at.date() < today
            and rng.random() < 0.75
        ]  # fmt: skip
        plans = self._plans(world)
        for i, plan in enumerate(rng.sample(plans, min(len(plans), 6 if first else 2))):
            day = self._day(max(plan.project.signed_on, today - DAY * 20), today - DAY)
            n = NeedPlan(plan, None, office_time(rng, day), rng.choice([5, 10, 15])).dated()
            while first and i < 2 and n.due >= today:  # raised so that it is close to its date
                n.raised, n.fate = n.raised - DAY, "in_progress"
                n.dated()
            if n.fate:
                n.raised += DAY * (1 + 2 * (n.raised.weekday() == 4))  # (the next working day)
            rows.append(n.dated())
        rows.sort(key=lambda n: (n.raised, n.plan.project.code))
        past, fresh = [n for n in rows if n.due < today], [n for n in rows if n.due >= today]
        late = rng.sample([n for n in past if n.due < today - DAY * 10], min(2, len(past) // 4))
        for n, fate in zip(past, itertools.cycle(PAST), strict=False):
            n.fate = (
                "late" if n in late else "resolved" if fate == "extended" and n.days < 10 else fate
            )
        for n, fate in zip(
            sorted(past, key=lambda n: n.due)[-2:] if first else [],
            ("stuck", "escalated"),
            strict=False,
        ):
            n.fate = fate  # still open past their date, each with its story
        for i, n in enumerate(
            sorted((n for n in fresh if not n.fate), key=lambda n: -n.raised.timestamp())
        ):
            n.fate = FRESH[i % len(FRESH)]
            if n.fate == "pending" and (today - n.raised.date()).days > 5:
                n.fate = "in_progress"  # (taken up by now)
        people = User.objects.filter(district=world.district, groups__name=Role.DEPARTMENT)
        handlers = {u.department_id: u for u in people.order_by("-rank", "-pk")}
        handlers.update(getattr(world, "handlers", {}))
        for n in rows:
            self._need_steps(world, n, handlers)

    def _department(self, world, n: NeedPlan, handlers) -> tuple:
        """The category, the department and its handler who acts (the department account's
        own department when the one meant has none)."""
        if n.receipt is not None:
            key = next(k for k, d in world.departments.items() if d.pk == n.receipt.department_id)
            category = TEXTS["category_of_department"].get(key, NeedCategory.OTHER)
        else:
            category = self.rng.choice(list(NeedCategory.values))
            key = next((k for k in TEXTS["need_topics"][category][0] if k in world.departments), "")
        department = world.departments.get(key)
        handler = handlers.get(getattr(department, "pk", None))
        if handler is None:
            handler = world.role_users[Role.DEPARTMENT]
            department = handler.department
        return category, department, handler

    def _need_steps(self, world, n: NeedPlan, handlers) -> None:
        rng, last, due, fate = self.rng, self.today - DAY, n.due, n.fate
        category, department, handler = self._department(world, n, handlers)
        _keys, title, text = TEXTS["need_topics"][category]
        secretary, receipt = n.plan.team[TeamRole.SECRETARY], n.receipt
        start, days = self._day(n.raised.date(), min(due, last)), n.days - 5 * (fate == "extended")
        data = {"category": category, "department": department, "due_workdays": days}
        data["title"] = f"{title}：{receipt.matter}" if receipt else title
        data["description"] = receipt.problems if receipt else text
        self.line.add(n.raised, self._raise, n, receipt.filed_by if receipt else secretary, data)
        steps = [] if fate == "pending" else [(start, self._act, n, S.start_need, handler)]
        if fate == "extended":  # the department asked for more time
            first_due = workdays.add_workdays(n.raised.date(), days).date
            steps.append(
                (
                    self._day(start, first_due - DAY),
                    self._act,
                    n,
                    S.update_need,
                    secretary,
                    {"due_workdays": n.days},
                )
            )
        if fate in ("resolved", "extended", "late"):
            text = rng.choice(TEXTS["late_resolutions" if fate == "late" else "resolutions"])
            day = (
                self._day(due + DAY, min(due + DAY * 6, last))
                if fate == "late"
                else self._day(start, min(due, last))
            )
            steps.append((day, self._act, n, S.resolve_need, handler, text))
        elif fate == "closed":
            reason = rng.choice(TEXTS["close_reasons"])
            steps.append(
                (
                    self._day(start, min(start + DAY * 8, last)),
                    self._act,
                    n,
                    S.close_need,
                    secretary,
                    reason,
                )
            )
        elif fate == "stuck":
            note = {"description": data["description"] + rng.choice(TEXTS["stuck_notes"])}
            steps.append((self._day(due + DAY, last), self._act, n, S.update_need, secretary, note))
        elif fate == "escalated":
            note = rng.choice(TEXTS["escalation_notes"])
            steps.append(
                (
                    self._day(start + DAY if due >= self.today else due + DAY, last),
                    self._act,
                    n,
                    S.escalate_need,
                    secretary,
                    note,
                )
            )
        self._chain(n.raised, [s for s in steps if s[0] <= last])  # fmt: skip

    def _raise(self, n: NeedPlan, user, data: dict) -> None:
        via = RaisedVia.RECEIPT if n.receipt else RaisedVia.TEAM
        n.need = S.raise_need(user, n.plan.project, receipt=n.receipt, raised_via=via, **data)

    def _act(self, n: NeedPlan, service, user, arg=None) -> None:
        args = () if arg is None else (arg,)
        n.need = (
            service(user, n.need, **arg) if isinstance(arg, dict) else service(user, n.need, *args)
        )

    # -- second-round service, instructions --------------------------------------------------

    def _second_round(self, world) -> None:
        rng, plans = self.rng, [p for p in self._plans(world) if p.stage in MATURE]
        for i in range(len(plans) and (12 if world is self.b.worlds[0] else 3)):
            kind, plan = list(Kind)[i % len(Kind)], rng.choice(plans)
            counterparty, description, outcome = rng.choice(TEXTS["second_round"][kind])
            alone = kind == Kind.UPGRADE and i % 2 == 0  # recorded by the bureau
            first = self.today - DAY * 200
            on = self._day(first if alone else max(first, plan.team_since + DAY), self.today - DAY)
            amount = None
            if kind == Kind.FINANCING or rng.random() < 0.4 and kind == Kind.PARTNER:
                amount = Decimal(rng.choice([500, 1000, 2000, 3000, 5000, 8000, 12000]))
            who = world.role_users[Role.BUREAU] if alone else plan.team[TeamRole.SECRETARY]
            when = moment(on, rng.randint(16, 18), rng.randint(0, 59))
            self.line.add(
                when, S.record_second_round, who, kind=kind, enterprise=plan.project.enterprise,
                project=None if alone else plan.project, occurred_on=on, amount=amount,
                counterparty=counterparty, description=description, outcome=outcome,
            )  # fmt: skip

    def _instructions(self, world) -> None:
        """Recent receipts the leader read and instructed on, a while after reading."""
        recent = [
            r
            for r in self.receipts
            if r.project.district_id == world.district.pk and r.read_plan
            and r.result != ReceiptResult.DONE and (self.today - r.visited_on).days <= 30
            and r.read_plan.date() < self.today
        ]  # fmt: skip
        self.rng.shuffle(recent)
        for receipt in recent[:8]:
            self.line.add(
                receipt.read_plan + MINUTE * self.rng.randint(5, 120),
                self._instruct,
                world,
                receipt,
            )

    def _instruct(self, world, receipt: Receipt) -> None:
        rng, owner = self.rng, receipt.department
        days = workdays.workdays_between(clock.today(), self.today) + rng.randint(3, 10)
        items = [{"owner_department": owner, "due_workdays": days}]
        if receipt.handler_user is not None and receipt.handler_user.department_id == owner.pk:
            items[0]["owner_person"] = receipt.handler_user
        if rng.random() < 0.4:
            title = f"跟踪{receipt.project.name}{receipt.matter}办理进度"
            items.append(
                {
                    "title": title,
                    "owner_department": world.departments["bureau"],
                    "due_workdays": days + 5,
                }
            )
        text = rng.choice(TEXTS["instructions"]).format(department=owner.name, days=days)
        S.write_instruction(receipt.addressee, receipt, text=text, items=items)


def service_counts(district_ids) -> dict[str, int]:
    """Service records of the demo districts (for the summary and the tests)."""
    models = {"receipts": Receipt, "instructions": Instruction, "needs": Need}
    models["second-round services"] = SecondRoundService
    return {k: m.objects.filter(Q(district_id__in=district_ids)).count() for k, m in models.items()}
