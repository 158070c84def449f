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

Rows are built directly, dated in the past as the services would have dated them; every
schedule comes from ``agreements.schedule.plan_backwards`` and every filed version from
``agreements.services.snapshot`` — the rules themselves. The breaches and the ledger come
from ``agreements.services.scan``, so the daily scan finds nothing left to write.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import zoneinfo
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party, Term
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
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar, _stamped
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.notifications.models import Notification
from zhaoshang.projects.choices import STAGE_INDEX, ProjectKind, Stage, TeamRole
from zhaoshang.projects.models import FundsEntry

SEED = 2026_08
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)
HUNDRED = Decimal("100")

# Reverse-schedule templates of every district: name, description, steps (name, working
# days, owner department key or None for the committing department).
TEMPLATES = [
    (
        "供地服务",
        "从土地征收补偿到交付净地",
        [
            ("土地征收及补偿安置", 20, "land"),
            ("场地平整及三通一平", 15, "land"),
            ("土地挂牌出让", 20, "land"),
            ("签订出让合同", 5, "land"),
            ("交付净地", 5, "land"),
        ],
    ),
    (
        "施工许可服务",
        "规划许可、施工图审查到施工许可证核发",
        [
            ("建设工程规划许可", 10, "planning"),
            ("施工图审查", 10, None),
            ("质量安全监督备案", 5, None),
            ("施工许可证核发", 3, None),
        ],
    ),
    (
        "供电接入服务",
        "从用电申请到装表送电",
        [
            ("用电申请受理", 2, None),
            ("供电方案答复", 10, None),
            ("外线工程施工", 25, None),
            ("竣工检验", 5, None),
            ("装表送电", 3, None),
        ],
    ),
    (
        "环评审批服务",
        "环境影响评价文件受理到审批决定",
        [
            ("环评文件受理", 3, None),
            ("技术评估", 15, None),
            ("审批前公示", 5, None),
            ("作出审批决定", 5, None),
        ],
    ),
]
# Which template a department plans with, and the department key that commits.
COMMITMENTS = {
    "land": "供地服务",
    "works": "施工许可服务",
    "power": "供电接入服务",
    "eco": "环评审批服务",
}
SERVICE_TITLES = {
    "works": ("核发施工许可证", "施工许可证核发到企业，具备开工条件"),
    "power": ("项目用电接入", "完成外线工程并装表送电"),
    "eco": ("环评审批", "作出环境影响评价文件审批决定"),
}
# A step missed more than this long ago was pushed through late in the end; only recent
# misses are still open (a district chases its own overdue steps).
STUCK_FOR = datetime.timedelta(days=240)
REPLAN_NOTES = ["按联席会议意见顺延目标日期", "企业调整建设方案后重新倒排", "补充消防审查环节"]


