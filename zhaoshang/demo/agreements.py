"""Agreements, obligations and service commitments of the demo city (SPEC §8, 履约, 倒排工期):
each signed investment project's agreement, its duties met as the records say (a few late,
a slipped stage moved by a 补充协议, an exited project's waived); the departments' duties
fulfilled by commitments planned backwards on the templates, filed with the park committee
(some in several versions), their milestones done, running or stuck; then the nightly
scans. Replayed through ``agreements.services``; the tables in ``data/agreements.json``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from functools import partial

from django.db.models import F, Q

from zhaoshang.agreements import models, permissions, services
from zhaoshang.agreements.choices import ObligationStatus
from zhaoshang.agreements.models import Milestone, Obligation, ScheduleTemplate, TemplateStep
from zhaoshang.agreements.schedule import Step, plan_backwards
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, acting_for, admin_save, counter, pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_INDEX, ProjectKind, Stage, TeamRole
from zhaoshang.projects.models import FundsEntry

DATA = load("agreements")
HUNDRED = Decimal("100")
ON_TIME = 0.95  # milestones done by their due date; a district's stuck steps were due
STUCK_FOR = 120 * DAY  # in the last STUCK_FOR (its red lights)
# The share of agreements whose land delivery date was set no earlier than the land came;
# the others owe it 90–150 days after signing, and where the land came later (about a third
# of the demo district's projects given land) it is 签约未供地 in the past: the land department's
# breach, the government's exit warning raised the day after and cleared when it came.
LAND_ON_TIME = 0.35


def _month_end(day: datetime.date, margin_days: int = 0) -> datetime.date:
    """The last day of the month ``margin_days`` after ``day``."""
    later = day + margin_days * DAY
    return (later.replace(day=28) + 4 * DAY).replace(day=1) - DAY


def _quarter_end(day: datetime.date) -> datetime.date:
    return _month_end(day.replace(day=1, month=(day.month - 1) // 3 * 3 + 3))


def _round_down(value: Decimal, unit: Decimal = HUNDRED) -> Decimal:
    return (value / unit).quantize(Decimal("1"), ROUND_DOWN) * unit


class AgreementsBuilder(Part):
    """Adds agreements, obligations and commitments to the worlds a DemoBuilder built."""

    SEED = 2026_08

    def build(self) -> None:
        # What each district may have stuck: its one late start, its stuck service steps.
        self.budget = {w.spec.code: dict(DATA["stuck"].get(w.spec.code, {})) for w in self.worlds}
        self.actors = {}  # department pk -> who acts for it
        for world in self.worlds:
            self._templates(world)
            self._agreements(world)
        self.line.run()
        self._scans()
        self.line.run()
        ids = [w.district.pk for w in self.worlds]
        written = Obligation.objects.filter(district_id__in=ids, evidence__gt="")
        self.builder.written_files += written.values_list("evidence", flat=True)

    def _agreements(self, world) -> None:
        """Every signed investment project's agreement, recorded the day it was signed."""
        rng, funds, numbers = self.rng, defaultdict(list), defaultdict(int)
        entries = FundsEntry.objects.filter(project__district=world.district)
        for pk, *entry in entries.values_list("project_id", "received_on", "amount"):
            funds[pk].append(entry)
        departments, parks = world.departments, {p.pk: p for p in world.parks.values()}
        ours = [departments[k].name + t for k, t in DATA["clauses"].items() if k in departments]
        words = {"geo": world.spec.geo, "district": world.district, "clauses": "；".join(ours)}
        signed = [p for p in world.plans if p.project.signed_on and p.project.planned_start_on]
        signed = [p for p in signed if p.kind == ProjectKind.INVESTMENT and p.enterprise]
        for plan in sorted(signed, key=lambda p: (p.project.signed_on, p.project.code)):
            project, year = plan.project, plan.project.signed_on.year
            numbers[year] += 1
            park, enterprise = parks[project.park_id], plan.enterprise
            words.update(year=year, n=numbers[year], park=park, enterprise=enterprise)
            fields = {k: v.format(**words) for k, v in DATA["header"].items()}
            fields.update({k: getattr(project, a) for k, a in DATA["from_project"].items()})
            deal = {"fields": fields, "schedule": self._schedule(project, funds[project.pk])}
            deal["terms"], moved = self._terms(world, plan)
            extra = self._department_obligations(world, project)
            when = office_time(rng, project.signed_on, late=0)
            self.line.add(when, self._sign, world, plan, deal, moved, extra)
            if moved:  # the supplementary agreement, weeks before the first date moved
                day = min(deal["terms"][k] for k in moved) - rng.randint(10, 40) * DAY
                when = office_time(rng, max(day, project.signed_on + DAY), late=0)
                self.line.add(when, self._save, world, project, deal, moved)
            gone = project.exited_on or project.terminated_on
            if plan.stage in EXIT_STAGES and gone:
                self.line.add(office_time(rng, gone, late=0), self._release, world, deal, gone)

    @staticmethod
    def _save(world, project, deal, moved=None):
        """The agreement (``deal``, as the service takes it) as signed, or its 补充协议."""
        change = {"terms": deal["terms"] | (moved or {})}
        bureau = world.role_users[Role.BUREAU]
        deal["agreement"] = services.save_agreement(bureau, project, **(deal | change))
        return deal["agreement"]

    def _sign(self, world, plan, deal, moved, extra) -> None:
        agreement, bureau = self._save(world, plan.project, deal), world.role_users[Role.BUREAU]
        for ob in agreement.obligations.all():  # (handed over by the service)
            if ob.kind in DATA["evidence"] and f"{ob.term}_by" not in moved:
                self._confirm(world, plan, ob)
        owed = services.add_obligations(bureau, agreement, [v for _k, v in extra])
        owed = dict(zip([k for k, _v in extra], owed, strict=True))
        if plan.stage in EXIT_STAGES:
            return  # no commitments for a project that exited
        for key, ob in owed.items():
            if key and (ob.due_on <= self.today or self.rng.random() >= 0.15):
                self._commitment(world, plan.project, key, ob)  # (else: not planned yet)
        land = "land" in world.departments and not plan.project.land_delivered_on
        if land and self.rng.random() < 0.8:
            self._commitment(world, plan.project, "land", None)

    @staticmethod
    def _release(world, deal, gone) -> None:
        """The project exited: the agreement ends, what was still owed is waived."""
        owed = deal["agreement"].obligations.filter(waived_on__isnull=True).with_met(clock.today())
        reason = DATA["waiver"].format(date=gone)
        for ob in owed.filter(status__in=[ObligationStatus.PENDING, ObligationStatus.MISSED]):
            services.waive_obligation(world.role_users[Role.BUREAU], ob, reason=reason)

    def _terms(self, world, plan) -> tuple[dict, dict]:
        """The terms as signed (the stages at month ends after the project's plan), and the
        dates a 补充协议 moved (a stage not reached in time, but for the late start)."""
        project, rng, terms, moved = plan.project, self.rng, {}, {}
        floor = project.signed_on + DAY
        for name, planned, reached, margin in DATA["stage_terms"]:
            due = max(_month_end(getattr(project, planned), margin), floor)
            done = getattr(project, reached)
            if done and rng.random() < 0.92:
                due = max(due, _month_end(done))
            terms[name] = floor = due
            if not done and due < self.today and plan.stage not in EXIT_STAGES:
                moved[name] = max([_month_end(self.today, rng.randint(60, 240)), *moved.values()])
        budget = self.budget[world.spec.code]
        recent = terms["start_by"] > self.today - 150 * DAY
        if list(moved) == ["start_by"] and recent and budget.get("late"):
            budget["late"], moved = budget["late"] - 1, {}  # the district's late starts
        recent = terms["production_by"] > self.today - 100 * DAY
        if list(moved) == ["production_by"] and recent and budget.get("late_production"):
            # built but not producing by its agreement's date: no 补充协议 (两年不投产)
            budget["late_production"], moved = budget["late_production"] - 1, {}
        for name in ("completion_by", "production_by"):
            if moved and terms[name] <= max(moved.values()):
                moved[name] = _month_end(max(moved.values()), 90)
        if project.fixed_asset_investment and project.land_area:
            intensity = project.fixed_asset_investment / project.land_area
            terms["intensity"] = _round_down(intensity, Decimal("10"))
            terms["intensity_by"] = terms["production_by"]
        production = project.planned_production_on
        key = project.level in services.KEY_LEVELS  # its agreement states every duty
        for field, source, years, month, day in DATA["figure_terms"]:
            figure = getattr(project, source) or (self._key_figure(project, field) if key else None)
            if figure and (field != "output" or rng.random() < 0.6):
                terms[field] = figure
                terms[f"{field}_by"] = datetime.date(production.year + years, month, day)
        if any(c.isdigit() for c in (project.energy_commitment or "")):
            terms["energy"] = project.energy_commitment[:200]
            terms["energy_by"] = terms["production_by"]
        elif key:
            terms["energy"], terms["energy_by"] = DATA["energy_default"], terms["production_by"]
        for name in ("intensity_by", "energy_by"):
            if "production_by" in moved and name in terms:
                moved[name] = moved["production_by"]
        return terms, moved

    @staticmethod
    def _key_figure(project, field):
        """A key or major project's tax or jobs duty where the project states none: a share
        of the total investment (DATA["key_figures"]: the share and the rounding unit)."""
        if field not in DATA["key_figures"]:
            return None
        share, unit = (Decimal(x) for x in DATA["key_figures"][field])
        figure = max(_round_down(project.total_investment * share, unit), unit * 20)
        return int(figure) if field == "jobs" else figure

    def _schedule(self, project, funds) -> list[tuple[datetime.date, Decimal]]:
        """2–4 rows at quarter ends: a past row asks for the funds arrived by then (or more)."""
        rng, today, total = self.rng, self.today, project.total_investment

        def reached(day):
            return sum((a for d, a in funds if d <= day), Decimal("0"))

        ends, day = [], _quarter_end(project.signed_on + 150 * DAY)
        while day <= project.planned_production_on and len(ends) < 8:
            if day >= today or reached(day) > 0:
                ends.append(day)
            day = _quarter_end(day + 80 * DAY)
        rows, previous = [], Decimal("0")
        for n, due in enumerate(sorted(rng.sample(ends, min(len(ends), rng.randint(2, 4)))), 1):
            amount = total * Decimal(str(min(0.95, 0.25 * n + rng.uniform(-0.05, 0.1))))
            if due < today:
                have, later = reached(due), reached(today)
                amount = have * Decimal(str(rng.uniform(0.7, 1.0)))
                if later > have and rng.random() < 0.15:
                    amount = have + (later - have) * Decimal(str(rng.uniform(0.2, 1.0)))
            amount = max(_round_down(amount), previous + HUNDRED)
            if amount > total or (due < today and amount > reached(today)):
                break
            rows.append((due, amount))
            previous = amount
        due = max(project.planned_production_on, _month_end(today, 90))
        return rows or [(due, _round_down(total / 2))]

    def _confirm(self, world, plan, ob: Obligation) -> None:
        """A duty no record measures is confirmed with its evidence: on time mostly."""
        rng, project = self.rng, plan.project
        gone = (project.exited_on or project.terminated_on) if plan.stage in EXIT_STAGES else None
        if ob.due_on >= min(self.today, gone or self.today):
            return  # not due yet (or not before the project exited)
        late = rng.random() < 0.06
        met = ob.due_on + (rng.randint(3, 60) if late else -rng.randint(0, 45)) * DAY
        met = max(min(met, self.last), project.signed_on + DAY)
        day = max(met, min(ob.due_on - 30 * DAY, self.last))
        confirmer = plan.team.get(TeamRole.SECRETARY) or world.role_users[Role.BUREAU]
        name = DATA["evidence"][ob.kind]
        evidence = pdf(f"{name}.pdf", project.code, str(ob.kind), met.isoformat())
        confirm, note = services.confirm_obligation, f"{name}已核验"
        when = office_time(rng, day, late=0)
        self.line.add(when, confirm, confirmer, ob, met_on=met, evidence=evidence, note=note)

    def _department_obligations(self, world, project) -> list[tuple[str, dict]]:
        """The land and the services the departments owe, by the commitment fulfilling each
        ("" for the land, whose delivery date is the fact)."""
        rng, rows, stage = self.rng, [], STAGE_INDEX.get(project.stage, -1)
        if "land" in world.departments:
            due = project.signed_on + rng.choice([90, 120, 150]) * DAY
            if project.land_delivered_on and rng.random() < LAND_ON_TIME:
                due = max(due, project.land_delivered_on)
            elif not project.land_delivered_on:
                due = max(project.signed_on + rng.choice([330, 360]) * DAY, self.today + 20 * DAY)
            rows.append(("", "land", due))
        for key, planned, offset, first, last in DATA["services"]:
            due = getattr(project, planned) + offset * DAY
            owed = STAGE_INDEX[first] <= stage <= STAGE_INDEX[last or Stage.CAPACITY]
            if not owed or key not in world.departments or due <= project.signed_on + 60 * DAY:
                continue
            steps = world.templates[DATA["commitments"][key]].planned_steps
            days = sum(s.duration_workdays for s in steps)
            floor = self.cal.after(project.signed_on + 20 * DAY, days)
            rows.append((key, key, max(due, floor + rng.randint(0, 30) * DAY)))
        return [
            (key, {**DATA["owed"][d], "department": world.departments[d], "due_on": due})
            for key, d, due in rows
        ]

    def _templates(self, world) -> None:
        """The reverse-schedule templates, set in the admin site (which saves the rows)."""
        world.templates, admin = {}, world.role_users.get(Role.ADMIN)
        with clock.at(moment(datetime.date(self.today.year - 8, 1, 6), 10, 30)):
            for spec in DATA["templates"]:
                about = {"name": spec["name"], "description": spec["description"]}
                template = admin_save(admin, ScheduleTemplate, district=world.district, **about)
                for seq, (name, days, key) in enumerate(spec["steps"], 1):
                    step = {"name": name, "duration_workdays": days, "seq": seq}
                    owner = world.departments.get(key)
                    TemplateStep.objects.create(template=template, owner_department=owner, **step)
                steps = template.steps.select_related("owner_department")
                template.planned_steps = list(steps.order_by("seq"))
                world.templates[spec["name"]] = template

    def _targets(self, target, earliest) -> list[datetime.date]:
        """The target of each version: a recent plan replanned once or twice."""
        rng, roll, targets = self.rng, self.rng.random(), [target]
        recent = target >= self.today - 60 * DAY and 0.2 <= roll < 0.55
        for _n in range((1 if roll < 0.45 else 2) if recent else 0):
            earlier = self.cal.on_or_after(targets[0] - rng.randint(15, 40) * DAY)
            if earlier < earliest:
                break
            targets.insert(0, earlier)
        return targets

    def _commitment(self, world, project, key, ob) -> None:
        rng, cal, department = self.rng, self.cal, world.departments[key]
        template = world.templates[DATA["commitments"][key]]
        if department.pk not in self.actors:
            self.actors[department.pk] = acting_for(world, department)
        owner, handlers, steps = self.actors[department.pk], getattr(world, "handlers", {}), []
        for s in template.planned_steps:  # the department's own steps, and others' it awaits
            own = s.owner_department is None or s.owner_department.pk == department.pk
            by = department if own else s.owner_department
            person = owner if own else handlers.get(by.pk)
            person = person if rng.random() < (0.5 if own else 0.4) else None
            steps.append(Step(s.name, s.duration_workdays, by, person))
        start = project.signed_on + rng.randint(5, 20) * DAY
        start = max(project.signed_on, min(start, self.today - 10 * DAY))
        earliest = cal.after(start, sum(s.duration for s in steps))
        if ob is not None and ob.due_on >= earliest:
            # planned to meet the agreement's date: its working day or the one before
            target = max(self.workday_before(ob.due_on), cal.on_or_after(earliest))
        else:  # as soon as the steps allow (nothing agreed, a few weeks' margin)
            target = cal.on_or_after(earliest + (0 if ob is not None else rng.randint(0, 40)) * DAY)
        targets, h = self._targets(target, earliest), {}  # h["it"]: the commitment, once made
        filer = owner or world.role_users[Role.BUREAU]
        content = f"{department.name}承诺：{template.description}，于{target:%Y年%m月%d日}前完成。"
        fields = {"title": f"{template.name}承诺", "content": content, "clause": DATA["clause"]}
        fields.update(owner=owner, obligation=ob, start_on=start, target_on=targets[0])
        fields.update(department=department, steps=steps, template=template)

        def create():
            h["it"] = services.create_commitment(filer, project, **fields)

        filed, day, story = rng.random() < 0.88, start + rng.randint(1, 6) * DAY, [(start, create)]
        # (filed by the last working day; a plan of a project signed these days is not yet,
        # and changes without a request: the same draws either way)
        kept = filed and day <= self.last
        for n, version_target in enumerate(targets):
            if n and filed:  # a filed plan changes by a request the park committee decides
                day = min(day + rng.randint(10, 30) * DAY, self.last)
                reason = rng.choice(DATA["replan_notes"])
                if kept:
                    story.append((day, partial(self._ask, filer, h, version_target, reason)))
                else:
                    story.append((day, lambda t=version_target: self._replan(filer, h, t)))
                day = min(day + rng.randint(1, 3) * DAY, self.last)
                if kept:
                    story.append((day, partial(self._decide, world, h)))
            elif n:
                day = min(day + rng.randint(10, 30) * DAY, self.last)
                story.append((day, lambda t=version_target: self._replan(filer, h, t)))
            if filed and n == 0 and day < self.today:
                note = DATA["first_filing"]
                story.append((day, lambda n=note: services.file_commitment(filer, h["it"], note=n)))
        if filed and targets[-1] > self.today and rng.random() < 0.12 and kept:
            # a change asked for after the last filing, still awaiting its decision
            story.append((min(day + DAY, self.last), lambda: self._ask_earlier(filer, h)))
        settled = day if len(targets) > 1 else start  # progress on the plan as it stands
        story += self._progress(world, key, steps, (start, targets[-1], settled), filer, h)
        self.chain(sorted(story, key=lambda s: s[0]))

    @staticmethod
    def _movable(milestones) -> bool:
        """Whether every milestone may still move (none done, none missed)."""
        today = clock.today()
        return all(not m.done_on and m.due_on >= today for m in milestones)

    def _replan(self, filer, h, target) -> None:
        ms = h["it"].milestones.all()  # (the services hand the schedule over)
        if not self._movable(ms):
            return  # a missed milestone keeps its date: the plan stays
        plan = [(m.pk, Step(m.name, m.duration_workdays, m.owner_department, m.owner)) for m in ms]
        h["it"] = services.replan_commitment(filer, h["it"], steps=plan, target_on=target)

    def _ask(self, filer, h, target, reason) -> None:
        """The department asks to move its filed schedule to ``target``: each milestone to
        its date planned backwards from there (unless one is done or missed by now)."""
        commitment = models.Commitment.objects.get(pk=h["it"].pk)
        ms = list(commitment.milestones.select_related("owner_department", "owner"))
        if not self._movable(ms):
            return
        steps = [Step(m.name, m.duration_workdays, m.owner_department, m.owner) for m in ms]
        planned = plan_backwards(steps, target, commitment.start_on)
        moves = [(m, p.due_on) for m, p in zip(ms, planned, strict=True) if p.due_on != m.due_on]
        if any(due <= clock.today() for _m, due in moves):
            return
        h["change"] = services.request_change(
            filer, commitment, moves=moves, target_on=target, reason=reason
        )

    def _decide(self, world, h) -> None:
        """The park committee (or else the supervision office) decides the request: approved
        and filed as a new version; refused when a milestone it moves was missed meanwhile."""
        change = h.pop("change", None)
        if change is None:
            return
        approver = world.role_users[Role.PARK]
        if not permissions.can_decide_change(approver, change.commitment):
            approver = world.role_users[Role.SUPERVISOR]
        today = clock.today()
        if any(m.old_due_on < today for m in change.moves.all()):
            services.refuse_change(approver, change, note=DATA["change_too_late"])
        else:
            services.approve_change(approver, change, note=DATA["change_approved"])
        h["it"] = models.Commitment.objects.get(pk=change.commitment_id)

    def _ask_earlier(self, filer, h) -> None:
        """A request still awaiting its decision: the last milestone a working day earlier."""
        commitment = models.Commitment.objects.get(pk=h["it"].pk)
        ms = list(commitment.milestones.all())
        last, earlier = ms[-1], self.cal.before(ms[-1].due_on, 1)
        before = ms[-2].due_on if len(ms) > 1 else commitment.start_on
        if last.done_on or earlier <= max(before, clock.today(), last.planned_start_on):
            return
        if models.ChangeRequest.objects.filter(commitment=commitment, status="pending").exists():
            return
        reason = DATA["moved_earlier"]
        services.request_change(filer, commitment, moves=[(last, earlier)], reason=reason)

    def _progress(self, world, key, steps, dates, filer, h) -> list:
        """Steps done (on time nearly always), a stuck one with its note, the next running."""
        rng, today, budget = self.rng, self.today, self.budget[world.spec.code]
        start, target, settled = dates
        story, last_done, running = [], start, False
        seq, day_of, planned = self.cal.seq[target], self.cal.by_seq, []
        for step in reversed(steps):  # (start, due) of each step, as the service plans them
            planned.insert(0, (day_of[seq - step.duration + 1], day_of[seq]))
            seq -= step.duration
        for n, (step, (planned_start, due)) in enumerate(zip(steps, planned, strict=True)):
            values, roll = None, rng.random()
            stuck = today - STUCK_FOR <= due < today and roll >= 0.8 and budget.get(key)
            if stuck:  # the district's stuck step, with the note saying why
                budget[key] -= 1
                note = DATA["stuck_notes"][key]
                values = {"progress": rng.choice(DATA["stuck_progress"]), "note": note}
                day = max(min(due, self.last), last_done)
            elif due < today:
                late = self.cal.after(due, rng.randint(1, 4))
                done = due - rng.randint(0, 3) * DAY if roll < ON_TIME else late
                day = max(done, planned_start, last_done, start + DAY)
                day = last_done = min(day, self.last)
                values = {"progress": 100, "done_on": day}
            elif not running and planned_start <= today:
                running = True
                note = DATA["running_note"]
                values = {"progress": rng.choice(DATA["running_progress"]), "note": note}
                day = max(min(planned_start + DAY, self.last), start)
            if values is not None:
                story.append(
                    (max(day, settled), partial(self._report, step.owner or filer, h, n, values))
                )
            if stuck:
                break  # the steps after it wait
        return story

    @staticmethod
    def _report(by, h, n, values) -> None:
        services.report_progress(by, h["it"].milestones.all()[n], **values)

    def _scans(self) -> None:
        """The breaches and missed milestones, written by the daily scan's services the night
        it found them (the first working day after the due date, at half past one)."""
        today, ids = self.today, [w.district.pk for w in self.worlds]
        late = Obligation.objects.filter(district_id__in=ids, breach=None).with_met(today)
        late = late.filter(status__in=[ObligationStatus.MISSED, ObligationStatus.MET_LATE])
        late = late.select_related("agreement__project", "department")
        recorded = LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_MILESTONE)
        overdue = Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__gt=F("due_on"))
        missed = Milestone.objects.filter(overdue, commitment__district_id__in=ids)
        missed = missed.exclude(pk__in=recorded.values("evidence_id")).select_related(
            "commitment__project", "commitment__owner", "owner_department", "owner"
        )
        found = [(o.due_on, 0, o.pk, services.record_breach, o) for o in late]
        found += [(m.due_on, 1, m.pk, services.record_missed_milestone, m) for m in missed]
        for due, _kind, _pk, record, row in sorted(found, key=lambda f: f[:3]):
            self.line.add(moment(min(self.cal.after(due, 1), today), 1, 30), record, row)


def agreement_counts(ids) -> dict[str, int]:
    """Agreement records of the demo districts (for the tests)."""
    rows = [(label, getattr(models, name)) for label, name in DATA["counted"].items()]
    milestones = counter(("milestones", models.Milestone), path="commitment__district_id")
    return counter(*rows)(ids) | milestones(ids)
