"""The projects' history, replayed through the project services (SPEC §4, §5): each
project registered, moved from stage to stage with its evidence, its team named, its
condition marked, funds recorded month by month along its investment curve, monthly
progress filed with its image progress (形象进度) and site photo — each step by the person
who did it, with the clock at its moment. One project of the demo district reports a month
too high and corrects it the month after, with its reason (a cumulative figure goes back
only so)."""

from __future__ import annotations

import datetime
import random
import zlib
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.base import files_written
from zhaoshang.demo.city import DATA, DEMO_CODE, PACE, money, round_to
from zhaoshang.demo.days import add_months, month_end, months
from zhaoshang.demo.files import tiny_pdf, tiny_png
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.enterprises import services as enterprise_services
from zhaoshang.projects import services
from zhaoshang.projects.choices import (
    REPORTING_STAGES,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    FundsOrigin,
    FundsUse,
    Level,
    ProjectKind,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import DocumentVersion, MaterialType, MonthlyReportPhoto

# Materials kept besides the stage evidence ([stage reached, material]); the share of the
# total investment done when a stage is reached, and the days a stage usually lasts.
EXTRA_MATERIALS, INVESTMENT_SHARE = PACE["EXTRA_MATERIALS"], PACE["INVESTMENT_SHARE"]
EXPECTED_DAYS = PACE["EXPECTED_DAYS"]
FUNDS_FIELDS = ("received_on", "amount", "origin", "use", "note")
REPORT_FIELDS = ("month", "investment_this_month", "investment_cumulative", "funds_this_month")
REPORT_FIELDS += ("image_progress", "problems")
DAY = datetime.timedelta(days=1)


def chain(line: Timeline, rng, steps: list[tuple[datetime.date, object]]) -> None:
    """Plan one record's steps ``[(day, fn), …]`` in their order, each at an office time of
    its day and strictly after the step before (all drawn now, not as they play). A step of
    today (a move of this month when the demo is loaded on the 1st, ``this_month``) is
    recorded this early morning, before the present."""
    previous = None
    for day, fn in sorted(steps, key=lambda s: s[0]):
        when = office_time(rng, day, late=0.02)
        if day == line.today:
            when = moment(day, 7, when.minute % 20)
            if previous is not None and when <= previous:
                when = previous + datetime.timedelta(minutes=3)
        elif previous is not None and when <= previous:
            when = previous + datetime.timedelta(minutes=rng.randint(5, 40))
        previous = when
        line.add(when, fn)


class _Discarded:
    """A timeline that keeps no step."""

    def __init__(self, today: datetime.date):
        self.today = today

    def add(self, *args, **kwargs) -> None:
        pass


class ProjectsReplay:
    """Plans the enterprises' and projects' steps of one district on the timeline."""

    def __init__(self, builder, world, line: Timeline):
        self.b, self.world, self.line = builder, world, line
        self.rng, self.today = builder.rng, builder.today
        self.materials = {m.code: m for m in MaterialType.objects.all()}
        self.bureau = world.role_users[Role.BUREAU]
        bureau_pk = world.departments["bureau"].pk
        self.bureau_staff = [
            u for u in world.staff if u.department_id == bureau_pk and u.rank != "county"
        ]
        # The demo district shows one correction of a cumulative figure (see _correction).
        self.corrected = world.district.code != DEMO_CODE

    def plan(self) -> None:
        for enterprise in self.world.enterprises.values():
            self._enterprise(enterprise)
        for plan in sorted(self.world.plans, key=lambda p: (p.created_on, p.name)):
            if getattr(plan, "this_month", False):
                # brought forward (``this_month``): its own draws, the others' as ever
                self._as_drawn(plan)
                main, self.rng = self.rng, random.Random(plan.name)
                self._project(plan)
                self.rng = main
            else:
                self._project(plan)

    def _as_drawn(self, plan) -> None:
        """Plan a project brought forward as it was first drawn, its steps discarded: the
        projects after it draw as they did."""
        events, line, corrected = plan.events, self.line, self.corrected
        plan.events, self.line = plan.drawn_events, _Discarded(self.today)
        try:
            self._project(plan)
        finally:
            plan.events, self.line, self.corrected = events, line, corrected

    # -- enterprises ----------------------------------------------------------------------

    def _enterprise(self, enterprise) -> None:
        """Registered three days before its first project (or some day of the last year)."""
        firsts = [p.created_on for p in self.world.plans if p.enterprise is enterprise]
        day = min(firsts) - DAY * 3 if firsts else self.b._days_ago(30, 365)
        self.line.add(office_time(self.rng, day, late=0), self._register, enterprise)

    def _register(self, enterprise) -> None:
        data = {f: getattr(enterprise, f) for f in enterprise_services.EDITABLE_FIELDS}
        saved = enterprise_services.create_enterprise(self.bureau, self.world.district, data)
        # The planned instance (which the plans hold) becomes the saved row.
        enterprise.pk, enterprise.created_at = saved.pk, saved.created_at
        enterprise.version = getattr(saved, "version", None)
        enterprise._state.adding, enterprise._state.db = False, saved._state.db

    # -- one project ------------------------------------------------------------------------

    def _project(self, plan) -> None:
        rng, dates = self.rng, plan.dates()
        signed = dates.get(Stage.SIGNED)
        plan.team_since = None
        if plan.team:
            # (named by yesterday, or on the day of a signing this morning)
            named_by = max(self.today - DAY, signed)
            plan.team_since = min(signed + DAY * rng.randint(0, 7), named_by)
        creator = rng.choice(self.bureau_staff)
        steps = [(plan.created_on, lambda: self._create(plan, creator))]
        steps += self._stage_steps(plan)
        if plan.team:
            steps.append((plan.team_since, lambda: self._team(plan)))
        if plan.condition != Condition.NORMAL:
            actor = plan.team.get(TeamRole.SECRETARY) or self.bureau
            args = (actor, plan.condition, plan.condition_reason)
            steps.append((plan.condition_since, self._step(services.set_condition, plan, *args)))
        if signed:
            funds = self._funds(plan)
            steps += [(day, self._step(services.record_funds, plan, *a)) for day, a in funds]
            steps += self._reports(plan, funds)
        chain(self.line, rng, steps)

    def _actor(self, plan, day: datetime.date):
        """Who records on ``day``: the project secretary once the team is named, else the
        bureau's staff."""
        if plan.team_since and day > plan.team_since:
            return plan.team[TeamRole.SECRETARY]
        return self.rng.choice(self.bureau_staff)

    def _step(self, service, plan, who, *args, files=()):
        """A step: ``service(who, plan.project, *args)``, noting the files it writes."""

        def step():
            with files_written(self.b.written_files, *files):
                return service(who, plan.project, *args)

        return step

    def _create(self, plan, creator) -> None:
        w = self.world
        data = {field: getattr(plan, name) for field, name in DATA["PLAN_FIELDS"].items()}
        data["industry"] = w.industries[plan.industry["key"]] if plan.industry else None
        data["park"] = w.parks[plan.park_code]
        for key, day in zip(("start", "completion", "production"), plan.planned, strict=True):
            data[f"planned_{key}_on"] = day
        plan.project = services.create_project(creator, w.district, data, plan.paired)

    def _team(self, plan) -> None:
        rows = list(plan.team.items())
        if not getattr(plan, "group_formed", False):
            rows += [(TeamRole.LEADING_GROUP, u) for u in plan.leading_group]
        for role, user in rows:
            services.assign_team_member(self.bureau, plan.project, role, user)
        plan.project.__dict__.pop("_team_user_ids", None)

    # -- stages and the library -------------------------------------------------------------

    def _file(self, plan, code: str, number: int, day: datetime.date) -> ContentFile:
        material = self.materials[code]
        if code == "site_photos":
            hue = zlib.crc32(plan.name.encode())
            return ContentFile(tiny_png(0.15 * number, hue=hue), name=f"{code}-v{number}.png")
        lines = [
            "Zhaoshang demo document (sample file)",
            f"Project: {plan.name}",
            f"Material: {material.name_en or code}",
            f"Version {number}, {day.isoformat()}",
        ]
        return ContentFile(tiny_pdf(lines), name=f"{code}-v{number}.pdf")

    def _upload(self, plan, library: dict, code: str, day, note: str = ""):
        """A step: add the next version of a material to the project's library."""
        library[code] = number = library.get(code, 0) + 1
        self.first.setdefault(code, day)
        f, material = self._file(plan, code, number, day), self.materials[code]
        who = self._actor(plan, day)
        return (
            day,
            self._step(
                services.upload_document, plan, who, material, f, note, files=(DocumentVersion,)
            ),
        )

    def _extras(self, plan, library, event, previous_on, reached) -> list:
        steps = []
        for stage_needed, code in EXTRA_MATERIALS:
            if stage_needed != event.to_stage or code in library or stage_needed in reached:
                continue
            if code == "energy_assessment" and plan.level == Level.GENERAL:
                continue
            if code == "safety_assessment" and (plan.industry or {}).get("key") != "chem":
                continue
            day = previous_on + (event.on - previous_on) * self.rng.uniform(0.3, 0.9)
            steps.append(self._upload(plan, library, code, day))
        return steps

    def _stage_steps(self, plan) -> list:
        """Every move after the first, with its evidence and the materials gathered before;
        some documents later replaced by a second version."""
        steps, library, reached = [], {}, set()
        self.first = first = {}  # the day each material was first uploaded
        previous_on = plan.events[0].on
        for event in plan.events[1:]:
            evidence = {}
            if not event.backward:
                steps += self._extras(plan, library, event, previous_on, reached)
                for code in STAGE_EVIDENCE.get(event.to_stage, ()):
                    if code not in library or event.to_stage in reached:
                        library[code] = library.get(code, 0) + 1
                        evidence[code] = self._file(plan, code, library[code], event.on)
                        first.setdefault(code, event.on)
                reached.add(event.to_stage)
            previous_on = event.on
            who, args = self._actor(plan, event.on), (event.to_stage, event.on, event.reason)
            files = (DocumentVersion,) if evidence else ()
            move = self._step(services.change_stage, plan, who, *args, evidence, files=files)
            if event.to_stage == Stage.SIGNED and plan.leading_group and not event.backward:
                move = self._group_first(plan, move)
            steps.append((event.on, move))
        for code, count in list(library.items()):
            if count == 1 and self.rng.random() < 0.08:
                day = first[code] + DAY * self.rng.randint(10, 120)
                if day < self.today:
                    notes = N.SECOND_VERSION_NOTES
                    note = notes[-1] if code == "business_license" else self.rng.choice(notes[:-1])
                    steps.append(self._upload(plan, library, code, day, note))
        return steps

    def _group_first(self, plan, move):
        """A major project's own leading group (专门的领导小组) is formed just before it is
        signed: the signing step names its members first."""

        def step():
            if not getattr(plan, "group_formed", False):
                for user in plan.leading_group:
                    role = TeamRole.LEADING_GROUP
                    services.assign_team_member(self.bureau, plan.project, role, user)
                plan.group_formed = True
            return move()

        return step

    # -- money and progress ------------------------------------------------------------------

    def curve(self, plan):
        """Share of the total investment completed by a day, from the stage dates."""
        dates = plan.dates()
        points = sorted((dates[s], INVESTMENT_SHARE[s]) for s in REPORTING_STAGES if s in dates)
        main = [s for s in STAGE_ORDER if s in dates]
        last = main[-1] if main else None
        following = STAGE_ORDER[STAGE_INDEX[last] + 1] if last and last != Stage.CAPACITY else None
        freeze = plan.stop_on or dates.get(Stage.EXITED)
        pace = 0.5 if plan.condition == Condition.DELAYED else 1.0

        def share(day: datetime.date) -> float:
            if freeze and day > freeze:
                day = freeze
            if not points or day < points[0][0]:
                return 0.0
            for (d0, f0), (d1, f1) in zip(points, points[1:], strict=False):
                if day <= d1:
                    return f0 + (f1 - f0) * (day - d0).days / max(1, (d1 - d0).days)
            d_last, f_last = points[-1]
            if following is None or last not in EXPECTED_DAYS:
                return f_last
            progress = min((day - d_last).days * pace / EXPECTED_DAYS[last], 0.9)
            return f_last + (INVESTMENT_SHARE[following] - f_last) * progress

        return share

    def _funds(self, plan) -> list[tuple[datetime.date, tuple]]:
        """The funds in place month by month, following the investment curve."""
        rng = self.rng
        dates = plan.dates()
        signed, production = dates[Stage.SIGNED], dates.get(Stage.PRODUCTION)
        origin = PACE["ORIGINS"][plan.enterprise.origin if plan.enterprise else "local"]
        share, ratio, total = self.curve(plan), rng.uniform(0.95, 1.12), float(plan.total)
        exited = dates.get(Stage.EXITED, self.today) - DAY
        end = min(self.today - DAY, plan.stop_on or self.today, exited)
        entries, funded = [], 0.0
        for month in months(signed.replace(day=1), end):
            target = min(total, total * (share(min(month_end(month), end)) * ratio + 0.02))
            gap = target - funded
            # (the first money arrives in the first month with a gap, whatever the draw)
            if gap > total * 0.015 and (rng.random() < 0.65 or not entries):
                day = max(month + DAY * rng.randint(2, 26), signed)
                # (rounded, but never past the total investment)
                amount = min(round_to(gap, 10) if gap >= 100 else money(gap), money(total - funded))
                if day <= end and amount > 0:
                    working = production is not None and day >= production and rng.random() < 0.5
                    use = FundsUse.WORKING_CAPITAL if working else FundsUse.FIXED_ASSETS
                    other = origin if rng.random() < 0.8 else rng.choice(list(FundsOrigin))
                    values = (day, amount, other, use, rng.choice(N.FUNDS_NOTES))
                    data = dict(zip(FUNDS_FIELDS, values, strict=True))
                    stamp = min(day + DAY * rng.randint(0, 3), end)
                    entries.append((stamp, (self._actor(plan, stamp), data)))
                    funded += float(amount)
        return entries

    def _reports(self, plan, funds) -> list:
        """The monthly reports, filed by the 5th of the next month (a few late)."""
        dates, this_month = plan.dates(), self.today.replace(day=1)
        first = max(add_months(dates[Stage.SIGNED], 1), add_months(this_month, -24))
        exited = add_months(dates.get(Stage.EXITED, self.today), -1)
        reported = months(first, min(add_months(this_month, -1), exited))
        if not reported:
            return []
        rng, today = self.rng, self.today
        own_hall = getattr(plan.enterprise, "name", None) == self.world.spec.portal_enterprise
        share, total = self.curve(plan), float(plan.total)
        base = total * share(min(month_end(add_months(reported[0], -1)), today))
        raw, previous = [], base
        for month in reported:
            value = total * share(min(month_end(month), today))
            raw.append(max(0.0, value - previous))
            previous = value
        noisy = [r * rng.uniform(0.7, 1.3) for r in raw]
        scale = sum(raw) / sum(noisy) if sum(noisy) else 0
        by_month = defaultdict(Decimal)
        for _stamp, (_who, data) in funds:
            by_month[data["received_on"].replace(day=1)] += data["amount"]
        # Cumulative figures are rounded once and the month's figure is their difference,
        # so that cumulative = previous cumulative + this month, to the cent.
        previous_total, running = money(base), base
        delayed = plan.condition != Condition.NORMAL
        steps = []
        for month, amount in zip(reported, noisy, strict=True):
            running += amount * scale
            cumulative = money(running)
            this, previous_total = cumulative - previous_total, cumulative
            end_day = min(month_end(month), today)
            text = self.progress_text(plan, plan.stage_on(end_day), end_day, share(end_day))
            problem = rng.choice(N.PROBLEMS) if rng.random() < (0.35 if delayed else 0.12) else ""
            if delayed and month == reported[-1]:
                problem = plan.condition_reason
            if delayed and month == reported[-1] and rng.random() < 0.5:
                continue  # a delayed project whose last report is still missing
            late = rng.random() < 0.06
            day = add_months(month, 1).replace(
                day=rng.randint(6, 14) if late else rng.randint(1, 5)
            )
            if day >= today or day >= plan.dates().get(Stage.EXITED, today):
                continue  # not filed yet (due by the 5th), or never: the project left
            funds_in = by_month.get(month, Decimal("0.00"))
            values = (month, this, cumulative, funds_in, text, problem)
            steps.append([day, dict(zip(REPORT_FIELDS, values, strict=True)), []])
        if not self.corrected and plan.condition == Condition.NORMAL:
            self.corrected = self._correction(plan, steps)
        if own_hall and steps and steps[-1][1]["month"] == reported[-1]:
            steps.pop()  # the enterprise files it itself, in its service hall (demo.portal)
        if steps and plan.stage in (Stage.STARTED, Stage.COMPLETED, Stage.LAND_DELIVERED):
            latest = steps[-1]
            progress = share(latest[1]["month"]) if plan.stage != Stage.LAND_DELIVERED else 0.0
            png = tiny_png(progress, zlib.crc32(plan.name.encode()))
            latest[2] = [ContentFile(png, name="progress-1.png")]
        who, report = plan.team[TeamRole.SECRETARY], services.submit_monthly_report
        return [
            (
                day,
                self._step(report, plan, who, data, photos, files=photos and [MonthlyReportPhoto]),
            )
            for day, data, photos in steps
        ]

    def _correction(self, plan, steps: list) -> bool:
        """Make one month of ``steps`` count an equipment invoice twice and the next month
        take it back as a correction with its reason (the cumulative figure goes down, the
        month too high stays as filed); False when no month suits (two months in a row,
        mid-way, the first with at least 100 and more than the second)."""
        for first, then in zip(steps[2:-2], steps[3:-1], strict=False):
            month, this = first[1]["month"], first[1]["investment_this_month"]
            if then[1]["month"] != add_months(month, 1) or this < 100:
                continue
            if not 0 < then[1]["investment_this_month"] < this:
                continue
            if first[1]["investment_cumulative"] + this > plan.total:
                continue
            first[1]["investment_this_month"] += this
            first[1]["investment_cumulative"] += this
            then[1]["is_correction"] = True
            then[1]["correction_reason"] = N.CORRECTION_REASON.format(
                year=month.year, month=month.month, amount=f"{this:,.2f}".rstrip("0").rstrip(".")
            )
            return True
        return False

    def progress_text(self, plan, stage: str, day: datetime.date, share: float) -> str:
        """The image progress (形象进度) a report of ``day`` tells, following the stage."""
        rng, texts = self.rng, N.PROGRESS_TEXTS
        infra = plan.kind == ProjectKind.INFRASTRUCTURE
        if plan.stop_on and day > plan.stop_on:
            return texts["stopped"]
        if infra and stage in (Stage.PRODUCTION, Stage.CAPACITY):
            return texts["infra_running"]
        entered = max(
            (e.on for e in plan.events if e.to_stage == stage and e.on <= day), default=day
        )
        elapsed = (day - entered).days / EXPECTED_DAYS.get(stage, 180)
        if stage == Stage.STARTED:
            works = max(0.0, min(1.0, (share - INVESTMENT_SHARE[Stage.STARTED]) / 0.75))
            steps = texts["infra_started" if infra else "started"]
            options = next(t for upper, t in steps if works < upper)
            pct = max(5, min(95, round(works * 20) * 5))
        elif stage == Stage.LAND_DELIVERED and (day - entered).days > 90:
            idle = texts["idle_land"]
            options, pct = idle[1:] if (day - entered).days > 180 else idle[:1], 0
        else:
            key = f"infra_{stage}" if infra and f"infra_{stage}" in texts else stage
            if key not in texts:
                return texts["signed"][0]
            options = texts[key]
            if not key.endswith("capacity"):
                # the texts run in the order of the work: pick by the time spent in the stage
                options = [options[min(len(options) - 1, int(elapsed * len(options)))]]
            pct = rng.randint(6, 18) * 5
            if stage == Stage.PRODUCTION:
                pct = min(95, 50 + round(min(elapsed, 1.0) * 9) * 5)
            elif stage == Stage.COMPLETED:
                pct = min(95, 40 + round(min(elapsed, 1.0) * 11) * 5)
        monthly = float(plan.output or 0) / 12
        share = pct / 100 if stage == Stage.PRODUCTION else rng.uniform(0.95, 1.15)
        value = monthly * share
        return rng.choice(options).format(pct=pct, value=int(round(value, -1)))
