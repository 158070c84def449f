"""Agreements, obligations and service commitments of the demo city (SPEC §8, 履约与倒排工期).

Every signed investment project has its investment agreement: the timetable and the
intensity of its plan, its tax, jobs and energy duties, and an investment schedule drawn
against the funds that really arrived — so that some rows are kept, some were met late and
some are missed, as the records say. Duties no record measures are confirmed with an
evidence file, most on time, some late, some not at all. Departments owe their part:
国土局 the delivery of the land (read from the project's stage dates), 建设局 and the power
company their services, each fulfilled by a service commitment whose reverse schedule was
planned backwards from its target date; most milestones were done on time, some late,
some are missed, the rest run now. Most commitments are filed to the park committee's
archive, several in two or three versions after being planned again.

Replayed through ``agreements.services`` on a ``replay.Timeline`` with the clock set to
each step's moment; then the nightly scans that found something missed are replayed, each
the night it ran, so the daily scan finds nothing left to write. Texts and templates are
in ``data/agreements.json``.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Q

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, ObligationStatus, Party
from zhaoshang.agreements.models import (
    Agreement,
    ArchiveVersion,
    Commitment,
    Milestone,
    Obligation,
    ObligationBreach,
    ScheduleTemplate,
    TemplateStep,
)
from zhaoshang.agreements.schedule import Step, earliest_target, plan_backwards
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.complaints import acting_for, chain, workday_before
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.projects.choices import STAGE_INDEX, ProjectKind, Stage, TeamRole
from zhaoshang.projects.models import FundsEntry

SEED = 2026_08
DATA = json.loads((Path(__file__).parent / "data" / "agreements.json").read_text("utf-8"))
ONE_DAY = datetime.timedelta(days=1)
HUNDRED = Decimal("100")
# A step stuck more than this long ago was pushed through a few days late in the end; only
# recent ones are still open (a district chases its own overdue steps).
STUCK_FOR = datetime.timedelta(days=240)
# A milestone is done by its due date mostly, a few working days late sometimes; the rest
# got stuck — (on time, late) shares per department: 建设局 is the one that lags (its bad
# year is a few late steps, not one in ten), the others rarely miss.
PACE = {"works": (0.96, 0.01)}
USUAL_PACE = (0.97, 0.01)


def _month_end(day: datetime.date, margin_days: int) -> datetime.date:
    """The last day of the month ``margin_days`` after ``day``."""
    later = day + datetime.timedelta(days=margin_days)
    return (later.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - ONE_DAY


class AgreementsBuilder:
    """Adds agreements, obligations and commitments to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.last = self.today - ONE_DAY
        self.rng = random.Random(SEED)
        self.line = Timeline(self.today)

    def build(self) -> None:
        today = self.today
        self.cal = Calendar(
            datetime.date(today.year - 8, 1, 1), datetime.date(today.year + 4, 12, 31)
        )
        for world in self.builder.worlds:
            self._templates(world)
            self._agreements(world)
        self.line.run()
        self._scans()
        ids = [w.district.pk for w in self.builder.worlds]
        for name in Obligation.objects.filter(district_id__in=ids, evidence__gt="").values_list(
            "evidence", flat=True
        ):
            self.builder.written_files.append(name)

    # -- templates (set in the admin site) ----------------------------------------------------

    def _templates(self, world) -> None:
        world.templates = {}
        with clock.at(moment(datetime.date(self.today.year - 8, 1, 6), 10, 30)):
            for spec in DATA["templates"]:
                template = ScheduleTemplate(
                    district=world.district, name=spec["name"], description=spec["description"]
                )
                template._history_user = world.role_users.get(Role.ADMIN)
                template.save()
                for seq, (name, days, key) in enumerate(spec["steps"], 1):
                    TemplateStep.objects.create(
                        template=template,
                        seq=seq,
                        name=name,
                        duration_workdays=days,
                        owner_department=world.departments.get(key) if key else None,
                    )
                world.templates[spec["name"]] = template

    # -- agreements and their obligations -----------------------------------------------------

    def _funds_curves(self, world) -> dict[int, list[tuple[datetime.date, Decimal]]]:
        """Cumulative funds in place per project: [(day, total after that day)]."""
        curves: dict[int, list] = defaultdict(list)
        rows = (
            FundsEntry.objects.filter(project__district=world.district)
            .order_by("project_id", "received_on", "id")
            .values_list("project_id", "received_on", "amount")
        )
        for project_id, day, amount in rows:
            curve = curves[project_id]
            total = (curve[-1][1] if curve else Decimal("0")) + amount
            if curve and curve[-1][0] == day:
                curve[-1] = (day, total)
            else:
                curve.append((day, total))
        return curves

    @staticmethod
    def _reached(curve, day: datetime.date) -> Decimal:
        total = Decimal("0")
        for when, value in curve:
            if when > day:
                break
            total = value
        return total

    def _schedule(self, project, curve) -> list[tuple[datetime.date, Decimal]]:
        """2–4 rows: quarter ends from half a year after signing to the planned production,
        targets drawn against the funds that really arrived (kept, late or missed)."""
        rng = self.rng
        last = project.planned_production_on
        quarter_ends = []
        day = project.signed_on + datetime.timedelta(days=150)
        while len(quarter_ends) < 8:
            month = ((day.month - 1) // 3 + 1) * 3
            end = (datetime.date(day.year, month, 1) + datetime.timedelta(days=32)).replace(day=1)
            end -= ONE_DAY
            if end > last:
                break
            quarter_ends.append(end)
            day = end + datetime.timedelta(days=80)
        picks = sorted(rng.sample(quarter_ends, min(len(quarter_ends), rng.randint(2, 4))))
        total = project.total_investment
        rows, previous = [], Decimal("0")
        for n, due in enumerate(picks or [last], 1):
            planned = total * Decimal(str(min(0.95, 0.25 * n + rng.uniform(-0.05, 0.1))))
            if due < self.today:
                reached = self._reached(curve, due)
                roll = rng.random()
                if reached > 0 and roll < 0.65:
                    planned = reached * Decimal(str(rng.uniform(0.7, 1.0)))  # kept
                elif roll < 0.85:
                    planned = max(reached, Decimal("1")) * Decimal(str(rng.uniform(1.05, 1.4)))
            amount = (planned / HUNDRED).quantize(Decimal("1"), ROUND_DOWN) * HUNDRED
            amount = max(amount, previous + HUNDRED)
            if amount > total:
                break
            rows.append((due, amount))
            previous = amount
        return rows or [(last, (total / 2 / HUNDRED).quantize(Decimal("1")) * HUNDRED)]

    def _agreements(self, world) -> None:
        """Every signed investment project's agreement, recorded the day it was signed."""
        plans = sorted(
            (
                p
                for p in world.plans
                if p.project.signed_on
                and p.kind == ProjectKind.INVESTMENT
                and p.enterprise is not None
                and p.project.planned_start_on
            ),
            key=lambda p: (p.project.signed_on, p.project.code),
        )
        curves = self._funds_curves(world)
        numbers: dict[int, int] = defaultdict(int)
        for plan in plans:
            project = plan.project
            year = project.signed_on.year
            numbers[year] += 1
            fields = {
                "number": f"{world.spec.geo}-TZXY-{year}-{numbers[year]:03d}",
                "signed_on": project.signed_on,
                "government_party": f"{world.district.city}{world.district.name}人民政府",
                "enterprise_party": plan.enterprise.name,
                "other_parties": f"{project.park.name}管委会（见证方）",
                "contracted_investment": project.total_investment,
                "land_area": project.land_area,
                "service_clauses": self._clauses(world),
            }
            terms = self._terms(project)
            schedule = self._schedule(project, curves.get(project.pk, []))
            extra = self._department_obligations(world, project)
            self.line.add(
                office_time(self.rng, project.signed_on, late=0),
                self._sign, world, plan, fields, terms, schedule, extra,
            )  # fmt: skip

    def _sign(self, world, plan, fields, terms, schedule, extra) -> None:
        bureau = world.role_users[Role.BUREAU]
        agreement = services.save_agreement(
            bureau, plan.project, fields=fields, terms=terms, schedule=schedule
        )
        for ob in agreement.obligations.filter(kind__in=list(DATA["evidence"])):
            self._confirm(world, plan, ob)
        owed = {}
        for key, values in extra:
            owed[key] = services.add_obligation(bureau, agreement, **values)
        self._commitments(world, plan.project, owed)

    def _clauses(self, world) -> str:
        parts = [
            f"{world.departments[key].name}{text}"
            for key, text in DATA["clauses"].items()
            if key in world.departments
        ]
        return "甲方承诺：" + "；".join(parts) + "。"

    def _terms(self, project) -> dict:
        """The agreement's terms, as the form gives them: the stages by the end of a month
        a little after the project's own plan (the agreement leaves the enterprise a margin
        of one to three months, as agreements do)."""
        production = project.planned_production_on
        terms = {
            "start_by": _month_end(project.planned_start_on, 30),
            "completion_by": _month_end(project.planned_completion_on, 60),
            "production_by": _month_end(production, 90),
        }
        if project.fixed_asset_investment and project.land_area:
            intensity = project.fixed_asset_investment / project.land_area
            terms["intensity"] = (intensity / 10).quantize(Decimal("1"), ROUND_DOWN) * 10
            terms["intensity_by"] = terms["production_by"]
        if project.committed_tax:
            terms["tax"], terms["tax_by"] = (
                project.committed_tax,
                datetime.date(production.year + 1, 12, 31),
            )
        if project.committed_jobs:
            terms["jobs"], terms["jobs_by"] = (
                project.committed_jobs,
                datetime.date(production.year, 12, 31),
            )
        if project.designed_output and self.rng.random() < 0.6:
            terms["output"] = project.designed_output
            terms["output_by"] = datetime.date(production.year + 2, 6, 30)
        energy = (project.energy_commitment or "")[:200]
        if any(c.isdigit() for c in energy):
            terms["energy"], terms["energy_by"] = energy, terms["production_by"]
        return terms

    def _confirm(self, world, plan, ob: Obligation) -> None:
        """A duty no record measures is confirmed: on time, late, or not at all (missed)."""
        rng = self.rng
        if ob.due_on >= self.today:
            return
        roll = rng.random()
        if roll < 0.85:
            met = ob.due_on - datetime.timedelta(days=rng.randint(0, 45))
        elif roll < 0.95:
            met = ob.due_on + datetime.timedelta(days=rng.randint(3, 60))
        else:
            return  # not confirmed: missed
        met = max(min(met, self.last), plan.project.signed_on + ONE_DAY)
        day = max(met, min(ob.due_on - datetime.timedelta(days=30), self.last))
        confirmer = plan.team.get(TeamRole.SECRETARY) or world.role_users[Role.BUREAU]
        name = DATA["evidence"][ob.kind]
        data = tiny_pdf([plan.project.code, str(ob.kind), met.isoformat()])
        evidence = SimpleUploadedFile(f"{name}.pdf", data, content_type="application/pdf")
        self.line.add(
            office_time(rng, day, late=0),
            lambda: services.confirm_obligation(
                confirmer, ob, met_on=met, evidence=evidence, note=f"{name}已核验"
            ),
        )

    def _department_obligations(self, world, project) -> list[tuple[str, dict]]:
        """国土局 owes the land (its delivery date is the fact); 建设局, the power company
        and the environment bureau owe services their commitments fulfil."""
        rng = self.rng
        rows = []
        land = world.departments.get("land")
        if land is not None:
            due = project.signed_on + datetime.timedelta(days=rng.choice([90, 120, 150]))
            if project.land_delivered_on and rng.random() < 0.95:
                # most deliveries kept the date the agreement set
                due = max(due, project.land_delivered_on)
            elif not project.land_delivered_on and rng.random() < 0.8:
                # land still to be requisitioned: the agreement gave most of them a year
                due = project.signed_on + datetime.timedelta(days=rng.choice([330, 360]))
            values = {"kind": ObligationKind.STAGE, "title": "按期交付净地"}
            values.update(target_stage=Stage.LAND_DELIVERED, due_on=due)
            rows.append(("", {"party": Party.DEPARTMENT, "department": land, **values}))
        stage = STAGE_INDEX.get(project.stage, -1)
        wanted = []
        if stage >= STAGE_INDEX[Stage.REGISTERED]:
            wanted.append(("works", project.planned_start_on))
        if stage >= STAGE_INDEX[Stage.LAND_DELIVERED]:
            wanted.append(("power", project.planned_completion_on - datetime.timedelta(days=60)))
        if stage <= STAGE_INDEX[Stage.LAND_DELIVERED] and project.stage != Stage.EXITED:
            wanted.append(("eco", project.planned_start_on - datetime.timedelta(days=30)))
        for key, due in wanted:
            department = world.departments.get(key)
            if department is None or due <= project.signed_on + datetime.timedelta(days=60):
                continue
            # The agreement gives the department the time its usual steps take.
            _template, steps = self._steps(world, key)
            floor = self.cal.after(
                project.signed_on + datetime.timedelta(days=20), sum(s.duration for s in steps)
            )
            due = max(due, floor + datetime.timedelta(days=rng.randint(0, 30)))
            title, target = DATA["service_titles"][key]
            values = {"kind": ObligationKind.SERVICE, "title": title, "target_text": target}
            rows.append(
                (
                    key,
                    {"party": Party.DEPARTMENT, "department": department, **values, "due_on": due},
                )
            )
        return rows

    # -- commitments and their reverse schedules -----------------------------------------------

    def _commitments(self, world, project, owed) -> None:
        if project.stage == Stage.EXITED:
            return
        for key, ob in owed.items():
            if not key or (ob.due_on > self.today and self.rng.random() < 0.15):
                continue  # promised in the agreement, not planned yet
            self._commitment(world, project, key, ob)
        if (
            "land" in world.departments
            and not project.land_delivered_on
            and self.rng.random() < 0.8
        ):
            self._commitment(world, project, "land", None)

    def _steps(self, world, key: str) -> tuple[ScheduleTemplate, list[Step]]:
        template = world.templates[DATA["commitments"][key]]
        if not hasattr(template, "planned_steps"):
            template.planned_steps = list(template.steps.order_by("seq"))
        steps = [
            Step(s.name, s.duration_workdays, s.owner_department) for s in template.planned_steps
        ]
        return template, steps

    def _targets(self, target, earliest) -> list[datetime.date]:
        """The target of each version: replanned later (a joint meeting, a changed design),
        each earlier plan 15–40 days before the next."""
        rng, roll = self.rng, self.rng.random()
        replans = 0
        if target >= self.today - datetime.timedelta(days=60) and roll >= 0.2:
            replans = 1 if roll < 0.45 else 2 if roll < 0.55 else 0
        targets = [target]
        for _ in range(replans):
            earlier = self.cal.on_or_after(
                targets[0] - datetime.timedelta(days=rng.randint(15, 40))
            )
            if earlier < earliest:
                break
            targets.insert(0, earlier)
        return targets

    def _commitment(self, world, project, key, ob) -> None:
        rng, cal = self.rng, self.cal
        department = world.departments.get(key)
        if department is None:
            return
        template, steps = self._steps(world, key)
        owner = acting_for(world, department)
        handlers = getattr(world, "handlers", {})
        for step in steps:
            if step.owner_department is None or step.owner_department.pk == department.pk:
                step.owner_department = department
                step.owner = owner if rng.random() < 0.5 else None
            else:
                step.owner = handlers.get(step.owner_department.pk) if rng.random() < 0.4 else None
        start = project.signed_on + datetime.timedelta(days=rng.randint(5, 20))
        start = max(project.signed_on, min(start, self.today - datetime.timedelta(days=10)))
        earliest = earliest_target(steps, start)
        if ob is not None and ob.due_on >= earliest:
            # planned to meet the agreement's date: its working day or the one before
            target = max(workday_before(cal, ob.due_on), cal.on_or_after(earliest))
        else:
            target = cal.on_or_after(
                max(ob.due_on, earliest) if ob is not None
                else earliest + datetime.timedelta(days=rng.randint(0, 40))
            )  # fmt: skip
        targets = self._targets(target, earliest)
        filer = owner or world.role_users[Role.BUREAU]
        held = {}

        def create():
            held["c"] = services.create_commitment(
                filer,
                project,
                department=department,
                steps=steps,
                template=template,
                title=f"{template.name}承诺",
                content=f"{department.name}承诺：{template.description}，于{target:%Y年%m月%d日}前完成。",
                clause="投资协议第七条（甲方服务条款）",
                owner=owner,
                obligation=ob,
                start_on=start,
                target_on=targets[0],
            )

        def file(note):
            return lambda: services.file_commitment(filer, held["c"], note=note)

        def replan(version_target):
            def run():
                milestones = held["c"].milestones.order_by("seq")
                plan = [
                    (m.pk, Step(m.name, m.duration_workdays, m.owner_department, m.owner))
                    for m in milestones
                ]
                held["c"] = services.replan_commitment(
                    filer, held["c"], steps=plan, target_on=version_target
                )

            return run

        filed = rng.random() < 0.88
        day = start + datetime.timedelta(days=rng.randint(1, 6))
        story = [(start, create)]
        for n, version_target in enumerate(targets):
            if n:
                day = min(day + datetime.timedelta(days=rng.randint(10, 30)), self.last)
                story.append((day, replan(version_target)))
            if filed and day < self.today:
                story.append(
                    (day, file("首次报送" if n == 0 else rng.choice(DATA["replan_notes"])))
                )
        # A plan changed after its last filing and not filed again yet.
        if filed and targets[-1] > self.today and rng.random() < 0.12:
            story.append((min(day + ONE_DAY, self.last), lambda: self._move_last(filer, held)))
        # Progress is reported on the plan as it stands after the last replanning.
        settled = day if len(targets) > 1 else start
        pace = PACE.get(key, USUAL_PACE)
        story += self._progress(steps, start, targets[-1], filer, held, settled, pace)
        chain(self.line, rng, sorted(story, key=lambda s: s[0]))

    def _move_last(self, filer, held) -> None:
        last = held["c"].milestones.order_by("-seq").first()
        earlier = self.cal.before(last.due_on, 1)
        if earlier > last.planned_start_on:
            services.reschedule_milestone(filer, last, due_on=earlier, reason="按企业要求提前")

    def _progress(self, steps, start, target, filer, held, settled, pace) -> list:
        """Done on time mostly, some late, a few missed; the next one running."""
        rng, today, cal = self.rng, self.today, self.cal
        on_time, late = pace
        story, last_done, running, blocked = [], None, False, False
        for n, planned in enumerate(plan_backwards(steps, target, start)):
            if blocked:
                break
            due, report = planned.due_on, None
            if due < today:
                roll, done = rng.random(), None
                if roll < on_time:
                    done = max(
                        due - datetime.timedelta(days=rng.randint(0, 3)), planned.planned_start_on
                    )
                elif roll < on_time + late or due < today - STUCK_FOR:
                    # late (or stuck once, long ago, and pushed through): a few working days
                    done = cal.after(due, rng.randint(1, 4))
                if done is not None:
                    done = max(done, last_done or done, start + ONE_DAY)
                if done is not None and done < today:
                    report, last_done = (done, {"progress": 100, "done_on": done}), done
                else:
                    blocked = True
                    note = {
                        "progress": rng.choice([30, 50, 60, 80]),
                        "note": "材料待企业补充，正在协调",
                    }
                    report = (max(min(due, self.last), last_done or start, start), note)
            elif not running and planned.planned_start_on <= today:
                running = True
                note = {"progress": rng.choice([10, 20, 40, 60, 70]), "note": "按计划推进"}
                report = (max(min(planned.planned_start_on + ONE_DAY, self.last), start), note)
            if report is not None:
                day, values = report
                reporter = self._reporter(filer, held, n, planned.step, values)
                story.append((max(day, settled), reporter))
        return story

    def _reporter(self, filer, held, n, step, values):
        def run():
            milestone = held["c"].milestones.order_by("seq")[n]
            services.report_progress(step.owner or filer, milestone, **values)

        return run

    # -- what the nightly scans found ------------------------------------------------------------

    def _scans(self) -> None:
        """What the daily scan found missed: each obligation not met by its due date gets its
        breach, each milestone past its due date its ledger entry — written the night it was
        found (the first working day after the due date, at half past one) by the scan's own
        one-at-a-time services."""
        today, ids = self.today, [w.district.pk for w in self.builder.worlds]
        late = (
            Obligation.objects.filter(district_id__in=ids)
            .with_met(today)
            .filter(
                status__in=[ObligationStatus.MISSED, ObligationStatus.MET_LATE],
                breach__isnull=True,
            )
            .select_related("agreement__project", "department")
        )
        recorded = LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_MILESTONE).values(
            "evidence_id"
        )
        missed = (
            Milestone.objects.filter(
                Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__gt=F("due_on")),
                commitment__district_id__in=ids,
            )
            .exclude(pk__in=recorded)
            .select_related("commitment__project", "owner_department", "owner")
        )
        found = [(o.due_on, 0, o.pk, services.record_breach, o) for o in late]
        found += [(m.due_on, 1, m.pk, services.record_missed_milestone, m) for m in missed]
        for due, _kind, _pk, record, row in sorted(found, key=lambda f: f[:3]):
            with clock.at(moment(min(self.cal.after(due, 1), today), 1, 30)):
                record(row)


def agreement_counts(district_ids) -> dict[str, int]:
    """Agreement records of the demo districts (for the tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "agreements": Agreement.objects.filter(in_districts).count(),
        "obligations": Obligation.objects.filter(in_districts).count(),
        "breaches": ObligationBreach.objects.filter(in_districts).count(),
        "commitments": Commitment.objects.filter(in_districts).count(),
        "milestones": Milestone.objects.filter(commitment__district_id__in=district_ids).count(),
        "archived versions": ArchiveVersion.objects.filter(in_districts).count(),
        "schedule templates": ScheduleTemplate.objects.filter(in_districts).count(),
    }
