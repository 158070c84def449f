"""The approval cases of the demo city (SPEC §6, 限时办结 and 绿色通道), replayed: those of
the phases a project has passed done (a few late), those of its present phase in every
state a worklist meets; green-channel projects register their items at once, one project
has a joint decision. Each step calls a service by the person who acted, at an office time;
the nightly scan runs after a due or pledged date passes. Tables: ``data/approvals.json``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from zhaoshang.approvals import models, services
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import ItemLevel, LimitUnit, PauseKind
from zhaoshang.assessment.models import LedgerEntry
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.approval_stories import StoriesMixin
from zhaoshang.demo.base import DAY, Part, counter
from zhaoshang.demo.days import Calendar
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.org.models import User
from zhaoshang.projects.choices import STAGE_DATE_FIELDS, ProjectKind, Stage

DATA = N.load("approvals")
JOINT_CODES = ("GC-02", "GC-03")


@dataclass
class Story:
    """One case's planned life: who registers and handles it, and its steps ``(day, fn, …)``."""

    world: object
    plan: object
    item: models.ApprovalItem
    registrar: User
    agent: User | None
    handler: User
    registered: datetime.date
    earliest: datetime.date | None = None  # materials cannot be complete before this
    done_on: datetime.date | None = None
    scenario: str = ""
    steps: list = field(default_factory=list)
    after: datetime.datetime | None = None  # the green channel's registration
    case: models.ApprovalCase | None = None
    applied: datetime.date | None = None  # reached the window before it was registered

    def __post_init__(self):
        self.code, self.project = self.item.code, self.plan.project
        self.natural = self.item.time_limit_unit == LimitUnit.NATURAL_DAY


