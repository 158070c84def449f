"""Project service in the demo city (SPEC §7, 回执单制度), replayed through its services by
the person who did it: the teams file receipts after their visits (the demo ``leader`` has
the latest few waiting, two filed just now), the leader in charge opens most and instructs
on some; problems from receipts and teams are taken up and ended by their departments, each
with its story; the teams and the bureau keep second-round records. The demo leader has
forwarded one receipt to the district head (报送主要领导), who read it; one problem of a
project without a team yet escalates this morning to nobody and so to the leading group's
office, unassigned. Texts and tables: ``data/service.json``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, counter
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import SHANGHAI, Timeline, moment, office_time
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import mark_read
from zhaoshang.org.models import User
from zhaoshang.projects.choices import EXIT_STAGES, Stage, TeamRole
from zhaoshang.service import services as S
from zhaoshang.service.choices import NeedCategory, RaisedVia, ReceiptResult
from zhaoshang.service.choices import SecondRoundKind as Kind
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.workdays import services as workdays

TEXTS = load("service")
MINUTE = datetime.timedelta(minutes=1)


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


class ServiceBuilder(Part):
    """Plans the receipts, instructions, problems and second-round records of the worlds a
    DemoBuilder built (after its ApprovalsBuilder) on one timeline, and plays it."""

    SEED = 2026_07

    def __init__(self, builder):
        super().__init__(builder)
        self.now = clock.now().astimezone(SHANGHAI)  # (two receipts are filed just now)
        self.line, self.receipts = Timeline(self.today, now=self.now), []

    def build(self) -> None:
        for world in self.worlds:
            self._receipts(world, self._plans(world))
        self._this_morning(self.worlds[0])
        for receipt in self.receipts:
            self.line.add(receipt.filed_at, self._file, receipt)
            if receipt.read_plan:
                self.line.add(receipt.read_plan, self._read, receipt)
        for world in self.worlds:
            self._needs(world)
            self._second_round(world)
        self._instructions(self.worlds[0])
        self._forwarded(self.worlds[0])
        self._unassigned(self.worlds[0])
        self.line.run()

    def _plans(self, world):
        plans = [p for p in world.plans if p.team and p.project.signed_on]
        plans = [p for p in plans if p.stage not in EXIT_STAGES]
        return sorted(plans, key=lambda p: p.project.code)

    def _day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A working day in [first, last] (``last`` itself when none is found)."""
        for _ in range(10):
            day = first + DAY * self.rng.randint(0, max((last - first).days, 0))
            if day <= last and self.cal.work[day]:
                return day
        return last

    # -- receipts ------------------------------------------------------------------------------

    def _receipts(self, world, plans, filed=None) -> None:
        """The teams' visits to the departments over the last months (for each of ``plans``
        one, ``filed`` at that moment, when given)."""
        rng, keys = self.rng, [k for k in TEXTS["matters"] if k in world.departments]
        handlers, cases, results = getattr(world, "handlers", {}), {}, TEXTS["results"]
        for case in ApprovalCase.objects.filter(district=world.district).order_by("pk"):
            cases.setdefault((case.project_id, case.department_id), []).append(case)
        for plan in plans:
            since = self.today - DAY * TEXTS["history_days"]
            start = max(plan.project.signed_on, plan.team_since + DAY, since)
            count = 1 if filed else rng.randint(*TEXTS["receipts_per_project"][plan.level])
            for _ in range(count if start < self.today else 0):
                key = rng.choice(keys)
                matter, done = rng.choice(TEXTS["matters"][key])
                department = world.departments[key]
                visited, handler = self._day(start, self.today - DAY), handlers.get(department.pk)
                result, problems = rng.choices(list(results), list(results.values()))[0], ""
                if result == ReceiptResult.NEEDS_COORDINATION:
                    problems = TEXTS["problems"].get(key) or rng.choice(
                        list(TEXTS["problems"].values())
                    )
                role = TeamRole.SECRETARY if rng.random() < 0.7 else TeamRole.SERVICE_OFFICER
                receipt = Receipt(
                    project=plan.project,
                    visited_on=visited,
                    department=department,
                    matter=matter,
                    handler_name=handler.display_name if handler else self.builder._person(),
                    handler_user=handler,
                    work_done=done,
                    result=result,
                    approval_case=rng.choice(cases.get((plan.project.pk, department.pk), [None])),
                    problems=problems,
                    filed_by=plan.team[role],
                    addressee=plan.team.get(TeamRole.MANAGER) or plan.leader,
                    filed_at=filed or moment(visited, rng.randint(15, 18), rng.randint(0, 59)),
                )
                receipt.plan, receipt.read_plan, age = plan, None, (self.today - visited).days
                if receipt.addressee and not filed and rng.random() < (0.92 if age > 10 else 0.35):
                    receipt.read_plan = receipt.filed_at + MINUTE * 60 * rng.randint(1, 60)
                self.receipts.append(receipt)

    def _this_morning(self, world) -> None:
        """The demo leader has receipts waiting: the latest few unread, two filed just now."""
        leader = world.role_users[Role.LEADER]
        theirs = [r for r in self.receipts if r.addressee is leader]
        theirs.sort(key=lambda r: r.filed_at)
        for receipt in theirs[-TEXTS["unread_for_leader"] :]:
            receipt.read_plan = None
        plans = dict(sorted((r.plan.project.code, r.plan) for r in theirs)[-2:])
        for seconds, plan in zip((50, 20), plans.values(), strict=False):
            self._receipts(world, [plan], filed=self.now - datetime.timedelta(seconds=seconds))

    @staticmethod
    def _file(receipt: Receipt) -> None:
        fields = {f: getattr(receipt, f) for f in S.CORRECTABLE}
        saved = S.file_receipt(receipt.filed_by, receipt.project, **fields)
        receipt.__dict__.update(saved.__dict__)  # the planned instance becomes the saved row

    @staticmethod
    def _read(receipt: Receipt) -> None:
        """The leader opens the receipt from its message in the inbox."""
        leader, url = receipt.addressee, receipt.get_absolute_url()
        notes = Notification.objects.filter(recipient=leader, verb="receipt.filed", url=url)
        mark_read(leader, notes)
        if S.mark_receipt_read(leader, receipt):
            receipt.read_at = clock.now()

    # -- the problem list ------------------------------------------------------------------------

    def _needs(self, world) -> None:
        """Problems from most receipts that needed coordination and a few from the teams;
        those due before today mostly solved in time (two late, some withdrawn or given more
        time), in the demo district two still open past their date; the newer ones in every
        status, two of them close to their date."""
        rng, today, first = self.rng, self.today, world is self.worlds[0]
        rows, ours = [], [r for r in self.receipts if r.project.district_id == world.district.pk]
        for r in ours:
            if r.problems and r.filed_at.date() < today and rng.random() < 0.75:
                raised = r.filed_at + MINUTE * rng.randint(10, 50)
                rows.append(NeedPlan(r.plan, r, raised, rng.choice(TEXTS["need_days"])).dated())
        plans = self._plans(world)
        for i, plan in enumerate(rng.sample(plans, min(len(plans), 6 if first else 2))):
            day = self._day(max(plan.project.signed_on, today - DAY * 20), today - DAY)
            when = office_time(rng, day)
            n = NeedPlan(plan, None, when, rng.choice(TEXTS["team_need_days"])).dated()
            while first and i < 2 and n.due >= today:  # raised so that it is close to its date
                n.raised, n.fate = n.raised - DAY, "in_progress"
                n.dated()
            if n.fate:
                n.raised += DAY * (1 + 2 * (n.raised.weekday() == 4))  # (the next working day)
            rows.append(n.dated())
        rows.sort(key=lambda n: (n.raised, n.plan.project.code))
        past, fresh = [n for n in rows if n.due < today], [n for n in rows if n.due >= today]
        late = rng.sample([n for n in past if n.due < today - DAY * 10], min(2, len(past) // 4))
        for i, n in enumerate(past):
            fate = TEXTS["past_fates"][i % len(TEXTS["past_fates"])]
            n.fate = "resolved" if fate == "extended" and n.days < 10 else fate
            n.fate = "late" if n in late else n.fate
        if first:  # two still open past their date, each with its story
            overdue = sorted(past, key=lambda n: n.due)[-2:]
            for n, fate in zip(overdue, ("stuck", "escalated"), strict=False):
                n.fate = fate
        fresh = sorted((n for n in fresh if not n.fate), key=lambda n: -n.raised.timestamp())
        for i, n in enumerate(fresh):
            n.fate = TEXTS["fresh_fates"][i % len(TEXTS["fresh_fates"])]
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
        """Raised, then taken up, given more time, and ended as its fate says; each step at
        an office time after the one before."""
        rng, last, due, fate = self.rng, self.today - DAY, n.due, n.fate
        category, department, handler = self._department(world, n, handlers)
        _keys, title, text = TEXTS["need_topics"][category]
        secretary, receipt = n.plan.team[TeamRole.SECRETARY], n.receipt
        start, days = self._day(n.raised.date(), min(due, last)), n.days - 5 * (fate == "extended")
        data = {"category": category, "department": department, "due_workdays": days}
        data["title"] = f"{title}：{receipt.matter}" if receipt else title
        data["description"] = receipt.problems if receipt else text
        self.line.add(n.raised, self._raise, n, receipt.filed_by if receipt else secretary, data)
        steps = [] if fate == "pending" else [(start, S.start_need, handler, {})]
        if fate == "extended":  # the department asked for more time
            first_due = workdays.add_workdays(n.raised.date(), days).date
            more = {"due_workdays": n.days}
            steps.append((self._day(start, first_due - DAY), S.update_need, secretary, more))
        end, later = "resolved" if fate == "extended" else fate, due + DAY
        escalated = start + DAY if due >= self.today else later
        ways = {  # how it ends: the service and its argument, by whom, between which days
            "resolved": (S.resolve_need, "resolution", handler, start, due),
            "late": (S.resolve_need, "resolution", handler, later, later + DAY * 5),
            "closed": (S.close_need, "reason", secretary, start, start + DAY * 8),
            "stuck": (S.update_need, "description", secretary, later, last),
            "escalated": (S.escalate_need, "note", secretary, escalated, last),
        }
        if end in ways:
            service, arg, who, first, until = ways[end]
            text = rng.choice(TEXTS["need_ends"][end])
            text = data["description"] + text if end == "stuck" else text
            steps.append((self._day(first, min(until, last)), service, who, {arg: text}))
        after = n.raised
        for day, service, who, kwargs in steps:
            if day <= last:
                when = office_time(rng, day, late=0.02)
                after = when if when > after else after + MINUTE * rng.randint(20, 90)
                self.line.add(after, self._act, n, service, who, kwargs)

    @staticmethod
    def _raise(n: NeedPlan, user, data: dict) -> None:
        via = RaisedVia.RECEIPT if n.receipt else RaisedVia.TEAM
        n.need = S.raise_need(user, n.plan.project, receipt=n.receipt, raised_via=via, **data)

    @staticmethod
    def _act(n: NeedPlan, service, user, kwargs: dict) -> None:
        n.need = service(user, n.need, **kwargs)

    # -- second-round service, instructions --------------------------------------------------

    def _second_round(self, world) -> None:
        """二次招商 records of the running projects, of each kind, by their team's secretary;
        some upgrades of an enterprise recorded by the bureau alone."""
        rng, mature = self.rng, TEXTS["mature_stages"]
        plans = [p for p in self._plans(world) if p.stage in mature]
        for i in range(len(plans) and (12 if world is self.worlds[0] else 3)):
            kind, plan = list(Kind)[i % len(Kind)], rng.choice(plans)
            texts = rng.choice(TEXTS["second_round"][kind])
            alone = kind == Kind.UPGRADE and i % 2 == 0  # recorded by the bureau
            first = self.today - DAY * 200
            on = self._day(first if alone else max(first, plan.team_since + DAY), self.today - DAY)
            amount = None
            if kind == Kind.FINANCING or rng.random() < 0.4 and kind == Kind.PARTNER:
                amount = Decimal(rng.choice(TEXTS["amounts"]))
            who = world.role_users[Role.BUREAU] if alone else plan.team[TeamRole.SECRETARY]
            record = dict(zip(("counterparty", "description", "outcome"), texts, strict=True))
            record.update(kind=kind, occurred_on=on, amount=amount)
            record.update(
                enterprise=plan.project.enterprise, project=None if alone else plan.project
            )
            when = moment(on, rng.randint(16, 18), rng.randint(0, 59))
            self.line.add(when, S.record_second_round, who, **record)

    def _instructions(self, world) -> None:
        """Recent receipts the leader read and instructed on, a while after reading."""
        today, ours = self.today, world.district.pk
        recent = [r for r in self.receipts if r.project.district_id == ours and r.read_plan]
        recent = [r for r in recent if r.result != ReceiptResult.DONE]
        recent = [r for r in recent if r.read_plan.date() < today <= r.visited_on + DAY * 30]
        self.rng.shuffle(recent)
        for receipt in recent[:8]:
            when = receipt.read_plan + MINUTE * self.rng.randint(5, 120)
            self.line.add(when, self._instruct, world, receipt)

    def _instruct(self, world, receipt: Receipt) -> None:
        rng, owner = self.rng, receipt.department
        days = workdays.workdays_between(clock.today(), self.today) + rng.randint(3, 10)
        items = [{"owner_department": owner, "due_workdays": days}]
        if receipt.handler_user is not None and receipt.handler_user.department_id == owner.pk:
            items[0]["owner_person"] = receipt.handler_user
        if rng.random() < 0.4:
            title = f"跟踪{receipt.project.name}{receipt.matter}办理进度"
            bureau = world.departments["bureau"]
            items.append({"title": title, "owner_department": bureau, "due_workdays": days + 5})
        text = rng.choice(TEXTS["instructions"]).format(department=owner.name, days=days)
        S.write_instruction(receipt.addressee, receipt, text=text, items=items)

    # -- 报送主要领导; a problem with nobody in charge yet ---------------------------------------

    def _forwarded(self, world) -> None:
        """The demo leader forwards one receipt that needed coordination, read a week or
        more ago, to the principal leaders (the district head) the working morning after
        reading it; the head reads it the working morning after: the work plan's
        "必要时及时向区委、区政府主要领导汇报"."""
        leader, week_ago = world.role_users[Role.LEADER], self.today - DAY * 7
        theirs = [
            r
            for r in self.receipts
            if r.addressee is leader
            and r.result == ReceiptResult.NEEDS_COORDINATION
            and r.read_plan
            and r.read_plan.date() <= week_ago
        ]
        if not theirs:
            return
        receipt = max(theirs, key=lambda r: r.filed_at)
        sent = moment(self.cal.after(receipt.read_plan.date(), 1), 10, 10)  # next morning
        self.line.add(sent, self._forward, receipt, leader)
        self.line.add(moment(self.cal.after(sent.date(), 1), 8, 40), self._read_forward, receipt)

    @staticmethod
    def _forward(receipt: Receipt, leader) -> None:
        note = TEXTS["forward_note"].format(
            project=receipt.project.name,
            department=receipt.department.name,
            problems=receipt.problems,
        )
        receipt.forwarded = S.forward(leader, receipt=receipt, note=note)

    @staticmethod
    def _read_forward(receipt: Receipt) -> None:
        """The principal leader opens it from the message in the inbox."""
        for row in receipt.forwarded:
            notes = Notification.objects.filter(
                recipient=row.recipient, verb="forward.received", url=row.get_absolute_url()
            )
            mark_read(row.recipient, notes)
            S.mark_forward_read(row.recipient, row)

    def _unassigned(self, world) -> None:
        """A project still negotiating has no team yet (it comes with the signing) and no
        designated leader: the bureau put the enterprise's land question on its problem list
        seven working days ago, 国土局 let it run past its 3 working days, and this
        morning's escalation finds nobody at the step it reached — it goes to the leading
        group's office (the bureau) and shows unassigned on the lights board."""
        early = (Stage.NEGOTIATING, Stage.PREREVIEW)
        plans = [p for p in world.plans if p.stage in early and not p.team and not p.leader]
        if not plans or "land" not in world.departments:
            return
        plan = min(plans, key=lambda p: p.project.code)
        raised = self.cal.before(self.today, 7)
        title, description = TEXTS["unassigned_need"]
        data = {
            "category": NeedCategory.LAND,
            "title": title,
            "description": description,
            "department": world.departments["land"],
            "due_workdays": 3,
            "raised_on": raised,
        }
        bureau = world.role_users[Role.BUREAU]
        self.line.add(moment(raised, 10, 15), S.raise_need, bureau, plan.project, **data)


RECORDS = (("receipts", Receipt), ("instructions", Instruction), ("needs", Need))
service_counts = counter(*RECORDS, ("second-round services", SecondRoundService))
