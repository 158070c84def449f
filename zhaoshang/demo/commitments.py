"""The departments' service commitments of the demo city (SPEC §8, 倒排工期): the reverse
schedule templates, each commitment planned backwards from its target date, filed with the
park committee (several in two or three versions after a replanning), its milestones done
on time nearly always, a few working days late sometimes; a district's one or two stuck
steps wait with the note saying why. Then the nightly scans that found an obligation or a
milestone missed, each the night it ran. A part of ``agreements.AgreementsBuilder``,
replayed on its ``Timeline`` through ``agreements.services``.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Q

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationStatus
from zhaoshang.agreements.models import Milestone, Obligation, ScheduleTemplate, TemplateStep
from zhaoshang.agreements.schedule import Step, earliest_target, plan_backwards
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import acting_for, chain, workday_before
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment
from zhaoshang.projects.choices import EXIT_STAGES

DATA = load("agreements")
ONE_DAY = datetime.timedelta(days=1)
# A milestone is done by its due date, else a few working days late; a district's stuck
# steps (due in the last STUCK_FOR) are its red lights.
ON_TIME = 0.95
STUCK_FOR = datetime.timedelta(days=120)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class CommitmentStories:
    """The commitments part of ``AgreementsBuilder`` (its rng, calendar and timeline)."""

    def _templates(self, world) -> None:
        """The reverse-schedule templates, set in the admin site (which saves the rows)."""
        world.templates = {}
        with clock.at(moment(datetime.date(self.today.year - 8, 1, 6), 10, 30)):
            for spec in DATA["templates"]:
                template = ScheduleTemplate(
                    district=world.district, name=spec["name"], description=spec["description"]
                )
                template._history_user = world.role_users.get(Role.ADMIN)
                template.save()
                for seq, (name, days, key) in enumerate(spec["steps"], 1):
                    owner = world.departments.get(key) if key else None
                    TemplateStep.objects.create(
                        template=template,
                        seq=seq,
                        name=name,
                        duration_workdays=days,
                        owner_department=owner,
                    )
                template.planned_steps = list(template.steps.order_by("seq"))
                world.templates[spec["name"]] = template

    # -- commitments and their reverse schedules -----------------------------------------------

    def _commitments(self, world, plan, owed) -> None:
        if plan.stage in EXIT_STAGES:
            return
        for key, ob in owed.items():
            if key and (ob.due_on <= self.today or self.rng.random() >= 0.15):
                self._commitment(world, plan.project, key, ob)  # (else: not planned yet)
        if (
            "land" in world.departments
            and not plan.project.land_delivered_on
            and self.rng.random() < 0.8
        ):
            self._commitment(world, plan.project, "land", None)

    def _steps(self, world, key: str) -> tuple[ScheduleTemplate, list[Step]]:
        template = world.templates[DATA["commitments"][key]]
        return template, [
            Step(s.name, s.duration_workdays, s.owner_department) for s in template.planned_steps
        ]

    def _targets(self, target, earliest) -> list[datetime.date]:
        """The target of each version: a recent plan was replanned once or twice (a joint
        meeting, a changed design), each earlier plan 15–40 days before the next."""
        rng, roll, targets = self.rng, self.rng.random(), [target]
        recent = target >= self.today - _days(60)
        for _n in range(
            (1 if roll < 0.45 else 2 if roll < 0.55 else 0) if recent and roll >= 0.2 else 0
        ):
            earlier = self.cal.on_or_after(targets[0] - _days(rng.randint(15, 40)))
            if earlier < earliest:
                break
            targets.insert(0, earlier)
        return targets

    def _commitment(self, world, project, key, ob) -> None:
        rng, cal, department = self.rng, self.cal, world.departments[key]
        template, steps = self._steps(world, key)
        owner = acting_for(world, department)
        handlers = getattr(world, "handlers", {})
        for step in steps:
            own = step.owner_department is None or step.owner_department.pk == department.pk
            step.owner_department = department if own else step.owner_department
            person = owner if own else handlers.get(step.owner_department.pk)
            step.owner = person if rng.random() < (0.5 if own else 0.4) else None
        start = project.signed_on + _days(rng.randint(5, 20))
        start = max(project.signed_on, min(start, self.today - _days(10)))
        earliest = earliest_target(steps, start)
        if ob is not None and ob.due_on >= earliest:
            # planned to meet the agreement's date: its working day or the one before
            target = max(workday_before(cal, ob.due_on), cal.on_or_after(earliest))
        else:
            target = cal.on_or_after(
                max(ob.due_on, earliest) if ob is not None else earliest + _days(rng.randint(0, 40))
            )
        targets, filer, held = (
            self._targets(target, earliest),
            owner or world.role_users[Role.BUREAU],
            {},
        )
        content = f"{department.name}承诺：{template.description}，于{target:%Y年%m月%d日}前完成。"

        def create():
            held["c"] = services.create_commitment(
                filer,
                project,
                department=department,
                steps=steps,
                template=template,
                title=f"{template.name}承诺",
                content=content,
                clause=DATA["clause"],
                owner=owner,
                obligation=ob,
                start_on=start,
                target_on=targets[0],
            )

        def replan(version_target):
            plan = [
                (m.pk, Step(m.name, m.duration_workdays, m.owner_department, m.owner))
                for m in held["c"].milestones.order_by("seq")
            ]
            held["c"] = services.replan_commitment(
                filer, held["c"], steps=plan, target_on=version_target
            )

        filed, day, story = rng.random() < 0.88, start + _days(rng.randint(1, 6)), [(start, create)]
        for n, version_target in enumerate(targets):
            if n:
                day = min(day + _days(rng.randint(10, 30)), self.last)
                story.append((day, lambda t=version_target: replan(t)))
            if filed and day < self.today:
                note = DATA["first_filing"] if n == 0 else rng.choice(DATA["replan_notes"])
                story.append(
                    (day, lambda note=note: services.file_commitment(filer, held["c"], note=note))
                )
        if filed and targets[-1] > self.today and rng.random() < 0.12:
            # a plan changed after its last filing and not filed again yet
            story.append((min(day + ONE_DAY, self.last), lambda: self._move_last(filer, held)))
        settled = day if len(targets) > 1 else start  # progress on the plan as it stands
        story += self._progress(world, key, steps, (start, targets[-1], settled), filer, held)
        chain(self.line, rng, sorted(story, key=lambda s: s[0]))

    def _move_last(self, filer, held) -> None:
        last = held["c"].milestones.order_by("-seq").first()
        earlier = self.cal.before(last.due_on, 1)
        if earlier > last.planned_start_on:
            services.reschedule_milestone(filer, last, due_on=earlier, reason=DATA["moved_earlier"])

    def _progress(self, world, key, steps, dates, filer, held) -> list:
        """Done on time nearly always, else a few working days late; the district's stuck
        steps wait with a note saying why; the next step running."""
        rng, today, budget = self.rng, self.today, self.budget[world.spec.code]
        start, target, settled = dates
        story, last_done, running = [], start, False
        for n, planned in enumerate(plan_backwards(steps, target, start)):
            due, values, roll = planned.due_on, None, rng.random()
            stuck = today - STUCK_FOR <= due < today and roll >= 0.8 and budget.get(key)
            if stuck:  # the district's stuck step, with the note saying why
                budget[key] -= 1
                values = {"progress": rng.choice(DATA["stuck_progress"])}
                values["note"] = DATA["stuck_notes"][key]
                day = max(min(due, self.last), last_done)
            elif due < today:
                late = self.cal.after(due, rng.randint(1, 4))
                done = due - _days(rng.randint(0, 3)) if roll < ON_TIME else late
                day = last_done = min(
                    max(done, planned.planned_start_on, last_done, start + ONE_DAY), self.last
                )
                values = {"progress": 100, "done_on": day}
            elif not running and planned.planned_start_on <= today:
                running = True
                values = {
                    "progress": rng.choice(DATA["running_progress"]),
                    "note": DATA["running_note"],
                }
                day = max(min(planned.planned_start_on + ONE_DAY, self.last), start)
            if values is not None:
                story.append(
                    (max(day, settled), self._reporter(filer, held, n, planned.step, values))
                )
            if stuck:
                break  # the steps after it wait
        return story

    @staticmethod
    def _reporter(filer, held, n, step, values):
        def run():
            milestone = held["c"].milestones.order_by("seq")[n]
            services.report_progress(step.owner or filer, milestone, **values)

        return run

    # -- what the nightly scans found ------------------------------------------------------------

    def _scans(self) -> None:
        """Each obligation not met by its due date gets its breach and each milestone past
        its due date its ledger entry, written the night the daily scan found it (the first
        working day after the due date, at half past one) by the scan's own services."""
        today, ids = self.today, [w.district.pk for w in self.builder.worlds]
        late = (
            Obligation.objects.filter(district_id__in=ids, breach__isnull=True)
            .with_met(today)
            .filter(status__in=[ObligationStatus.MISSED, ObligationStatus.MET_LATE])
            .select_related("agreement__project", "department")
        )
        recorded = LedgerEntry.objects.filter(rule_code=RuleCode.MISSED_MILESTONE)
        missed = (
            Milestone.objects.filter(
                Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__gt=F("due_on")),
                commitment__district_id__in=ids,
            )
            .exclude(pk__in=recorded.values("evidence_id"))
            .select_related("commitment__project", "owner_department", "owner")
        )
        found = [(o.due_on, 0, o.pk, services.record_breach, o) for o in late]
        found += [(m.due_on, 1, m.pk, services.record_missed_milestone, m) for m in missed]
        for due, _kind, _pk, record, row in sorted(found, key=lambda f: f[:3]):
            with clock.at(moment(min(self.cal.after(due, 1), today), 1, 30)):
                record(row)