class AgreementsBuilder:
    """Adds agreements, obligations and commitments to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.obligation_type = ContentType.objects.get_for_model(Obligation)
        self.commitment_type = ContentType.objects.get_for_model(Commitment)
        self.agreement_type = ContentType.objects.get_for_model(Agreement)
        self.events: list[DomainEvent] = []

    def build(self) -> None:
        today = self.today
        self.cal = Calendar(
            datetime.date(today.year - 8, 1, 1), datetime.date(today.year + 4, 12, 31)
        )
        for world in self.builder.worlds:
            self._templates(world)
            self._agreements(world)
            self._commitments(world)
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)
        self._scan()

    # -- helpers ----------------------------------------------------------------------------

    def _at(self, day: datetime.date, earliest: int = 9, latest: int = 17):
        return self.builder._at(min(day, self.today - ONE_DAY), earliest, latest)

    def _event(self, world, actor, verb, obj, content_type, day, summary, when=None, **data):
        clean = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
        self.events.append(
            DomainEvent(
                district_id=world.district.pk,
                occurred_at=when or self._at(day),
                actor=actor,
                verb=verb,
                content_type=content_type,
                object_id=obj.pk,
                summary=summary[:300],
                data=clean,
            )
        )

    def _past(self, day: datetime.date) -> datetime.date:
        """A day no later than yesterday."""
        return min(day, self.today - ONE_DAY)

    # -- templates ----------------------------------------------------------------------------

    def _templates(self, world) -> None:
        world.templates = {}
        for name, description, steps in TEMPLATES:
            template = ScheduleTemplate(district=world.district, name=name, description=description)
            template._history_user = world.role_users.get(Role.ADMIN)
            template.save()
            rows = [
                TemplateStep(
                    template=template,
                    seq=seq,
                    name=step,
                    duration_workdays=days,
                    owner_department=world.departments.get(key) if key else None,
                )
                for seq, (step, days, key) in enumerate(steps, 1)
            ]
            bulk_create_with_history(rows, TemplateStep)
            world.templates[name] = template

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

    def _schedule(self, plan, curve) -> list[tuple[datetime.date, Decimal]]:
        """2–4 rows: quarter ends from half a year after signing to the planned production,
        targets drawn against the funds that really arrived (kept, late or missed)."""
        rng, project = self.rng, plan.project
        signed = project.signed_on
        last = project.planned_production_on
        quarter_ends = []
        day = signed + datetime.timedelta(days=150)
        while len(quarter_ends) < 8:
            month = ((day.month - 1) // 3 + 1) * 3
            end = datetime.date(day.year, month, 1) + datetime.timedelta(days=32)
            end = end.replace(day=1) - ONE_DAY
            if end > last:
                break
            quarter_ends.append(end)
            day = end + datetime.timedelta(days=80)
        if not quarter_ends:
            quarter_ends = [last]
        picks = sorted(rng.sample(quarter_ends, min(len(quarter_ends), rng.randint(2, 4))))
        total = project.total_investment
        rows, previous = [], Decimal("0")
        for n, due in enumerate(picks, 1):
            share = Decimal(str(min(0.95, 0.25 * n + rng.uniform(-0.05, 0.1))))
            planned = total * share
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
        """Every signed investment project's agreement with its terms and schedule."""
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
        bureau = world.role_users[Role.BUREAU]
        numbers: dict[int, int] = defaultdict(int)
        agreements = []
        for plan in plans:
            project = plan.project
            numbers[project.signed_on.year] += 1
            agreement = Agreement(
                district=world.district,
                project=project,
                number=f"{world.spec.geo}-TZXY-{project.signed_on.year}-{numbers[project.signed_on.year]:03d}",
                signed_on=project.signed_on,
                government_party=f"{world.district.city}{world.district.name}人民政府",
                enterprise_party=plan.enterprise.name,
                other_parties=f"{project.park.name}管委会（见证方）",
                contracted_investment=project.total_investment,
                land_area=project.land_area,
                service_clauses=self._clauses(world, plan),
                created_by=bureau,
            )
            agreement._history_user = bureau
            agreement.created_at = self._at(project.signed_on)
            agreements.append(agreement)
            plan.agreement = agreement
        with _stamped(Agreement):
            for agreement in agreements:
                agreement.updated_at = agreement.created_at
            bulk_create_with_history(agreements, Agreement, batch_size=500)
        obligations = []
        for plan in plans:
            agreement, project = plan.agreement, plan.project
            self._event(
                world, bureau, "agreement.created", agreement, self.agreement_type,
                project.signed_on, f"{agreement.number} · {project.name}", project=project.pk,
            )  # fmt: skip
            obligations += self._terms(world, plan, curves.get(project.pk, []))
            obligations += self._department_obligations(world, plan)
        for ob in obligations:
            ob._history_user = ob.confirmed_by or bureau
        with _stamped(Obligation):
            bulk_create_with_history(obligations, Obligation, batch_size=500)
        world.agreement_plans = plans

    def _clauses(self, world, plan) -> str:
        parts = []
        for key, text in (
            ("land", "负责按期完成土地征收、平整并交付净地"),
            ("works", "负责为项目开辟审批绿色通道，按期核发施工许可证"),
            ("power", "负责项目外线供电工程，按期装表送电"),
            ("eco", "负责按期完成项目环评审批"),
        ):
            department = world.departments.get(key)
            if department is not None:
                parts.append(f"{department.name}{text}")
        return "甲方承诺：" + "；".join(parts) + "。"

    def _obligation(self, world, plan, **values) -> Obligation:
        project = plan.project
        return Obligation(
            district=world.district,
            agreement=plan.agreement,
            created_at=self._at(project.signed_on),
            updated_at=self._at(project.signed_on),
            **values,
        )

    def _confirm(self, world, plan, ob: Obligation) -> None:
        """Confirm a duty no record measures: on time, late, or not at all (missed)."""
        rng = self.rng
        if ob.due_on >= self.today:
            return
        roll = rng.random()
        if roll < 0.75:
            met = ob.due_on - datetime.timedelta(days=rng.randint(0, 45))
        elif roll < 0.92:
            met = ob.due_on + datetime.timedelta(days=rng.randint(3, 60))
        else:
            return  # not confirmed: missed
        met = max(self._past(met), plan.project.signed_on + ONE_DAY)
        confirmer = plan.team.get(TeamRole.SECRETARY) or world.role_users[Role.BUREAU]
        name = {
            ObligationKind.TAX: "完税证明",
            ObligationKind.JOBS: "社保缴纳证明",
            ObligationKind.INTENSITY: "固定资产投资审计报告",
            ObligationKind.OUTPUT: "产值统计报表",
            ObligationKind.ENERGY: "节能验收意见",
        }[ob.kind]
        path = f"agreements/{plan.project.pk}/obligations/{ob.term}-{met:%Y%m%d}.pdf"
        data = tiny_pdf([plan.project.code, str(ob.kind), met.isoformat()])
        ob.evidence.name = self.builder._save_file(path, data)
        ob.evidence_name = f"{name}.pdf"
        ob.evidence_sha256 = hashlib.sha256(data).hexdigest()
        ob.confirmed_on = met
        ob.confirmation_note = f"{name}已核验"
        ob.confirmed_by = confirmer
        ob.confirmed_at = self._at(max(met, ob.due_on - datetime.timedelta(days=30)))
        if ob.confirmed_at.date() < met:
            ob.confirmed_at = self._at(met)
        ob.updated_at = ob.confirmed_at

    def _terms(self, world, plan, curve) -> list[Obligation]:
        rng, project = self.rng, plan.project
        rows = []

        def term(term_code, kind, due, confirm=False, **target):
            ob = self._obligation(
                world, plan, term=term_code, party=Party.ENTERPRISE, kind=kind, due_on=due,
                **target,
            )  # fmt: skip
            if confirm:
                self._confirm(world, plan, ob)
            rows.append(ob)

        start, completion, production = (
            project.planned_start_on,
            project.planned_completion_on,
            project.planned_production_on,
        )
        term(Term.START, ObligationKind.STAGE, start, target_stage=Stage.STARTED)
        term(Term.COMPLETION, ObligationKind.STAGE, completion, target_stage=Stage.COMPLETED)
        term(Term.PRODUCTION, ObligationKind.STAGE, production, target_stage=Stage.PRODUCTION)
        if project.fixed_asset_investment and project.land_area:
            intensity = project.fixed_asset_investment / project.land_area
            value = (intensity / 10).quantize(Decimal("1"), ROUND_DOWN) * 10
            term(Term.INTENSITY, ObligationKind.INTENSITY, production, True, target_amount=value)
        year_after = datetime.date(production.year + 1, 12, 31)
        if project.committed_tax:
            term(
                Term.TAX, ObligationKind.TAX, year_after, True, target_amount=project.committed_tax
            )
        if project.committed_jobs:
            jobs_by = datetime.date(production.year, 12, 31)
            term(
                Term.JOBS,
                ObligationKind.JOBS,
                jobs_by,
                True,
                target_amount=Decimal(project.committed_jobs),
            )
        if project.designed_output and rng.random() < 0.6:
            output_by = datetime.date(production.year + 2, 6, 30)
            term(
                Term.OUTPUT,
                ObligationKind.OUTPUT,
                output_by,
                True,
                target_amount=project.designed_output,
            )
        energy = (project.energy_commitment or "")[:200]
        if any(c.isdigit() for c in energy):
            term(Term.ENERGY, ObligationKind.ENERGY, production, True, target_text=energy)
        for due, amount in self._schedule(plan, curve):
            term(Term.SCHEDULE, ObligationKind.FUNDS, due, target_amount=amount)
        return rows

    def _department_obligations(self, world, plan) -> list[Obligation]:
        """国土局 owes the land (its delivery date is the fact); 建设局, the power company
        and the environment bureau owe services their commitments fulfil."""
        project, rng = plan.project, self.rng
        rows = []
        land = world.departments.get("land")
        if land is not None:
            due = project.signed_on + datetime.timedelta(days=rng.choice([90, 120, 150]))
            if project.land_delivered_on and rng.random() < 0.7:
                # most deliveries kept the date the agreement set
                due = max(due, project.land_delivered_on)
            rows.append(
                self._obligation(
                    world,
                    plan,
                    party=Party.DEPARTMENT,
                    department=land,
                    kind=ObligationKind.STAGE,
                    title="按期交付净地",
                    target_stage=Stage.LAND_DELIVERED,
                    due_on=due,
                )  # fmt: skip
            )
        plan.service_obligations = {}
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
            title, target = SERVICE_TITLES[key]
            ob = self._obligation(
                world, plan, party=Party.DEPARTMENT, department=department,
                kind=ObligationKind.SERVICE, title=title, target_text=target, due_on=due,
            )  # fmt: skip
            rows.append(ob)
            plan.service_obligations[key] = ob
        return rows

    # -- commitments and their reverse schedules -----------------------------------------------

    def _commitments(self, world) -> None:
        rng = self.rng
        handlers = getattr(world, "handlers", {})
        department_user = world.role_users.get(Role.DEPARTMENT)
        made = []
        for plan in world.agreement_plans:
            project = plan.project
            if project.stage == Stage.EXITED:
                continue
            for key, ob in plan.service_obligations.items():
                if ob.due_on > self.today and rng.random() < 0.15:
                    continue  # promised in the agreement, not planned yet
                made.append(self._commitment(world, plan, key, ob, handlers, department_user))
            land = world.departments.get("land")
            if land is not None and not project.land_delivered_on and rng.random() < 0.8:
                made.append(self._commitment(world, plan, "land", None, handlers, department_user))
        world.commitments = [c for c in made if c is not None]

    def _steps(self, world, key: str) -> tuple[ScheduleTemplate, list[Step]]:
        template = world.templates[COMMITMENTS[key]]
        steps = [
            Step(s.name, s.duration_workdays, s.owner_department)
            for s in template.steps.all().order_by("seq")
        ]
        return template, steps

    def _commitment(self, world, plan, key, ob, handlers, department_user):
        rng, today, cal = self.rng, self.today, self.cal
        project = plan.project
        department = world.departments.get(key)
        if department is None:
            return None
        template, steps = self._steps(world, key)
        steps = [Step(s.name, s.duration, s.owner_department or department) for s in steps]
        owner = (
            department_user
            if department_user and department_user.department_id == department.pk
            else handlers.get(department.pk)
        )
        for step in steps:
            if step.owner_department.pk == department.pk and rng.random() < 0.5:
                step.owner = owner
            else:
                step.owner = handlers.get(step.owner_department.pk) if rng.random() < 0.4 else None
        start = project.signed_on + datetime.timedelta(days=rng.randint(5, 20))
        start = max(project.signed_on, min(start, today - datetime.timedelta(days=10)))
        earliest = earliest_target(steps, start)
        if ob is not None:
            target = max(ob.due_on, earliest)
        else:
            target = earliest + datetime.timedelta(days=rng.randint(0, 40))
        target = cal.on_or_after(target)
        filer = owner or world.role_users[Role.BUREAU]
        commitment = Commitment(
            district=world.district,
            project=project,
            department=department,
            obligation=ob,
            title=f"{template.name}承诺",
            content=f"{department.name}承诺：{template.description}，于{target:%Y年%m月%d日}前完成。",
            clause="投资协议第七条（甲方服务条款）",
            owner=owner,
            template=template,
            start_on=start,
            target_on=target,
            created_by=filer,
        )
        commitment._history_user = filer
        with _stamped(Commitment):
            commitment.created_at = commitment.updated_at = self._at(start)
            commitment.save()
        self._event(
            world, filer, "commitment.created", commitment, self.commitment_type, start,
            f"{commitment.title} · {department}", project=project.pk, target_on=target,
        )  # fmt: skip
        # Replanned later (a joint meeting, a changed design): the first plan was filed as
        # it stood, then the target moved.
        replans = 0
        roll = rng.random()
        if target < today - datetime.timedelta(days=60) or roll < 0.2:
            replans = 0
        elif roll < 0.45:
            replans = 1
        elif roll < 0.55:
            replans = 2
        if replans:
            # Earlier targets that were moved later: each version 15–40 days earlier.
            targets = [target]
            for _ in range(replans):
                earlier = cal.on_or_after(targets[0] - datetime.timedelta(days=rng.randint(15, 40)))
                if earlier < earliest:
                    break
                targets.insert(0, earlier)
            plans = targets
        else:
            plans = [target]
        filed = rng.random() < 0.88
        versions = []
        milestones: list[Milestone] = []
        day = start + datetime.timedelta(days=rng.randint(1, 6))
        for n, version_target in enumerate(plans, 1):
            planned = plan_backwards(steps, version_target, start)
            milestones = self._write_plan(commitment, planned, milestones, filer)
            commitment.target_on = version_target
            if filed and day < today:
                content = services.snapshot(commitment)
                # a plan made again is filed the afternoon of the day it was made
                when = self._at(day) if n == 1 else self._at(day, 14, 17)
                if versions and when <= versions[-1].filed_at:
                    when = versions[-1].filed_at + datetime.timedelta(minutes=rng.randint(10, 90))
                versions.append(
                    ArchiveVersion(
                        district=world.district,
                        commitment=commitment,
                        number=len(versions) + 1,
                        park=project.park,
                        committee_id=project.park.committee_id,
                        filed_by=filer,
                        filed_at=when,
                        note="首次报送" if n == 1 else rng.choice(REPLAN_NOTES),
                        content=content,
                        content_sha256=ArchiveVersion.digest(content),
                    )
                )
                self._event(
                    world, filer, "commitment.filed", commitment, self.commitment_type, day,
                    f"第{len(versions)}版报送{project.park.committee}", when=when,
                    version=len(versions),
                )  # fmt: skip
            if n < len(plans):
                day = day + datetime.timedelta(days=rng.randint(10, 30))
                day = min(day, today - ONE_DAY)
                self._event(
                    world, filer, "commitment.replanned", commitment, self.commitment_type, day,
                    f"{commitment.title} → {plans[n].isoformat()}", when=self._at(day, 9, 11),
                    target_on=plans[n],
                )  # fmt: skip
        ArchiveVersion.objects.bulk_create(versions)
        # A plan changed after its last filing and not filed again yet.
        changed = bool(versions) and rng.random() < 0.12 and commitment.target_on > today
        if changed:
            last = milestones[-1]
            earlier = cal.before(last.due_on, 1)
            if earlier > last.planned_start_on:
                old = last.due_on
                last.due_on = earlier
                last._history_user = filer
                last.save(update_fields=["due_on"])
                moved = min(
                    versions[-1].filed_at + ONE_DAY,
                    timezone.now() - datetime.timedelta(minutes=30),
                )
                self._event(
                    world, filer, "milestone.rescheduled", commitment, self.commitment_type,
                    moved.date(),
                    f"{last.name}: {old.isoformat()} → {earlier.isoformat()} · 按企业要求提前",
                    when=moved, milestone=last.pk, old=old, new=earlier,
                )  # fmt: skip
        self._progress(world, commitment, milestones, filer)
        commitment.filed_version = len(versions)
        commitment.changed_since_filing = changed
        done = [m.done_on for m in milestones]
        commitment.completed_on = max(done) if done and all(done) else None
        commitment._history_user = filer
        with _stamped(Commitment):
            commitment.save()
        return commitment

    def _write_plan(self, commitment, planned, existing, user) -> list[Milestone]:
        """The milestones of a plan (new rows, or the rows of the earlier plan moved)."""
        if not existing:
            rows = [
                Milestone(
                    commitment=commitment,
                    seq=p.seq,
                    name=p.step.name,
                    duration_workdays=p.step.duration,
                    planned_start_on=p.planned_start_on,
                    due_on=p.due_on,
                    due_is_provisional=p.provisional,
                    owner_department=p.step.owner_department,
                    owner=p.step.owner,
                )
                for p in planned
            ]
            for row in rows:
                row._history_user = user
            bulk_create_with_history(rows, Milestone)
            return rows
        for row, p in zip(existing, planned, strict=True):
            row.planned_start_on, row.due_on = p.planned_start_on, p.due_on
            row.due_is_provisional = p.provisional
            row._history_user = user
            row.save(update_fields=["planned_start_on", "due_on", "due_is_provisional"])
        return existing

    def _progress(self, world, commitment, milestones, user) -> None:
        """Done on time mostly, some late, a few missed; the next one running."""
        rng, today, cal = self.rng, self.today, self.cal
        blocked = False
        running_set = False
        last_done = None
        for m in milestones:
            if blocked:
                m.progress = 0
            elif m.due_on < today:
                roll = rng.random()
                if roll < 0.85:
                    done = m.due_on - datetime.timedelta(days=rng.randint(0, 3))
                    m.done_on = max(done, m.planned_start_on)
                elif roll < 0.93:
                    m.done_on = cal.after(m.due_on, rng.randint(1, 6))
                elif m.due_on < today - STUCK_FOR:
                    # stuck once, long ago: pushed through in the end, well past its date
                    m.done_on = cal.after(m.due_on, rng.randint(15, 45))
                if m.done_on and last_done:
                    m.done_on = max(m.done_on, last_done)  # a step ends after the one before
                if m.done_on and m.done_on >= today:
                    m.done_on = None
                if m.done_on is None:
                    m.progress = rng.choice([30, 50, 60, 80])
                    m.note = "材料待企业补充，正在协调"
                    blocked = True
                else:
                    m.progress = 100
                    last_done = m.done_on
            elif not running_set and m.planned_start_on <= today:
                m.progress = rng.choice([10, 20, 40, 60, 70])
                m.note = "按计划推进"
                running_set = True
            else:
                m.progress = 0
            if m.done_on and m.done_on >= today:
                m.done_on = None
                m.progress = 90
            if m.progress or m.done_on:
                m._history_user = m.owner or user
                m.save(update_fields=["progress", "done_on", "note"])
                if m.done_on:
                    self._event(
                        world, m.owner or user, "milestone.done", commitment,
                        self.commitment_type, m.done_on, f"{m.name}: 100%", milestone=m.pk,
                    )  # fmt: skip

    # -- what the daily scan left behind -------------------------------------------------------

    def _scan(self) -> None:
        """Breaches and ledger entries as the daily scan wrote them, each dated the night
        after the day it was missed, with its domain event and its notices."""
        districts = [w.district.pk for w in self.builder.worlds]
        verbs = ["obligation.missed", "milestone.missed"]
        events_before = set(
            DomainEvent.objects.filter(district_id__in=districts, verb__in=verbs).values_list(
                "pk", flat=True
            )
        )
        notes_before = set(Notification.objects.filter(verb__in=verbs).values_list("pk", flat=True))
        services.scan(self.today)

        def night(day):
            return datetime.datetime.combine(day, datetime.time(1, 30), tzinfo=SHANGHAI)

        breaches = list(ObligationBreach.objects.filter(district_id__in=districts))
        for breach in breaches:
            breach.recorded_at = night(min(breach.occurred_on, self.today))
        ObligationBreach.objects.bulk_update(breaches, ["recorded_at"], batch_size=500)
        entries = LedgerEntry.objects.filter(
            district_id__in=districts,
            rule_code__in=[RuleCode.MISSED_OBLIGATION, RuleCode.MISSED_MILESTONE],
        )
        self.builder._backdate(
            LedgerEntry,
            {
                pk: night(day)
                for pk, day in entries.values_list("pk", "occurred_on")
                if day < self.today
            },
            "created_at",
        )
        # When each thing was found missed, by the page its event and its notices point to.
        found: dict[str, datetime.date] = {
            reverse("agreements:obligation", args=[b.obligation_id]): b.occurred_on
            for b in breaches
        }
        milestones = Milestone.objects.in_bulk(
            list(
                entries.filter(rule_code=RuleCode.MISSED_MILESTONE).values_list(
                    "evidence_id", flat=True
                )
            )
        )
        for pk, day in entries.filter(rule_code=RuleCode.MISSED_MILESTONE).values_list(
            "evidence_id", "occurred_on"
        ):
            if pk in milestones:
                found[milestones[pk].get_absolute_url()] = day
        by_milestone = {m.pk: m.get_absolute_url() for m in milestones.values()}
        events = list(
            DomainEvent.objects.filter(district_id__in=districts, verb__in=verbs).exclude(
                pk__in=events_before
            )
        )
        for event in events:
            if event.verb == "obligation.missed":
                url = reverse("agreements:obligation", args=[event.object_id])
            else:
                url = by_milestone.get(event.data.get("milestone"), "")
            day = found.get(url)
            if day and day < self.today:
                event.occurred_at = night(day)
        DomainEvent.objects.bulk_update(events, ["occurred_at"], batch_size=500)
        notes = Notification.objects.filter(verb__in=verbs).exclude(pk__in=notes_before)
        self.builder._backdate(
            Notification,
            {
                pk: night(found[url])
                for pk, url in notes.values_list("pk", "url")
                if url in found and found[url] < self.today
            },
            "created_at",
        )


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
