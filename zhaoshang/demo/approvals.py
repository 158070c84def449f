"""The approval cases of the demo city (SPEC §6, 限时办结 and 绿色通道), replayed.

Every project from signing on has its cases: those of the phases it has passed are done
(most within the limit; a few late, with a story: a case transferred between departments,
the construction bureau's busy weeks); those of the phase it is in run now, in every state
a worklist meets — on time, due soon, overdue (a handful, in few projects), paused for 补正
or a special procedure, resumed, extended, transferred, reported upward, accepted on a
pledge (容缺), returned, waiting for materials. Green-channel projects have all their
green-channel items registered at once, carried by an agent of the service center; one
project has a joint decision.

Each case's story is planned as steps on a ``replay.Timeline`` of its own, played after the
projects' one: the cases follow the stage dates that replay left, and no project step reads
a case. ``casesteps`` plays a story through the approval services, by the person who acted;
the tables and texts are in ``data/approvals.json`` and ``data/names.json``.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Q

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import ItemLevel
from zhaoshang.approvals.models import (
    ApprovalCase,
    ApprovalItem,
    CasePause,
    CaseTransfer,
    JointDecision,
)
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.casesteps import DATA, JOINT_CODES, ONE_DAY, CaseSteps, Story
from zhaoshang.demo.days import Calendar
from zhaoshang.demo.days import stamped as _stamped
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.org.models import User
from zhaoshang.projects.choices import STAGE_DATE_FIELDS, ProjectKind, Stage

SEED = 2026_06
# The demo's other parts import these from here.
__all__ = ["ApprovalsBuilder", "Calendar", "_stamped", "approval_counts"]


class ApprovalsBuilder(CaseSteps):
    """Adds the catalogue, the handlers and the cases to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder, self.today = builder, builder.today
        self.rng = random.Random(SEED)
        self.line = Timeline(self.today)
        self.stories: list[Story] = []
        self.nights: set[datetime.date] = set()
        self.busy = builder.worlds[0].role_users[Role.DEPARTMENT].department_id

    def build(self) -> None:
        today = self.today
        self.cal = Calendar(
            datetime.date(today.year - 8, 1, 1), datetime.date(today.year + 2, 12, 31)
        )
        self.yesterday = self.cal.before(today, 1)
        for world in self.builder.worlds:
            self._catalogue(world)
        for world in self.builder.worlds:
            self._plan_district(world)
        for world in self.builder.worlds:
            self._assign(world)
        for s in self.stories:
            self._chain(s.steps, s.after)
        self.line.add(moment(today, 1, 30), self._scan)  # this night's scan: nothing left
        self.line.run()

    def _catalogue(self, world) -> None:
        """The shipped catalogue (取水许可, XM-08, included) and one handler (经办人, role
        department) per department that handles items; the departments the catalogue
        added get theirs here."""
        with clock.at(moment(datetime.date(self.today.year - 8, 1, 6), 10, 0)):  # set up then
            items = {i.code: i for i in seed_catalogue(world.district)}
        world.items = dict(sorted(items.items(), key=lambda kv: (kv[1].sort_order, kv[0])))
        world.prerequisites = {c: {p.code for p in i.prerequisites.all()} for c, i in items.items()}
        departments = {i.department_id: i.department for i in items.values()}
        handlers = {}
        for user in User.objects.filter(
            department_id__in=departments, groups__name=Role.DEPARTMENT
        ).order_by("rank", "pk"):  # the general cadre handles; a head only where no one else
            if user.department_id not in handlers or handlers[user.department_id].rank != "general":
                handlers[user.department_id] = user
        b, rows = self.builder, []
        for pk, department in sorted(departments.items()):
            if pk not in handlers:
                name = b._person()
                handlers[pk] = User(
                    username=b._username(name),
                    real_name=name,
                    district=world.district,
                    department=department,
                    rank="general",
                    title="行政审批经办人",
                    phone=b._mobile(),
                )
                rows.append((handlers[pk], Role.DEPARTMENT))
        if rows:
            b._make_users(rows, world)
            world.staff.extend(u for u, _r in rows)
        world.handlers = handlers
        center = world.departments["center"].pk
        world.agents = [u for u in world.staff if u.department_id == center and u.rank == "general"]
        world.approvers = [
            world.leaders[k] for k in ("construction", "industry") if k in world.leaders
        ]

    # -- planning ---------------------------------------------------------------------------

    def _plan_district(self, world) -> None:
        plans = sorted(
            (p for p in world.plans if p.project.signed_on and p.stage != Stage.TERMINATED),
            key=lambda p: p.project.code,
        )
        joint = None
        if world is self.builder.worlds[0]:  # a green-channel project in its works planning
            limit = self.today - datetime.timedelta(days=25)
            ready = [
                p
                for p in plans
                if p.project.stage == Stage.LAND_DELIVERED and p.project.land_delivered_on <= limit
            ]
            joint = next((p for p in sorted(ready, key=lambda p: not p.green)), None)
        for plan in plans:
            self._plan_project(world, plan, joint=plan is joint)

    def _needed(self, world, plan) -> list[str]:
        """The items a project applies for."""
        key = (plan.industry or {}).get("key")
        if plan.green:
            codes = {c for c, item in world.items.items() if item.in_green_channel}
        else:
            codes = set(DATA["usual_items"])
            codes |= {"XM-05"} if plan.level != "general" else set()
            codes |= {"XM-06"} if key == "chem" else set()
            codes |= {"XM-07"} if self.rng.random() < 0.4 else set()
            if self.rng.random() < 0.8 or plan.kind == ProjectKind.INFRASTRUCTURE:
                codes.add("SZ-02")
            codes |= {"SZ-03"} if key in N.GAS_INDUSTRIES else set()
        if key in N.WATER_INDUSTRIES:
            codes.add("XM-08")
        return [c for c in world.items if c in codes]

    def _window(self, project, item) -> tuple[datetime.date | None, datetime.date | None]:
        """The date an item's window opened (None: not yet) and the date it closed (None:
        still open; for a project that exited before, the exit date)."""
        start_stage, end_stage = DATA["windows"][item.phase]
        if item.code in DATA["until_started"]:
            end_stage = Stage.STARTED
        start = getattr(project, STAGE_DATE_FIELDS[start_stage])
        end = getattr(project, STAGE_DATE_FIELDS[end_stage])
        if project.stage == Stage.EXITED:
            return (None, None) if start is None else (start, end or project.exited_on)
        return start, end

    def _deadlines(self, world, project, codes) -> dict[str, datetime.date | None]:
        """A case is done before its window closes, and early enough for the cases that
        need it to fit before theirs."""
        deadlines: dict[str, datetime.date | None] = {}
        for code in reversed(codes):
            end = self._window(project, world.items[code])[1]
            deadline = end if end is not None and end <= self.today else None
            for other in codes:
                if code in world.prerequisites[other] and deadlines.get(other) is not None:
                    limit = deadlines[other] - datetime.timedelta(days=3)
                    deadline = limit if deadline is None else min(deadline, limit)
            deadlines[code] = deadline
        return deadlines

    def _plan_project(self, world, plan, joint: bool) -> None:
        rng, project = self.rng, plan.project
        codes = self._needed(world, plan)
        registrar = rng.choice(world.agents)
        agent = r0 = None
        if plan.green:  # 统一受理: every green-channel item at once, an agent on each (项目代办)
            agent = world.agents[0] if rng.random() < 0.5 else rng.choice(world.agents)
            r0 = min(project.signed_on + datetime.timedelta(days=rng.randint(1, 6)), self.yesterday)
        deadlines = self._deadlines(world, project, codes)
        stories: dict[str, Story] = {}
        for code in codes:
            item = world.items[code]
            start, end = self._window(project, item)
            prerequisites = [stories.get(p) for p in world.prerequisites[code] if p in codes]
            waived = JOINT_CODES if joint and code in JOINT_CODES else ()
            blocked = [p for p in prerequisites if p is None or not (p.done_on or p.code in waived)]
            if r0 is not None and item.in_green_channel:
                registered = r0
            elif start is None or blocked:
                continue  # applied for once its phase has come and its prerequisites are done
            else:
                registered = start + datetime.timedelta(days=rng.randint(0, 4))
                done = [p.done_on for p in prerequisites if p.done_on]
                if done:
                    registered = max(
                        registered, max(done) + datetime.timedelta(days=rng.randint(0, 2))
                    )
                if end is not None:
                    registered = min(registered, end - datetime.timedelta(days=3))
                registered = max(min(registered, self.yesterday), project.signed_on, r0 or start)
            if joint and code in JOINT_CODES:
                registered = min(registered, self.cal.before(self.today, 3))
            carried = agent is not None and (item.in_green_channel or rng.random() < 0.7)
            handler = world.handlers[item.department_id]
            s = Story(
                world,
                project,
                plan,
                item,
                registrar,
                agent if carried else None,
                handler,
                registered,
            )
            stories[code] = s
            self.stories.append(s)
            if not (r0 is not None and item.in_green_channel):
                s.steps.append((registered, self._registration(s)))
            if start is None or blocked:
                if project.stage == Stage.EXITED:
                    self._return_at_exit(s)
                continue  # registered, waiting for its phase or its prerequisites
            done = [p.done_on + ONE_DAY for p in prerequisites if p.done_on]
            s.earliest = max([registered, start, *done])
            self._fate(s, deadlines[code], end, must=joint and code == "GC-01", joint=joint)
        if r0 is not None:
            when = office_time(rng, r0, late=0)
            self.line.add(when, self._green_channel, registrar, project, agent, stories)
            for s in stories.values():
                s.after = when if s.item.in_green_channel else None
        if joint:
            self._joint(world, project, stories)

    def _fate(self, s: Story, deadline, end, must: bool, joint: bool) -> None:
        """Done before the next stage, returned at the exit, or running now (a candidate
        for the states of today)."""
        project, cal, rng = s.project, self.cal, self.rng
        exited = project.stage == Stage.EXITED and (end is None or end == project.exited_on)
        if joint and s.code in JOINT_CODES:
            s.scenario = "joint"
        elif deadline is not None and not exited:
            self._done(s, s.earliest, deadline)
        elif exited:
            room_end = project.exited_on - datetime.timedelta(days=10)
            if s.earliest < room_end and rng.random() < 0.6:
                self._done(s, s.earliest, room_end)
            else:
                self._return_at_exit(s)
        else:
            room = cal.between(cal.on_or_after(s.earliest), self.today)
            limit = s.item.time_limit * (5 if self._natural(s) else 7) // 7
            busy = 0.5 if s.item.department_id == self.busy else 1.0
            chance = 0.5 if room > limit + 25 else 0.2 if room > limit + 4 else 0
            if must or rng.random() < chance * busy:
                last = cal.before(self.today, 4) if must else self.today
                self._done(s, s.earliest, max(last, s.earliest + ONE_DAY))
            else:
                s.scenario = "candidate"

    # -- cases done, returned --------------------------------------------------------------

    def _done(self, s: Story, earliest, deadline) -> None:
        """Materials complete, accepted and done before ``deadline`` (exclusive): within the
        limit mostly; late a few times, most of them after a transfer or in the busy
        department (the scans and ``complete_case`` write the ledger)."""
        rng, cal, item = self.rng, self.cal, s.item
        natural = self._natural(s)
        last = min(deadline - ONE_DAY, self.yesterday)
        first = min(cal.on_or_after(min(earliest, last)), last)
        extended = not natural and item.special_time_limit > item.time_limit and rng.random() < 0.02
        limit = item.special_time_limit if extended else item.time_limit
        pause = not natural and rng.random() < 0.09
        target = N.TRANSFERS.get(s.code, [None])[0]
        transfer = not pause and target is not None and rng.random() < 0.08
        paused = rng.randint(2, 6) if pause else 0
        odds = DATA["late"]
        late = rng.random() < (
            odds["transfer"]
            if transfer
            else odds["busy"]
            if item.department_id == self.busy
            else odds["usual"]
        )
        k = limit + rng.randint(1, 3) if late else rng.randint(max(1, limit // 3), limit)

        def done_for(mc, k, paused):
            if natural:
                return cal.on_or_after(mc + datetime.timedelta(days=k))
            return cal.after(mc, k + paused)

        mc = cal.on_or_after(first + datetime.timedelta(days=rng.randint(0, 20)))
        if mc > last or done_for(mc, k, paused) > last:
            mc = first
        if done_for(mc, k, paused) > last:
            pause, paused, k = False, 0, min(k, limit)
        while k > 0 and done_for(mc, k, paused) > last:
            k -= 1
        done = done_for(mc, k, paused) if k > 0 else mc
        done = mc if done > last else done  # squeezed between a prerequisite and the stage
        transfer = transfer and cal.between(mc, done) >= 2
        accepted = mc if (pause or rng.random() < 0.6 or mc == done) else cal.after(mc, 1)
        self._materials(s, mc)
        if transfer and self._transfer(s, mc, target):
            accepted = cal.after(mc, 1)
        self._step(s, min(accepted, done), services.accept_case, on=min(accepted, done))
        resumed = accepted
        if pause:
            start = cal.after(mc, 1) if k >= 2 else mc
            resumed = self._pause(s, start, cal.after(start, paused))
        if extended:
            self._extend(s, min(cal.after(accepted, 1), done))
        answer = ""
        if item.level == ItemLevel.REPORTED:
            self._report(s, min(max(cal.after(accepted, rng.randint(1, 3)), resumed), done))
            answer = N.HIGHER_ANSWERS.format(
                authority=N.REPORTED_TO, year=done.year, n=rng.randint(20, 260)
            )
        self._step(s, done, services.complete_case, on=done, answer=answer)
        s.done_on, s.scenario = done, s.scenario or "done"

    def _return_at_exit(self, s: Story) -> None:
        reason = N.EXIT_RETURN_REASON.format(reason=s.plan.events[-1].reason.split("，")[0])
        on = max(s.project.exited_on, s.registered)
        self._step(s, on, services.return_case, reason=reason, on=on)
        s.scenario = "returned"

    # -- open cases: their state today ----------------------------------------------------------

    def _assign(self, world) -> None:
        """Give every open case of the district its state today: the busy department's
        worklist in every light, the district's few red cases (in few projects) and due-soon
        ones, each state at least once, the rest by weight — green, paused or waiting."""
        rng, quota = self.rng, DATA["quotas"][world.spec.code]
        pool = [s for s in self.stories if s.world is world and s.scenario == "candidate"]
        rng.shuffle(pool)
        lit: dict[str, set] = {"red": set(), "yellow": set()}

        def give(candidates, scenario, light="green", count=1) -> int:
            given = 0
            for s in candidates:
                if given < count and s.scenario == "candidate" and self._open(s, scenario, light):
                    given += 1
                    lit.get(light, set()).add(s.project.pk)
            return given

        for scenario, light in DATA["busy_department"]:
            give([s for s in pool if s.item.department_id == self.busy], scenario, light)
        for light in ("red", "yellow"):
            for _ in range(quota[light] - len(lit[light])):
                full = light == "red" and len(lit["red"]) >= quota["red_projects"]
                red = lit["red"] if full else set()
                ranked = sorted(pool, key=lambda s: self._rank(s, light, lit))
                give([s for s in ranked if not red or s.project.pk in red], "running", light)
        for code in N.TRANSFERS:
            give([s for s in pool if s.code == code], "transferred")
        next_year = (self.cal.between(self.today, datetime.date(self.today.year, 12, 31)) + 1, 999)
        give([s for s in pool if s.code == "XM-08"], "running", next_year, count=99)
        reported = [s for s in pool if s.code == "XM-04"]
        give(reported, "reported", count=max(1, len(reported) * 2 // 3))
        for scenario, light, count in (
            DATA["demo_district"] if world is self.builder.worlds[0] else []
        ):
            give(pool, scenario, light, count)
        weights = DATA["weights"]
        for s in pool:
            scenario, light, _w = rng.choices(weights, [w for *_x, w in weights])[0]
            for attempt in ((scenario, light), ("running", "green"), ("waiting", "none")):
                if s.scenario != "candidate" or self._open(s, *attempt):
                    break

    @staticmethod
    def _rank(s: Story, light: str, lit) -> int:
        """Red cases gather in the projects already red; due-soon ones spread out."""
        if light == "red":
            return -(s.project.pk in lit["red"])
        return (s.project.pk in lit["red"]) + (s.project.pk in lit["yellow"])


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
