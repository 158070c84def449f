"""How a demo approval case is played (SPEC §6): its state today chosen, and each step a
call of the approval services by the person who acted, with the clock at an office time of
the day — registered by the service center, materials marked complete by the agent,
accepted, handled, paused, extended, transferred, reported, done or returned by the holding
department's handler; the joint decision by the service center. The nightly scans run the
night after a due date or a pledged date passes, so the overdue ledger and the pledge
pauses are the scans' own. ``approvals.ApprovalsBuilder`` plans which case lives which story.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemLevel, LimitUnit, PauseKind
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.org.models import User

DATA = N.load("approvals")
ONE_DAY = datetime.timedelta(days=1)
ONE_MINUTE = datetime.timedelta(minutes=1)
JOINT_CODES = ("GC-02", "GC-03")


@dataclass
class Story:
    """One case's planned life: who registers and handles it, and its steps ``(day, fn)``."""

    world: object
    project: object
    plan: object
    item: ApprovalItem
    registrar: User
    agent: User | None
    handler: User
    registered: datetime.date
    earliest: datetime.date | None = None  # materials cannot be complete before this
    done_on: datetime.date | None = None
    scenario: str = ""
    steps: list = field(default_factory=list)
    after: datetime.datetime | None = None  # the green channel's registration
    case: ApprovalCase | None = None

    @property
    def code(self) -> str:
        return self.item.code


