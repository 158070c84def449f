"""Agreements and obligations of the demo city (SPEC §8, 履约).

Every signed investment project has its investment agreement: the stages, the intensity,
tax, jobs and energy duties, and an investment schedule drawn against the funds that really
arrived. Most duties are met on time, as the records say (stage dates, funds in place,
evidence confirmed), a few late; a project whose stage slipped got more time in a
supplementary agreement (补充协议) before the date passed, but for the district's one late
start (a red light); an exited project's agreement was ended. Departments owe the land and
their services, fulfilled by service commitments (``commitments.py``). Replayed through
``agreements.services`` on a ``replay.Timeline``; texts and tables in ``data/agreements.json``.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

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
)
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.commitments import CommitmentStories
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_INDEX, ProjectKind, Stage, TeamRole
from zhaoshang.projects.models import FundsEntry

SEED = 2026_08
DATA = load("agreements")
ONE_DAY = datetime.timedelta(days=1)
HUNDRED = Decimal("100")
LATE_STARTS = {"demo": 1}  # the late start of the district (a red light), not moved


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _month_end(day: datetime.date, margin_days: int = 0) -> datetime.date:
    """The last day of the month ``margin_days`` after ``day``."""
    later = day + _days(margin_days)
    return (later.replace(day=28) + _days(4)).replace(day=1) - ONE_DAY


def _quarter_end(day: datetime.date) -> datetime.date:
    return _month_end(day.replace(day=1, month=(day.month - 1) // 3 * 3 + 3))


def _hundreds(value: Decimal) -> Decimal:
    return (value / HUNDRED).quantize(Decimal("1"), ROUND_DOWN) * HUNDRED


class AgreementsBuilder(CommitmentStories):
    """Adds agreements, obligations and commitments to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder, self.today = builder, builder.today
        self.last = self.today - ONE_DAY
        self.rng = random.Random(SEED)
        self.line = Timeline(self.today)
        self.budget = {
            c: {"late": LATE_STARTS.get(c, 0), **DATA["stuck"].get(c, {})}
            for c in (w.spec.code for w in builder.worlds)
        }

    def build(self) -> None:
        year = self.today.year
        self.cal = Calendar(datetime.date(year - 8, 1, 1), datetime.date(year + 4, 12, 31))
        for world in self.builder.worlds:
            self._templates(world)
            self._agreements(world)
        self.line.run()
        self._scans()
        ids = [w.district.pk for w in self.builder.worlds]
        names = Obligation.objects.filter(district_id__in=ids, evidence__gt="")
        self.builder.written_files += names.values_list("evidence", flat=True)

    # -- agreements and their obligations -----------------------------------------------------

    def _agreements(self, world) -> None:
        """Every signed investment project's agreement, recorded the day it was signed."""
        rng, funds, numbers = self.rng, defaultdict(list), defaultdict(int)
        for row in FundsEntry.objects.filter(project__district=world.district).values_list(
            "project_id", "received_on", "amount"
        ):
            funds[row[0]].append(row[1:])
        names = [
            world.departments[k].name + t
            for k, t in DATA["clauses"].items()
            if k in world.departments
        ]
        signed = [p for p in world.plans if p.project.signed_on and p.project.planned_start_on]
        signed = [p for p in signed if p.kind == ProjectKind.INVESTMENT and p.enterprise]
        for plan in sorted(signed, key=lambda p: (p.project.signed_on, p.project.code)):
            project, year = plan.project, plan.project.signed_on.year
            numbers[year] += 1
            words = {
                "geo": world.spec.geo,
                "year": year,
                "n": numbers[year],
                "city": world.district.city,
                "district": world.district.name,
                "park": project.park.name,
                "clauses": "；".join(names),
            }
            fields = {k: v.format(**words) for k, v in DATA["header"].items()}
            fields.update(
                signed_on=project.signed_on,
                enterprise_party=plan.enterprise.name,
                contracted_investment=project.total_investment,
                land_area=project.land_area,
            )
            deal = {"fields": fields, "schedule": self._schedule(project, funds[project.pk])}
            deal["terms"], deal["moved"] = self._terms(world, plan)
            deal["extra"] = self._department_obligations(world, project)
            self.line.add(
                office_time(rng, project.signed_on, late=0), self._sign, world, plan, deal
            )
            if deal["moved"]:  # the supplementary agreement, weeks before the first date moved
                day = min(deal["terms"][k] for k in deal["moved"]) - _days(rng.randint(10, 40))
                day = max(day, project.signed_on + ONE_DAY)
                self.line.add(office_time(rng, day, late=0), self._supplement, world, project, deal)
            gone = project.exited_on or project.terminated_on
            if plan.stage in EXIT_STAGES and gone:
                self.line.add(office_time(rng, gone, late=0), self._release, world, deal, gone)

    def _sign(self, world, plan, deal) -> None:
        bureau = world.role_users[Role.BUREAU]
        agreement = deal["a"] = services.save_agreement(
            bureau,
            plan.project,
            fields=deal["fields"],
            terms=deal["terms"],
            schedule=deal["schedule"],
        )
        for ob in agreement.obligations.filter(kind__in=list(DATA["evidence"])):
            if f"{ob.term}_by" not in deal["moved"]:
                self._confirm(world, plan, ob)
        owed = {k: services.add_obligation(bureau, agreement, **v) for k, v in deal["extra"]}
        self._commitments(world, plan, owed)

    @staticmethod
    def _supplement(world, project, deal) -> None:
        """补充协议: the dates of a stage not reached in time, moved before they passed."""
        terms = {**deal["terms"], **deal["moved"]}
        services.save_agreement(
            world.role_users[Role.BUREAU],
            project,
            fields=deal["fields"],
            terms=terms,
            schedule=deal["schedule"],
            agreement=deal["a"],
        )

    def _release(self, world, deal, gone) -> None:
        """The project exited: the agreement ends, what was still owed is waived."""
        owed = deal["a"].obligations.filter(waived_on__isnull=True).with_met(clock.today())
        for ob in owed.filter(status__in=[ObligationStatus.PENDING, ObligationStatus.MISSED]):
            services.waive_obligation(
                world.role_users[Role.BUREAU], ob, reason=DATA["waiver"].format(date=gone)
            )

    def _terms(self, world, plan) -> tuple[dict, dict]:
        """The terms as signed: the stages by the end of a month one to three months after
        the project's own plan, covering the day a stage was reached (a few were reached a
        little late); and the dates a supplementary agreement moved (a stage not reached
        whose date passed, but for the district's late start)."""
        project, rng, terms, moved = plan.project, self.rng, {}, {}
        floor = project.signed_on + ONE_DAY
        for name, planned, reached, margin in DATA["stage_terms"]:
            due = max(_month_end(getattr(project, planned), margin), floor)
            done = getattr(project, reached)
            if done and rng.random() < 0.92:
                due = max(due, _month_end(done))
            terms[name] = floor = due
            if not done and due < self.today and plan.stage not in EXIT_STAGES:
                moved[name] = max([_month_end(self.today, rng.randint(60, 240)), *moved.values()])
        budget = self.budget[world.spec.code]
        if (
            list(moved) == ["start_by"]
            and terms["start_by"] > self.today - _days(150)
            and budget["late"]
        ):
            budget["late"], moved = budget["late"] - 1, {}  # the district's late start
        for name in ("completion_by", "production_by"):
            if moved and terms[name] <= max(moved.values()):
                moved[name] = _month_end(max(moved.values()), 90)
        if project.fixed_asset_investment and project.land_area:
            intensity = project.fixed_asset_investment / project.land_area / 10
            terms["intensity"] = intensity.quantize(Decimal("1"), ROUND_DOWN) * 10
            terms["intensity_by"] = terms["production_by"]
        production = project.planned_production_on
        for field, source, years, month, day in DATA["figure_terms"]:
            if getattr(project, source) and (field != "output" or rng.random() < 0.6):
                terms[field] = getattr(project, source)
                terms[f"{field}_by"] = datetime.date(production.year + years, month, day)
        if any(c.isdigit() for c in (project.energy_commitment or "")):
            terms["energy"], terms["energy_by"] = (
                project.energy_commitment[:200],
                terms["production_by"],
            )
        if "production_by" in moved:
            moved.update(
                {k: moved["production_by"] for k in ("intensity_by", "energy_by") if k in terms}
            )
        return terms, moved

    def _schedule(self, project, funds) -> list[tuple[datetime.date, Decimal]]:
        """2–4 rows at quarter ends up to the planned production: a past row asks for the
        funds that had arrived by then (a few for more, which arrived later)."""
        rng, today, total = self.rng, self.today, project.total_investment

        def reached(day):
            return sum((a for d, a in funds if d <= day), Decimal("0"))

        ends, day = [], _quarter_end(project.signed_on + _days(150))
        while day <= project.planned_production_on and len(ends) < 8:
            if day >= today or reached(day) > 0:
                ends.append(day)
            day = _quarter_end(day + _days(80))
        rows, previous = [], Decimal("0")
        for n, due in enumerate(sorted(rng.sample(ends, min(len(ends), rng.randint(2, 4)))), 1):
            amount = total * Decimal(str(min(0.95, 0.25 * n + rng.uniform(-0.05, 0.1))))
            if due < today:
                have, later = reached(due), reached(today)
                amount = have * Decimal(str(rng.uniform(0.7, 1.0)))
                if later > have and rng.random() < 0.15:
                    amount = have + (later - have) * Decimal(str(rng.uniform(0.2, 1.0)))
            amount = max(_hundreds(amount), previous + HUNDRED)
            if amount > total or (due < today and amount > reached(today)):
                break
            rows.append((due, amount))
            previous = amount
        due = max(project.planned_production_on, _month_end(today, 90))
        return rows or [(due, _hundreds(total / 2))]

    def _confirm(self, world, plan, ob: Obligation) -> None:
        """A duty no record measures is confirmed with its evidence: on time mostly."""
        rng = self.rng
        project = plan.project
        gone = (project.exited_on or project.terminated_on) if plan.stage in EXIT_STAGES else None
        if ob.due_on >= min(self.today, gone or self.today):
            return  # not due yet (or not before the project exited)
        late = rng.random() < 0.06
        met = ob.due_on + _days(rng.randint(3, 60) if late else -rng.randint(0, 45))
        met = max(min(met, self.last), plan.project.signed_on + ONE_DAY)
        day = max(met, min(ob.due_on - _days(30), self.last))
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
        and the environment bureau owe services their commitments fulfil, given the time
        their usual steps take."""
        rng, rows, stage = self.rng, [], STAGE_INDEX.get(project.stage, -1)
        if "land" in world.departments:
            due = project.signed_on + _days(rng.choice([90, 120, 150]))
            if project.land_delivered_on and rng.random() < 0.95:
                due = max(due, project.land_delivered_on)
            elif not project.land_delivered_on:
                due = max(project.signed_on + _days(rng.choice([330, 360])), self.today + _days(20))
            values = {"kind": ObligationKind.STAGE, "target_stage": Stage.LAND_DELIVERED}
            rows.append(
                (
                    "",
                    {
                        "title": DATA["land_title"],
                        "due_on": due,
                        "department": world.departments["land"],
                        **values,
                    },
                )
            )
        for key, planned, offset, first, last in DATA["services"]:
            due = getattr(project, planned) + _days(offset)
            owed = STAGE_INDEX[first] <= stage <= STAGE_INDEX[last or Stage.CAPACITY]
            if not owed or key not in world.departments or due <= project.signed_on + _days(60):
                continue
            _template, steps = self._steps(world, key)
            floor = self.cal.after(project.signed_on + _days(20), sum(s.duration for s in steps))
            title, target = DATA["service_titles"][key]
            values = {"kind": ObligationKind.SERVICE, "title": title, "target_text": target}
            due = max(due, floor + _days(rng.randint(0, 30)))
            rows.append((key, {"department": world.departments[key], "due_on": due, **values}))
        return [(key, {"party": Party.DEPARTMENT, **values}) for key, values in rows]


def agreement_counts(district_ids) -> dict[str, int]:
    """Agreement records of the demo districts (for the tests)."""
    mine = Q(district_id__in=district_ids)
    models = {
        "agreements": Agreement,
        "obligations": Obligation,
        "breaches": ObligationBreach,
        "commitments": Commitment,
        "archived versions": ArchiveVersion,
        "schedule templates": ScheduleTemplate,
    }
    counts = {name: model.objects.filter(mine).count() for name, model in models.items()}
    counts["milestones"] = Milestone.objects.filter(
        commitment__district_id__in=district_ids
    ).count()
    return counts
