"""The projects of a demo district as plans: the stages each passed and when, its money,
its leader, team and pairing, its condition. ``projects.ProjectsReplay`` then plays each plan
through the project services. Mixed into ``DemoBuilder`` (it shares the builder's ``rng``)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo import this_month
from zhaoshang.demo.city import DATA, DEMO_CODE, PACE, DistrictWorld, Event, Plan, money, round_to
from zhaoshang.projects.choices import (
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    Level,
    ProjectKind,
    Source,
    Stage,
    TeamRole,
)

DAY = datetime.timedelta(days=1)
# Days from the previous main-line stage to each stage and in the present stage (drawn from
# the range); the departments paired with an industry's projects, how many by level.
STEP_DAYS, CURRENT_DAYS = DATA["STEP_DAYS"], DATA["CURRENT_DAYS"]
PAIRING = {None if k == "null" else k: v for k, v in DATA["PAIRING"].items()}
TEAM_SIZE = {Level.MAJOR: 3, Level.KEY: 2, Level.GENERAL: 1}


class PlansMixin:
    """Plans every project of a district (``_plan_projects``)."""

    # -- the stages a project passed ------------------------------------------------------

    def _path(self, stage: str) -> tuple[list, str | None, datetime.date | None]:
        """The stages a project passed, with dates; the exit variant and the stop date."""
        rng = self.rng
        if stage == Stage.TERMINATED:
            last = rng.choice([Stage.LEAD, Stage.NEGOTIATING, Stage.NEGOTIATING, Stage.PREREVIEW])
            ended = self._days_ago(10, 400)
            reached = ended - DAY * rng.randint(15, 90)
            return self._main_path(last, reached) + [(Stage.TERMINATED, ended)], None, None
        if stage == Stage.EXITED:
            self._exit_count += 1
            exited = self._days_ago(20, 180)
            if self._exit_count % 2:  # 三个月不开工
                land = exited - DAY * rng.randint(300, 420)
                path = self._main_path(Stage.LAND_DELIVERED, land)
                return path + [(Stage.EXITED, exited)], "land", None
            land = exited - DAY * rng.randint(760, 880)  # 两年不投产
            started = land + DAY * rng.randint(40, 80)
            stopped = started + DAY * rng.randint(150, 240)
            path = self._main_path(Stage.LAND_DELIVERED, land)
            return path + [(Stage.STARTED, started), (Stage.EXITED, exited)], "production", stopped
        return self._main_path(stage, self._days_ago(*CURRENT_DAYS[stage])), None, None

    def _main_path(self, last: str, last_on: datetime.date) -> list[tuple[str, datetime.date]]:
        dates = [last_on]
        for i in range(STAGE_INDEX[last], 0, -1):
            dates.append(dates[-1] - DAY * self.rng.randint(*STEP_DAYS[STAGE_ORDER[i]]))
        dates.reverse()
        return list(zip(STAGE_ORDER[: STAGE_INDEX[last] + 1], dates, strict=True))

    def _events(self, path, exit_variant: str | None) -> list[Event]:
        events = [Event("", path[0][0], path[0][1])]
        for (before, _d), (after, on) in zip(path, path[1:], strict=False):
            reason = ""
            if after == Stage.TERMINATED:
                reason = self.rng.choice(N.TERMINATION_REASONS[before])
            elif after == Stage.EXITED:
                reason = N.EXIT_REASONS[exit_variant]
            events.append(Event(before, after, on, reason))
        return events

    def _detour(self, plan: Plan, stage: str) -> None:
        """Insert a backward move from ``stage`` to the stage before it, and back again."""
        events = plan.events
        index = next(i for i, e in enumerate(events) if e.to_stage == stage)
        after = events[index + 1].on if index + 1 < len(events) else self.today
        gap = (after - events[index].on).days
        if gap < 60:
            for event in events[: index + 1]:
                event.on -= DAY * (60 - gap)
            gap = 60
        previous = STAGE_ORDER[STAGE_INDEX[stage] - 1]
        reason = N.BACKWARD_REASONS[stage]
        back = Event(stage, previous, events[index].on + DAY * (gap // 3), reason, True)
        again = Event(previous, stage, events[index].on + DAY * (2 * gap // 3))
        events[index + 1 : index + 1] = [back, again]

    # -- an investment project's figures -------------------------------------------------------

    def _investment(self, plan: Plan, info: dict) -> None:
        rng = self.rng
        big = plan.level == Level.MAJOR and rng.random() >= 0.6  # (a few very large ones)
        low, high, unit = (100, 300, 1000) if big else PACE["TOTALS"][plan.level]
        total = rng.randint(low, high) * unit
        plan.total = money(total)
        plan.fixed = round_to(total * rng.uniform(0.7, 0.9), 100 if total >= 10000 else 10)
        land = float(plan.fixed) / rng.uniform(*info["intensity"])
        plan.land = money(max(10, round(land * 2) / 2))
        plan.output = round_to(total * rng.uniform(*info["output_ratio"]), 100)
        plan.tax = round_to(float(plan.output) * rng.uniform(*info["tax_rate"]), 10)
        plan.jobs = max(20, int(float(plan.output) / rng.uniform(*info["output_per_job"])))
        template = N.ENERGY_COMMITMENT_CHEM if info["key"] == "chem" else N.ENERGY_COMMITMENT
        tce = int(round_to(float(plan.output) * rng.uniform(0.02, 0.08), 100))
        plan.energy = template.format(tce=tce)

    # -- the district's projects ------------------------------------------------------------

    def _plan_projects(self, world: DistrictWorld) -> None:
        rng, spec = self.rng, world.spec
        pool = [stage for stage, count in spec.stage_counts.items() for _ in range(count)]
        rng.shuffle(pool)
        infos = {info["key"]: info for info in spec.industries}

        def shuffled(items) -> list:
            items = list(items)
            rng.shuffle(items)
            return items

        stems = {key: shuffled(info["stems"]) for key, info in infos.items()}
        used_names: set[str] = set()

        def stem_name(key: str) -> str:
            if not stems[key]:
                stems[key] = shuffled(infos[key]["stems"])
            text, numbers = stems[key].pop()
            return text.format(n=rng.choice(numbers)) if numbers else text

        def new_plan(enterprise, stage, level=None, source=None, suffix=None):
            info = infos[enterprise.industry_key]
            name = enterprise.short + (suffix or stem_name(info["key"]))
            while name in used_names:
                name = enterprise.short + stem_name(info["key"])
            used_names.add(name)
            level = level or rng.choices([Level.MAJOR, Level.KEY, Level.GENERAL], [15, 35, 50])[0]
            park = info["park"] if rng.random() < 0.85 else info["alt_park"]
            source = source or rng.choices(*zip(*N.SOURCE_WEIGHTS, strict=True))[0]
            plan = Plan(name, ProjectKind.INVESTMENT, enterprise, info, park, level, source)
            self._investment(plan, info)
            path, plan.exit_variant, plan.stop_on = self._path(stage)
            plan.events = self._events(path, plan.exit_variant)
            world.plans.append(plan)

        portal = next(e for e in world.enterprises.values() if e.name == spec.portal_enterprise)
        for suffix, stage, level, source in spec.portal_projects:
            pool.remove(stage)
            new_plan(portal, stage, level, source, suffix)
        investors = [e for e in world.enterprises.values() if e.industry_key and e is not portal]
        for enterprise in investors:
            if pool:
                new_plan(enterprise, pool.pop())
        while pool:
            new_plan(rng.choice(investors), pool.pop())
        self._second_round(world)
        self._infrastructure(world)
        if spec.code == DEMO_CODE:
            self._detours(world, portal)
        for plan in world.plans:
            self._plan_details(world, plan)
        if spec.code == DEMO_CODE:  # (after every draw: the rest of the demo draws as ever)
            this_month.bring_forward(world.plans, self.today, skip=[portal])

    def _second_round(self, world: DistrictWorld) -> None:
        """An enterprise's later projects came through second-round promotion (二次招商)."""
        by_enterprise = defaultdict(list)
        for plan in world.plans:
            by_enterprise[plan.enterprise.name].append(plan)
        for plans in by_enterprise.values():
            plans.sort(key=lambda p: p.created_on)
            for plan in plans[1:]:
                if Stage.SIGNED in plans[0].dates() and self.rng.random() < 0.4:
                    plan.source = Source.SECOND_ROUND

    def _infrastructure(self, world: DistrictWorld) -> None:
        for name, park, short, total, fixed, land, stage in world.spec.infrastructure:
            big = Level.MAJOR if total >= 50000 else Level.KEY
            level = big if total >= 10000 else Level.GENERAL
            enterprise = world.enterprises[short]
            plan = Plan(name, ProjectKind.INFRASTRUCTURE, enterprise, None, park, level, "")
            plan.source, plan.energy = Source.GOVERNMENT, N.INFRASTRUCTURE_ENERGY
            plan.total, plan.fixed, plan.land = money(total), money(fixed), money(land)
            plan.description = N.INFRASTRUCTURE_DESCRIPTIONS[name]
            plan.events = self._events(self._path(stage)[0], None)
            world.plans.append(plan)

    def _detours(self, world: DistrictWorld, portal) -> None:
        """A couple of backward moves with their reasons (SPEC §4: going back needs one)."""
        for stages, back_from in (
            ((Stage.SIGNED, Stage.REGISTERED, Stage.LAND_DELIVERED), Stage.PREREVIEW),
            ((Stage.COMPLETED, Stage.PRODUCTION), Stage.STARTED),
        ):
            investments = [p for p in world.plans if p.kind == ProjectKind.INVESTMENT]
            plan = next(p for p in investments if p.enterprise is not portal and p.stage in stages)
            self._detour(plan, back_from)

    # -- leaders, team, condition, text -----------------------------------------------------

    def _leaders_and_pairing(self, world: DistrictWorld, plan: Plan) -> None:
        """The leader in charge, the working group and the paired departments of a plan."""
        rng, leaders, deps = self.rng, world.leaders, world.departments
        key = plan.industry["key"] if plan.industry else None
        if plan.kind == ProjectKind.INFRASTRUCTURE:
            plan.group, plan.leader = world.groups.get("infra"), leaders.get("construction")
        elif plan.level == Level.MAJOR:
            plan.group = world.groups["major"]
            options = ("executive", "industry", "industry", "construction", "finance")
            plan.leader = leaders[rng.choice([k for k in options if k in leaders])]
        else:
            plan.group = world.groups[key]
            if plan.level == Level.KEY or rng.random() < 0.3:
                group_lead = leaders[plan.industry["group_lead"]]
                plan.leader = group_lead if rng.random() < 0.6 else world.role_users[Role.LEADER]
        if plan.stage != Stage.LEAD:
            options = [k for k in PAIRING[key] if k in deps]
            wanted = min(TEAM_SIZE[plan.level], len(options))
            plan.paired = [deps[k] for k in rng.sample(options, wanted)]

    def _planned_dates(self, plan: Plan, dates: dict) -> None:
        rng, stage = self.rng, plan.stage
        signed, started = dates.get(Stage.SIGNED), dates.get(Stage.STARTED)
        if started:
            planned_start = started - DAY * rng.randint(0, 45)
        elif signed and stage in (Stage.SIGNED, Stage.REGISTERED):
            # land comes first: the agreement gives the start a season after it
            planned_start = signed + DAY * rng.randint(150, 300)
        elif signed:
            planned_start = signed + DAY * rng.randint(90, 200)
        elif stage in (Stage.NEGOTIATING, Stage.PREREVIEW):
            planned_start = self.today + DAY * rng.randint(120, 300)
        else:
            return
        completion = planned_start + DAY * rng.randint(*PACE["BUILD_DAYS"][plan.level])
        plan.planned = (planned_start, completion, completion + DAY * rng.randint(30, 90))

    def _condition(self, world: DistrictWorld, plan: Plan) -> None:
        """Delayed or stopped beside the stage, with a reason."""
        rng, today, stage = self.rng, self.today, plan.stage
        stage_on = plan.events[-1].on
        idle = (today - stage_on).days
        stoppable = plan.kind == ProjectKind.INVESTMENT and world.spec.code == DEMO_CODE
        stoppable = stoppable and self._stops < len(N.STOP_REASONS)
        if stage == Stage.STARTED and idle > 200 and stoppable:
            plan.condition, plan.condition_reason = Condition.STOPPED, N.STOP_REASONS[self._stops]
            self._stops += 1
            plan.stop_on = plan.condition_since = self._days_ago(40, 120)
            return
        own, external = N.DELAY_REASONS_OWN, N.DELAY_REASONS_EXTERNAL
        late, reasons = False, []
        if stage == Stage.STARTED:
            late = bool(plan.planned[1] and today > plan.planned[1]) or rng.random() < 0.12
            reasons = external + own[:1]
        elif stage == Stage.LAND_DELIVERED:
            late = idle > 90
            reasons = own[1:2] if plan.enterprise.industry_key else external[2:3]
        elif stage in (Stage.SIGNED, Stage.REGISTERED):
            late, reasons = rng.random() < 0.15, own[2:]
        elif stage == Stage.COMPLETED:
            late, reasons = idle > 100, external[1:4]
        if late:
            plan.condition, plan.condition_reason = Condition.DELAYED, rng.choice(reasons)
            earliest = stage_on + DAY * min(30, idle - 1)
            plan.condition_since = max(earliest, self._days_ago(20, 60))

    def _describe(self, plan: Plan, signed) -> None:
        """The project's description, as the bureau wrote it at registration."""
        stem = plan.name.removeprefix(plan.enterprise.short).removesuffix("项目")
        text = N.DESCRIPTION.format(company=plan.enterprise.name, stem=stem, **vars(plan))
        if plan.stage != Stage.LEAD:
            text += N.DESCRIPTION_FIGURES.format(**vars(plan))
        else:
            plan.output = plan.tax = plan.jobs = None
        if not signed:
            plan.energy = ""  # agreed in the investment agreement, at signing
        plan.description = text

    def _plan_details(self, world: DistrictWorld, plan: Plan) -> None:
        """Leaders, group, pairing, conditions, planned dates and the text of a plan."""
        rng, stage, dates = self.rng, plan.stage, plan.dates()
        self._leaders_and_pairing(world, plan)
        self._planned_dates(plan, dates)
        self._condition(world, plan)
        if plan.output is not None and stage in (Stage.PRODUCTION, Stage.CAPACITY):
            share = rng.uniform(0.2, 0.6) if stage == Stage.PRODUCTION else rng.uniform(0.8, 1.3)
            if stage == Stage.CAPACITY and self._low < 2:  # low per-mu tax: the clean-up list
                self._low += 1
                share = rng.uniform(0.15, 0.3)
            plan.actual_tax = round_to(float(plan.tax) * share, 10)
        plan.green = plan.level == Level.MAJOR
        if plan.kind == ProjectKind.INVESTMENT:
            self._describe(plan, dates.get(Stage.SIGNED))
        if Stage.SIGNED in dates:
            self._team(world, plan)

    def _team(self, world: DistrictWorld, plan: Plan) -> None:
        """项目经理制/项目秘书制: a county-level manager, a section-level secretary and a
        general cadre as service officer; a dedicated leading group for every major project."""
        rng, users = self.rng, world.role_users
        managers = list(world.leaders.values())
        manager = plan.leader or rng.choice(managers)
        secretary = rng.choice(world.people("section", world.spec.secretary_departments))
        if rng.random() < 0.2:
            secretary = users[Role.BUREAU]
        officer = rng.choice(world.people("general", world.spec.officer_departments))
        if world.departments.get("works") in plan.paired and rng.random() < 0.5:
            officer = users[Role.DEPARTMENT]
        elif plan.green and rng.random() < 0.5:
            officer = users[Role.SERVICE_CENTER]
        roles = (TeamRole.MANAGER, TeamRole.SECRETARY, TeamRole.SERVICE_OFFICER)
        plan.team = dict(zip(roles, (manager, secretary, officer), strict=True))
        if plan.level == Level.MAJOR:  # formed before it is signed (专门的领导小组)
            chosen = rng.random() < 0.7  # (drawn for every major plan, as ever)
            others = [u for u in managers if u is not manager]
            members = rng.sample(others, min(2, len(others))) if chosen else others[:2]
            heads = {world.departments[k].pk: h for k, h in world.heads.items()}
            for department in plan.paired[:2]:
                head = heads.get(department.pk)
                if head and head not in members:
                    members.append(head)
            plan.leading_group = members