class CaseSteps:
    """The open states and the steps of cases (mixed into ``ApprovalsBuilder``)."""

    @staticmethod
    def _natural(s: Story) -> bool:
        return s.item.time_limit_unit == LimitUnit.NATURAL_DAY

    # -- open cases: their state today ----------------------------------------------------

    def _open(self, s: Story, scenario: str, light) -> bool:
        """Date an open case so that it is in ``scenario`` today with its ``light`` (working
        days left); False when its earliest date leaves no room for that."""
        cal, rng, item = self.cal, self.rng, s.item
        earliest = cal.on_or_after(s.earliest)
        if scenario == "waiting" or earliest > self.yesterday:
            s.scenario = "waiting"
            return scenario == "waiting"
        early = {"pre_supplement": self._pre_supplement, "returned": self._returned}
        if scenario in early or scenario == "done":
            return early.get(scenario, self._done_recently)(s, earliest)
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
        accepted = mc
        if (
            scenario == "transferred"
            and self._transfer(s, mc, N.TRANSFERS[s.code][0])
            or n >= 2
            and rng.random() < 0.3
            and scenario not in ("resumed", "extended")
        ):
            accepted = cal.after(mc, 1)
        self._step(s, accepted, services.accept_case, on=accepted)
        if cal.between(accepted, self.yesterday) >= 1 or rng.random() < 0.5:
            self._step(s, accepted, services.start_handling)
        self._after_acceptance(s, scenario, accepted, paused, due)
        return True

    def _fits(self, s: Story, scenario: str) -> bool:
        item, natural = s.item, self._natural(s)
        if scenario == "reported":
            return item.level == ItemLevel.REPORTED
        if scenario == "transferred":
            target = s.world.items.get(N.TRANSFERS.get(s.code, [""])[0])
            return target is not None and target.department_id != s.item.department_id
        if scenario == "extended":
            return not natural and item.special_time_limit > item.time_limit
        return not (scenario == "resumed" and natural)

    def _reach(self, s: Story, scenario, light, limit, paused, earliest):
        """(n, due): materials complete n working days ago gives the light wanted today."""
        cal, natural = self.cal, self._natural(s)
        lo, hi = DATA["lights"][light] if isinstance(light, str) else light
        low, high = DATA["reach"][scenario]
        options = []
        for n in range(max(low, paused + 2 if paused else 0), high + 1):
            mc = cal.before(self.today, n)
            if mc < earliest:
                break
            due = mc + datetime.timedelta(days=limit) if natural else cal.after(mc, limit + paused)
            if lo <= cal.left(due, self.today) <= hi:
                options.append((n, due))
        return self.rng.choice(options) if options else None

    def _after_acceptance(self, s: Story, scenario, accepted, paused, due) -> None:
        """Resumed, paused, extended or reported after acceptance."""
        cal, rng, yesterday = self.cal, self.rng, self.yesterday
        if scenario == "resumed":
            start = (
                cal.after(accepted, 1) if cal.between(accepted, yesterday) > paused else accepted
            )
            self._pause(s, start, cal.after(start, paused))
        elif scenario in ("supplement_open", "special_open"):
            room = max(0, cal.between(accepted, min(due, yesterday)))
            self._pause(s, cal.after(accepted, rng.randint(0, room)), None, scenario)
        elif scenario == "extended":
            self._extend(s, min(cal.after(accepted, rng.randint(1, 2)), yesterday))
        elif scenario == "reported":
            self._report(s, min(cal.after(accepted, rng.randint(1, 3)), yesterday))

    def _pledge(self, s: Story, scenario: str, mc, n: int) -> bool:
        """容缺受理: accepted with a minor material missing; the clock starts at once. A
        pledge not kept by its date is paused by the next night's scan."""
        rng, cal = self.rng, self.cal
        due = cal.after(mc, 1)
        if scenario == "pledge":
            due = self.today + datetime.timedelta(days=rng.randint(3, 12))
        pledge = rng.choice(N.PLEDGE_MATERIALS)
        self._step(s, mc, services.accept_case, on=mc, pledge_materials=pledge, pledge_due_on=due)
        if scenario == "pledge" and n >= 3 and rng.random() < 0.5:
            on = cal.after(mc, rng.randint(1, n - 1))
            self._step(s, on, services.fulfil_pledge, on=on)
        return True

    def _pre_supplement(self, s: Story, earliest) -> bool:
        """Materials incomplete: 补正 asked before acceptance (the clock has not started)."""
        day = max(self.cal.before(self.today, self.rng.randint(1, 8)), earliest)
        reason = N.SUPPLEMENT_REASONS[s.code]
        self._step(s, day, services.pause_case, kind=PauseKind.SUPPLEMENT, reason=reason, on=day)
        s.scenario = "pre_supplement"
        return True

    def _returned(self, s: Story, earliest) -> bool:
        days = [d for n in range(2, 11) if (d := self.cal.before(self.today, n)) >= earliest]
        if not days:
            return False
        mc = self.rng.choice(days)
        returned = sum(1 for o in self.stories if o.scenario == "returned" and o.world is s.world)
        self._materials(s, mc)
        on = self.cal.after(mc, 1)
        reason = N.RETURN_REASONS[returned % 2]
        self._step(s, on, services.return_case, reason=reason, on=on)
        s.scenario = "returned"
        return True

    def _done_recently(self, s: Story, earliest) -> bool:
        if earliest > self.cal.before(self.today, 3):
            return False
        self._done(s, s.earliest, self.today)
        return True

    # -- the joint decision -------------------------------------------------------------------

    def _joint(self, world, project, stories) -> None:
        """互为前置: two working days ago a joint meeting decided that 施工图审查 and 消防设计审查
        are approved together, with one common due date; 施工图审查 was accepted the day
        before, 消防设计审查 on the meeting's word."""
        cal = self.cal
        first, second = stories.get(JOINT_CODES[0]), stories.get(JOINT_CODES[1])
        decided = cal.before(self.today, 2)
        if (
            first is None
            or second is None
            or first.earliest is None
            or (first.earliest > cal.before(self.today, 3) or second.registered > decided)
        ):  # no room for the meeting: 施工图审查 runs alone, 消防设计审查 waits for it
            for s, scenario in ((first, "candidate"), (second, "waiting")):
                if s is not None and s.scenario == "joint":
                    s.scenario = scenario
            return
        mc = cal.before(self.today, 3)
        self._materials(first, mc)
        self._step(first, mc, services.accept_case, on=mc)
        self._step(first, decided, services.start_handling)
        recorder = world.role_users[Role.SERVICE_CENTER]
        number = N.JOINT_DECISION_NUMBER.format(year=decided.year, n=self.rng.randint(10, 40))

        def decide():
            cases = [first.case, second.case]
            services.record_joint_decision(
                recorder, project, cases, decided, number, N.JOINT_DECISION_NOTE
            )

        self.line.add(moment(decided, 16, self.rng.randint(10, 50)), decide)
        accepted = cal.before(self.today, 1)
        self._step(second, accepted, services.accept_case, on=accepted)

    # -- steps: the services, by the person who acted -----------------------------------------

    def _registration(self, s: Story):
        def register():
            s.case = services.register_case(s.registrar, s.project, s.item, agent=s.agent)

        return register

    def _green_channel(self, registrar, project, agent, stories) -> None:
        by_item = {s.item.pk: s for s in stories.values()}
        for case in services.register_green_channel(registrar, project, agent):
            by_item[case.item_id].case = case

    def _step(self, s: Story, day, service, *args, by=None, **kwargs) -> None:
        """Plan ``service(by, case, …)`` on ``day``; ``by`` is the holding department's
        handler unless named."""
        by = by or s.handler

        def run():
            result = service(by, s.case, *args, **kwargs)
            if isinstance(result, list):  # complete_case: the case and those done with it
                result = result[0]
            if isinstance(result, ApprovalCase):
                s.case = result
            self._watch(s)

        s.steps.append((day, run))

    def _materials(self, s: Story, day) -> None:
        by = s.agent or s.registrar
        self._step(s, day, services.mark_materials_complete, on=day, by=by)

    def _transfer(self, s: Story, day, target_code: str) -> bool:
        """快速转办 to the competent department, whose handler takes the case on."""
        target = s.world.items[target_code].department
        if target.pk == s.handler.department_id:
            return False
        reason = N.TRANSFERS[s.code][1]
        self._step(s, day, services.transfer_case, to_department=target, reason=reason, on=day)
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
        self._step(s, start, services.pause_case, kind=kind, reason=reason, on=start)
        if end is not None:
            self._step(s, end, services.resume_case, on=end)
        return end or start

    def _extend(self, s: Story, day) -> None:
        reason, approver = self.rng.choice(N.EXTENSION_REASONS), self.rng.choice(s.world.approvers)
        self._step(s, day, services.extend_case, reason=reason, approver=approver, on=day)

    def _report(self, s: Story, day) -> None:
        self._step(s, day, services.report_upward, to=N.REPORTED_TO, on=day)

    def _chain(self, steps, after=None) -> None:
        """A case's steps in their order, each at an office time of its day, strictly after
        the step before (and after the green channel's registration)."""
        previous = after
        for day, fn in sorted(steps, key=lambda step: step[0]):
            when = office_time(self.rng, day, late=0.02)
            if previous is not None and when <= previous:
                when = previous + ONE_MINUTE * self.rng.randint(5, 40)
            previous = when
            self.line.add(when, fn)

    # -- the nightly scans ---------------------------------------------------------------------

    def _watch(self, s: Story) -> None:
        """Plan the nightly scan after the case's due date (or pledged date) passes while it
        is open: it writes the overdue entry, or pauses the pledge. (A case planned done by
        its due date needs none.)"""
        case = s.case
        if not case.is_open:
            return
        due = case.due_on if not case.paused else None
        if due is not None and s.done_on is not None and s.done_on <= due:
            due = None
        pledge = case.pledge_due_on if not case.pledge_fulfilled_on else None
        for day in (due, pledge):
            if day is None:
                continue
            night = day + ONE_DAY
            if moment(night, 1, 30) <= clock.now():
                night = clock.today() + ONE_DAY
            if night not in self.nights:
                self.nights.add(night)
                self.line.add(moment(night, 1, 30), self._scan)

    @staticmethod
    def _scan() -> None:
        services.scan_overdue()
        services.scan_pledges()