class ApprovalsBuilder(StoriesMixin, Part):
    """Adds the catalogue, the handlers and the cases to the worlds a DemoBuilder built."""

    SEED = 2026_06

    def __init__(self, builder):
        super().__init__(builder)
        year = self.today.year  # (the first projects were signed over four years ago)
        self.cal = Calendar(datetime.date(year - 8, 1, 1), datetime.date(year + 2, 12, 31))
        self.stories, self.nights = [], set()  # the cases' stories, the nights a scan runs
        self.busy = self.worlds[0].role_users[Role.DEPARTMENT].department_id
        self.red_from = None  # (see _assign)

    def build(self) -> None:
        for step in (self._catalogue, self._plan_district, self._assign):
            for world in self.worlds:
                step(world)
        self._whose_days(self.worlds[0])
        for world in self.worlds:
            self._delegate(world)
        for s in self.stories:
            self._chain(s)
        self.line.add(moment(self.today, 1, 30), self._scan)  # this night's scan: nothing left
        self.line.run()

    def _catalogue(self, world) -> None:
        """The catalogue, and a handler (经办人) per department: a general cadre, or a head."""
        with clock.at(moment(datetime.date(self.today.year - 8, 1, 6), 10, 0)):  # set up then
            items = {i.code: i for i in seed_catalogue(world.district)}
            # An item the city approved until it delegated it to the district (下放): marked
            # as reported upward, with the law's limit (SPEC §20), until ``_delegate``.
            for code, up in DATA["delegated"].get(world.spec.code, {}).items():
                items[code] = services.update_item(
                    world.role_users[Role.ADMIN],
                    items[code],
                    level=ItemLevel.REPORTED,
                    special_procedure=False,
                    time_limit=up["statutory_limit"],
                    statutory_limit=up["statutory_limit"],
                )
        world.items = dict(sorted(items.items(), key=lambda kv: (kv[1].sort_order, kv[0])))
        code = {i.pk: c for c, i in items.items()}
        edges = services.prerequisite_edges(world.district.pk)
        world.prerequisites = {c: {code[p] for p in edges.get(i.pk, ())} for c, i in items.items()}
        departments = {i.department_id: i.department for i in items.values()}
        people = User.objects.filter(department_id__in=departments, groups__name=Role.DEPARTMENT)
        handlers = world.handlers = {}
        for user in people.order_by("rank", "pk"):
            if handlers.setdefault(user.department_id, user).rank != "general":
                handlers[user.department_id] = user
        b, rows = self.builder, []
        for pk in sorted(set(departments) - set(handlers)):
            name = b._person()
            user = User(username=b._username(name), real_name=name, phone=b._mobile())
            user.district, user.department = world.district, departments[pk]
            user.rank, user.title = "general", "行政审批经办人"
            handlers[pk] = user
            rows.append((user, Role.DEPARTMENT))
        b._make_users(rows, world)
        world.staff.extend(u for u, _r in rows)
        center = world.departments["center"].pk
        world.agents = [u for u in world.staff if u.department_id == center and u.rank == "general"]
        leaders = world.leaders
        world.approvers = [leaders[k] for k in ("construction", "industry") if k in leaders]

    def _plan_district(self, world) -> None:
        plans = [p for p in world.plans if p.project.signed_on and p.stage != Stage.TERMINATED]
        plans.sort(key=lambda p: p.project.code)
        first = world is self.worlds[0]
        ready = [p for p in plans if first and p.project.stage == Stage.LAND_DELIVERED]
        ready = [p for p in ready if p.project.land_delivered_on <= self.today - DAY * 25]
        # the joint decision (demo district): a project in its works planning, green-channel if any
        joint = min(ready, key=lambda p: not p.green, default=None)
        for plan in plans:
            self._plan_project(world, plan, joint=plan is joint)

    def _needed(self, world, plan) -> list[str]:
        """The items a project applies for."""
        key, rng = (plan.industry or {}).get("key"), self.rng
        codes = {"XM-08"} if key in N.WATER_INDUSTRIES else set()
        if plan.green:
            codes |= {c for c, item in world.items.items() if item.in_green_channel}
        else:
            optional = {
                "XM-05": plan.level != "general",
                "XM-06": key == "chem",
                "XM-07": rng.random() < 0.4,
                "SZ-02": rng.random() < 0.8 or plan.kind == ProjectKind.INFRASTRUCTURE,
                "SZ-03": key in N.GAS_INDUSTRIES,
            }
            codes |= {*DATA["usual_items"], *(c for c, wanted in optional.items() if wanted)}
        return [c for c in world.items if c in codes]

    def _window(self, project, item) -> tuple[datetime.date | None, datetime.date | None]:
        """When an item's window opened (None: not yet) and closed (None: open; exit date)."""
        start_stage, end_stage = DATA["windows"][item.phase]
        end_stage = Stage.STARTED if item.code in DATA["until_started"] else end_stage
        start = getattr(project, STAGE_DATE_FIELDS[start_stage])
        end = getattr(project, STAGE_DATE_FIELDS[end_stage])
        if project.stage == Stage.EXITED:
            return (None, None) if start is None else (start, end or project.exited_on)
        return start, end

    def _deadlines(self, world, project, codes) -> dict[str, datetime.date | None]:
        """Done before its window closes, and early enough for the cases needing it."""
        deadlines: dict[str, datetime.date | None] = {}
        for code in reversed(codes):
            end = self._window(project, world.items[code])[1]
            deadline = end if end is not None and end <= self.today else None
            for other in codes:
                if code in world.prerequisites[other] and deadlines.get(other) is not None:
                    limit = deadlines[other] - DAY * 3
                    deadline = limit if deadline is None else min(deadline, limit)
            deadlines[code] = deadline
        return deadlines

    def _applied(self, project, start, end, prerequisites, r0) -> datetime.date:
        """Applied for a few days after its window opened and its prerequisites were done."""
        registered = start + DAY * self.rng.randint(0, 4)
        done = [p.done_on for p in prerequisites if p.done_on]
        if done:
            registered = max(registered, max(done) + DAY * self.rng.randint(0, 2))
        if end is not None:
            registered = min(registered, end - DAY * 3)
        return max(min(registered, self.last), project.signed_on, r0 or start)

    def _plan_project(self, world, plan, joint: bool) -> None:
        rng, project = self.rng, plan.project
        codes = self._needed(world, plan)
        registrar = rng.choice(world.agents)
        agent = r0 = None
        if plan.green:  # 统一受理: every green-channel item at once, an agent on each (项目代办)
            agent = world.agents[0] if rng.random() < 0.5 else rng.choice(world.agents)
            r0 = min(project.signed_on + DAY * rng.randint(1, 6), self.last)
        deadlines = self._deadlines(world, project, codes)
        stories: dict[str, Story] = {}
        for code in codes:
            item, pair = world.items[code], joint and code in JOINT_CODES
            start, end = self._window(project, item)
            prerequisites = [stories.get(p) for p in world.prerequisites[code] if p in codes]
            waived = JOINT_CODES if pair else ()
            blocked = [p for p in prerequisites if p is None or not (p.done_on or p.code in waived)]
            green = r0 is not None and item.in_green_channel
            if not green and (start is None or blocked):
                continue  # applied for once its phase has come and its prerequisites are done
            registered = r0 if green else self._applied(project, start, end, prerequisites, r0)
            if pair:
                registered = min(registered, self.cal.before(self.today, 3))
            carried = agent is not None and (item.in_green_channel or rng.random() < 0.7)
            handler = world.handlers[item.department_id]
            s = Story(world, plan, item, registrar, agent if carried else None, handler, registered)
            stories[code] = s
            self.stories.append(s)
            if not green:
                s.steps.append((registered, self._register, s))
            if start is None or blocked:
                if project.stage == Stage.EXITED:
                    self._return_at_exit(s)
                continue  # registered, waiting for its phase or its prerequisites
            done = [p.done_on + DAY for p in prerequisites if p.done_on]
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
        """Done before the next stage, returned at the exit, or a candidate for a state today."""
        project, cal, rng = s.project, self.cal, self.rng
        exited = project.stage == Stage.EXITED and (end is None or end == project.exited_on)
        if joint and s.code in JOINT_CODES:
            s.scenario = "joint"
        elif deadline is not None and not exited:
            self._done(s, deadline)
        elif exited:
            room_end = project.exited_on - DAY * 10
            if s.earliest < room_end and rng.random() < 0.6:
                self._done(s, room_end)
            else:
                self._return_at_exit(s)
        else:
            room = cal.between(cal.on_or_after(s.earliest), self.today)
            limit = s.item.time_limit * (5 if s.natural else 7) // 7
            busy = 0.5 if s.item.department_id == self.busy else 1.0
            chance = 0.5 if room > limit + 25 else 0.2 if room > limit + 4 else 0
            if must or rng.random() < chance * busy:
                last = cal.before(self.today, 4) if must else self.today
                self._done(s, max(last, s.earliest + DAY))
            else:
                s.scenario = "candidate"

    def _done(self, s: Story, deadline) -> None:
        """Done before ``deadline``: late a few times, mostly after a transfer or when busy."""
        rng, cal, item, natural = self.rng, self.cal, s.item, s.natural
        last = min(deadline - DAY, self.last)
        first = min(cal.on_or_after(min(s.earliest, last)), last)
        extended = not natural and item.special_time_limit > item.time_limit and rng.random() < 0.02
        limit = item.special_time_limit if extended else item.time_limit
        pause = not natural and rng.random() < 0.09
        target = N.TRANSFERS.get(s.code, [None])[0]
        transfer = not pause and target is not None and rng.random() < 0.08
        paused = rng.randint(2, 6) if pause else 0
        busy = "busy" if item.department_id == self.busy else "usual"
        late = rng.random() < DATA["late"]["transfer" if transfer else busy]
        k = limit + rng.randint(1, 3) if late else rng.randint(max(1, limit // 3), limit)

        def done_for(mc, k, paused):
            return cal.on_or_after(mc + DAY * k) if natural else cal.after(mc, k + paused)

        mc = cal.on_or_after(first + DAY * rng.randint(0, 20))
        if mc > last or done_for(mc, k, paused) > last:
            mc = first
        if done_for(mc, k, paused) > last:
            pause, paused, k = False, 0, min(k, limit)
        while k > 0 and done_for(mc, k, paused) > last:
            k -= 1
        done = done_for(mc, k, paused)  # mc itself when squeezed before the stage
        transfer = transfer and cal.between(mc, done) >= 2
        accepted = mc if (pause or rng.random() < 0.6 or mc == done) else cal.after(mc, 1)
        self._materials(s, mc)
        if transfer and self._transfer(s, mc, target):
            accepted = cal.after(mc, 1)
        self._step(s, min(accepted, done), services.accept_case)
        resumed = accepted
        if pause:
            start = cal.after(mc, 1) if k >= 2 else mc
            resumed = self._pause(s, start, cal.after(start, paused))
        if extended:
            self._extend(s, min(cal.after(accepted, 1), done))
        answer = ""
        if item.level == ItemLevel.REPORTED:
            day = min(max(cal.after(accepted, rng.randint(1, 3)), resumed), done)
            authority = self._authority(s)
            self._step(s, day, services.report_upward, to=authority)
            n = rng.randint(20, 260)
            answer = N.HIGHER_ANSWERS.format(authority=authority, year=done.year, n=n)
        self._step(s, done, services.complete_case, answer=answer)
        s.done_on, s.scenario = done, s.scenario or "done"

    def _return_at_exit(self, s: Story) -> None:
        reason = N.EXIT_RETURN_REASON.format(reason=s.plan.events[-1].reason.split("，")[0])
        self._step(s, max(s.project.exited_on, s.registered), services.return_case, reason=reason)
        s.scenario = "returned"

    def _assign(self, world) -> None:
        """Each open case's state today: the busy department's worklist in every light, the
        few red (in few projects) and due-soon cases, the rest by weight."""
        rng, quota = self.rng, DATA["quotas"][world.spec.code]
        pool = [s for s in self.stories if s.world is world and s.scenario == "candidate"]
        rng.shuffle(pool)
        lit: dict[str, set] = {"red": set(), "yellow": set()}
        # The demo district's first red case turned red this month (its due day passed
        # since the 1st): the bureau's home counts a red light lit this month.
        self.red_from = self.today.replace(day=1) if world is self.worlds[0] else None

        def give(candidates, scenario, light="green", count=1) -> None:
            for s in candidates:
                if count and s.scenario == "candidate" and self._open(s, scenario, light):
                    count -= 1
                    lit.get(light, set()).add(s.project.pk)
                    if light == "red":
                        self.red_from = None

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
        # 取水许可 reported upward (until ``_delegate``) runs on the law's 45 working days:
        # those accepted these weeks are due in next year, not yet published (暂定).
        water = [s for s in pool if s.code == "XM-08"]
        upward = any(s.item.level == ItemLevel.REPORTED for s in water)
        give(water, "reported" if upward else "running", next_year, count=99)
        reported = [s for s in pool if s.code == "XM-04"]
        give(reported, "reported", count=max(1, len(reported) * 2 // 3))
        for scenario, light, count in DATA["demo_district"] if world is self.worlds[0] else []:
            give(pool, scenario, light, count)
        weights = DATA["weights"]
        for s in pool:
            scenario, light, _w = rng.choices(weights, [w for *_x, w in weights])[0]
            for attempt in ((scenario, light), ("running", "green"), ("waiting", "none")):
                if s.scenario != "candidate" or self._open(s, *attempt):
                    break

    @staticmethod
    def _authority(s: Story) -> str:
        """The higher authority an item reported upward goes to."""
        up = DATA["delegated"].get(s.world.spec.code, {}).get(s.code)
        return up["to"] if up else N.REPORTED_TO

    @staticmethod
    def _rank(s: Story, light: str, lit) -> int:
        """Red cases gather in the projects already red; due-soon ones spread out."""
        if light == "red":
            return -(s.project.pk in lit["red"])
        return (s.project.pk in lit["red"]) + (s.project.pk in lit["yellow"])

    def _open(self, s: Story, scenario: str, light) -> bool:
        """Date an open case to be in ``scenario`` today with its ``light`` (False: no room)."""
        cal, rng, item = self.cal, self.rng, s.item
        earliest = cal.on_or_after(s.earliest)
        if scenario == "waiting" or earliest > self.last:
            s.scenario = "waiting"
            return scenario == "waiting"
        if scenario in ("pre_supplement", "returned", "done"):
            return self._early(s, scenario, earliest)
        if not self._fits(s, scenario):
            return False
        limit = item.special_time_limit if scenario == "extended" else item.time_limit
        paused = rng.randint(2, 5) if scenario == "resumed" else 0
        reach = self._reach(s, scenario, light, limit, paused, earliest)
        if reach is None:
            return False
        n, due = reach
        mc, s.scenario = cal.before(self.today, n), scenario
        if scenario in ("pledge", "pledge_overdue"):
            return self._pledge(s, scenario, mc, n)
        self._materials(s, mc)
        if scenario == "pending_complete":
            return True
        moved = scenario == "transferred" and self._transfer(s, mc, N.TRANSFERS[s.code][0])
        accepted = mc
        if moved or n >= 2 and rng.random() < 0.3 and scenario not in ("resumed", "extended"):
            accepted = cal.after(mc, 1)
        self._step(s, accepted, services.accept_case)
        if cal.between(accepted, self.last) >= 1 or rng.random() < 0.5:
            self._step(s, accepted, services.start_handling)
        self._after_acceptance(s, scenario, accepted, paused, due)
        return True

    def _fits(self, s: Story, scenario: str) -> bool:
        item, target = s.item, s.world.items.get(N.TRANSFERS.get(s.code, [""])[0])
        return {
            "reported": item.level == ItemLevel.REPORTED,
            "transferred": target is not None and target.department_id != item.department_id,
            "extended": not s.natural and item.special_time_limit > item.time_limit,
            "resumed": not s.natural,
        }.get(scenario, True)

    def _reach(self, s: Story, scenario, light, limit, paused, earliest):
        """(n, due): materials complete n working days ago gives the light wanted today."""
        cal = self.cal
        lo, hi = DATA["lights"][light] if isinstance(light, str) else light
        low, high = DATA["reach"][scenario]
        options = []
        for n in range(max(low, paused + 2 if paused else 0), high + 1):
            mc = cal.before(self.today, n)
            if mc < earliest:
                break
            due = mc + DAY * limit if s.natural else cal.after(mc, limit + paused)
            if light == "red" and self.red_from and due + DAY < self.red_from:
                continue  # red since before this month
            if lo <= cal.left(due, self.today) <= hi:
                options.append((n, due))
        return self.rng.choice(options) if options else None

    def _after_acceptance(self, s: Story, scenario, accepted, paused, due) -> None:
        """Resumed, paused, extended or reported after acceptance."""
        cal, rng, last = self.cal, self.rng, self.last
        if scenario == "resumed":
            start = cal.after(accepted, 1) if cal.between(accepted, last) > paused else accepted
            self._pause(s, start, cal.after(start, paused))
        elif scenario in ("supplement_open", "special_open"):
            room = max(0, cal.between(accepted, min(due, last)))
            self._pause(s, cal.after(accepted, rng.randint(0, room)), None, scenario)
        elif scenario == "extended":
            self._extend(s, min(cal.after(accepted, rng.randint(1, 2)), last))
        elif scenario == "reported":
            day = min(cal.after(accepted, rng.randint(1, 3)), last)
            self._step(s, day, services.report_upward, to=self._authority(s))

    def _pledge(self, s: Story, scenario: str, mc, n: int) -> bool:
        """容缺受理: the clock starts at once; a pledge not kept is paused by the night's scan."""
        rng, cal = self.rng, self.cal
        due = self.today + DAY * rng.randint(3, 12) if scenario == "pledge" else cal.after(mc, 1)
        pledge = rng.choice(N.PLEDGE_MATERIALS)
        self._step(s, mc, services.accept_case, pledge_materials=pledge, pledge_due_on=due)
        if scenario == "pledge" and n >= 3 and rng.random() < 0.5:
            self._step(s, cal.after(mc, rng.randint(1, n - 1)), services.fulfil_pledge)
        return True

    def _early(self, s: Story, scenario: str, earliest) -> bool:
        """Done these days, 补正 asked before acceptance, or returned after the materials."""
        cal, rng = self.cal, self.rng
        if scenario == "done":
            if earliest > cal.before(self.today, 3):
                return False
            self._done(s, self.today)
            return True
        if scenario == "pre_supplement":  # the clock has not started
            day = max(cal.before(self.today, rng.randint(1, 8)), earliest)
            reason = N.SUPPLEMENT_REASONS[s.code]
            self._step(s, day, services.pause_case, kind=PauseKind.SUPPLEMENT, reason=reason)
        else:
            days = [d for n in range(2, 11) if (d := cal.before(self.today, n)) >= earliest]
            if not days:
                return False
            mc = rng.choice(days)
            count = sum(1 for o in self.stories if o.scenario == "returned" and o.world is s.world)
            self._materials(s, mc)
            reason = N.RETURN_REASONS[count % 2]
            self._step(s, cal.after(mc, 1), services.return_case, reason=reason)
        s.scenario = scenario
        return True

    def _joint(self, world, project, stories) -> None:
        """互为前置: two working days ago a joint meeting decided that 施工图审查 (accepted the
        day before) and 消防设计审查 (accepted then) are approved together, due together."""
        cal = self.cal
        first, second = stories.get(JOINT_CODES[0]), stories.get(JOINT_CODES[1])
        mc, decided = cal.before(self.today, 3), cal.before(self.today, 2)
        ready = first and second and first.earliest and first.earliest <= mc
        if not ready or second.registered > decided:  # 施工图审查 alone, 消防设计审查 waits
            for s, scenario in ((first, "candidate"), (second, "waiting")):
                if s is not None and s.scenario == "joint":
                    s.scenario = scenario
            return
        self._materials(first, mc)
        self._step(first, mc, services.accept_case)
        self._step(first, decided, services.start_handling)
        recorder = world.role_users[Role.SERVICE_CENTER]
        number = N.JOINT_DECISION_NUMBER.format(year=decided.year, n=self.rng.randint(10, 40))

        def decide():
            cases, note = [first.case, second.case], N.JOINT_DECISION_NOTE
            services.record_joint_decision(recorder, project, cases, decided, number, note)

        self.line.add(moment(decided, 16, self.rng.randint(10, 50)), decide)
        self._step(second, cal.before(self.today, 1), services.accept_case)

    @staticmethod
    def _register(s: Story) -> None:
        s.case = services.register_case(
            s.registrar, s.project, s.item, agent=s.agent, applied_on=s.applied
        )

    @staticmethod
    def _green_channel(registrar, project, agent, stories) -> None:
        by_item = {s.item.pk: s for s in stories.values()}
        for case in services.register_green_channel(registrar, project, agent):
            by_item[case.item_id].case = case

    def _step(self, s: Story, day, service, by=None, **kwargs) -> None:
        """Plan ``service(by, case, on=day, …)``; ``by``: the holding department's handler."""
        if service is not services.start_handling:
            kwargs["on"] = day
        s.steps.append((day, self._play, s, service, by or s.handler, kwargs))

    def _play(self, s: Story, service, by, kwargs) -> None:
        """Play a step; the night after an open case's due or pledged date, the scan runs."""
        result = service(by, s.case, **kwargs)
        if isinstance(result, list):  # complete_case: the case and those done with it
            result = result[0]
        if isinstance(result, models.ApprovalCase):
            s.case = result
        case = s.case
        if case.is_open:
            due = None if case.paused else case.due_on
            if due and s.done_on and s.done_on <= due:
                due = None
            pledge = None if case.pledge_fulfilled_on else case.pledge_due_on
            for night in {max(d, clock.today()) + DAY for d in (due, pledge) if d} - self.nights:
                self.nights.add(night)
                self.line.add(moment(night, 1, 30), self._scan)

    def _materials(self, s: Story, day) -> None:
        self._step(s, day, services.mark_materials_complete, by=s.agent or s.registrar)

    def _transfer(self, s: Story, day, target_code: str) -> bool:
        """快速转办 to the competent department, whose handler takes the case on."""
        target = s.world.items[target_code].department
        if target.pk == s.handler.department_id:
            return False
        reason = N.TRANSFERS[s.code][1]
        self._step(s, day, services.transfer_case, to_department=target, reason=reason)
        s.handler = s.world.handlers[target.pk]
        return True

    def _pause(self, s: Story, start, end, scenario: str = "") -> datetime.date:
        """补正 (the enterprise supplements) or a special procedure; resumed on ``end``."""
        rng = self.rng
        special = scenario == "special_open" or (
            not scenario and s.code in DATA["special_codes"] and rng.random() >= 0.7
        )
        kind, reason = PauseKind.SUPPLEMENT, N.SUPPLEMENT_REASONS[s.code]
        if special:
            kind = rng.choice(list(N.SPECIAL_PROCEDURES))
            reason = rng.choice(N.SPECIAL_PROCEDURES[kind])
        self._step(s, start, services.pause_case, kind=kind, reason=reason)
        if end is not None:
            self._step(s, end, services.resume_case)
        return end or start

    def _extend(self, s: Story, day) -> None:
        reason, approver = self.rng.choice(N.EXTENSION_REASONS), self.rng.choice(s.world.approvers)
        self._step(s, day, services.extend_case, reason=reason, approver=approver)

    def _chain(self, s: Story) -> None:
        """A case's steps at office times, each after the one before (and the green channel)."""
        previous = s.after
        for day, fn, *args in sorted(s.steps, key=lambda step: step[0]):
            when = office_time(self.rng, day, late=0.02)
            if previous is not None and when <= previous:
                when = previous + datetime.timedelta(minutes=self.rng.randint(5, 40))
            previous = when
            self.line.add(when, fn, *args)

    @staticmethod
    def _scan() -> None:
        services.scan_overdue()
        services.scan_pledges()


# Approval records of the demo districts (for the summary and the tests).
_cases = counter(("approval items", models.ApprovalItem), ("approval cases", models.ApprovalCase))
_steps = counter(
    ("case pauses", models.CasePause),
    ("case transfers", models.CaseTransfer),
    path="case__district_id",
)
_results = counter(("joint decisions", models.JointDecision), ("ledger entries", LedgerEntry))


def approval_counts(district_ids) -> dict[str, int]:
    return {**_cases(district_ids), **_steps(district_ids), **_results(district_ids)}
