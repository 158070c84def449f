"""Exit warnings of the demo city (SPEC §11, §18; 三个月不开工、两年不投产、三年不见效): the
rules of each district and what the daily scans left behind — warnings raised the day after
each project's clock ran out (the agreement's own date, else the rule's; moved out by the
government's held days), cleared once the fact was reached; the government's own warnings
for signed projects whose land never came (签约未供地), and for each whose land came after
the date its agreement owed it (``agreements.LAND_ON_TIME``: about a third of those given
land in the demo district; raised the day after that date, cleared the day after it came) — the
desk's first page full at the demo's size. The supervision office's steps, by
rule, on the oldest of each district (DATA["plans"]): in the demo district the late start's
land recovered and a later late start under a rectification notice still running, the late
production (两年不投产 under its agreement) under a notice with a longer deadline; in the
second district its late start under a notice. On the late start whose clock was the first
to run out when the story was planned, the days an open problem assigned to a department
held its clock (the interval shown on it, the office's confirmation recorded).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, counter, pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment
from zhaoshang.exits import services
from zhaoshang.exits.choices import RuleCode, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.exits.services.dates import LAND_FACT_FIELDS
from zhaoshang.projects.choices import ProjectKind
from zhaoshang.projects.models import Project
from zhaoshang.service import services as need_services

DATA = load("exits")
NOTIFY_DAYS = 14  # warnings raised this recently notify their people (older ones: long ago)
HELD_BEFORE = datetime.timedelta(days=150)  # the held story's clock ran out this long ago


def _land_on(project) -> datetime.date | None:
    return min(filter(None, (getattr(project, f) for f in LAND_FACT_FIELDS)), default=None)


def _raised_on(project, rule, found) -> datetime.date:
    """The day the daily scan raised it: the day after the clock ran out, or the day the
    land came (an enterprise's clock does not run without it)."""
    day = found.effective_due_on + DAY
    land = None if rule.is_government else _land_on(project)
    return max(day, land) if land else day


class ExitsBuilder(Part):
    """Adds the exit rules and warnings to the worlds a DemoBuilder built."""

    SEED = 2026_13

    def build(self) -> None:
        self.warnings: dict[tuple[int, int], dict] = defaultdict(dict)  # {"it": the warning}
        self.held_item, ruled = None, []
        for world in self.worlds:
            with clock.at(moment(datetime.date(self.today.year - 4, 1, 5), 10, 12)):
                ruled.append((world, services.ensure_default_rules(world.district)))
        # First the government's delay of the held story, then the scans that see it.
        held = self._held_story(*ruled[0])
        self.line.run()
        for world, rules in ruled:
            self._rules(world, rules, held)
        self.line.run()
        steps = ExitStep.objects.filter(
            warning__district_id__in=[w.district.pk for w in self.worlds]
        )
        self.builder.written_files += steps.values_list("document", flat=True)

    def _held_story(self, world, rules):
        """The oldest 三个月不开工 project past its clock: a problem assigned to a department
        in its window held it (planned now, before the scans that see it)."""
        rule = next(r for r in rules if r.code == RuleCode.NOT_STARTED)
        due = sorted(
            (found.effective_due_on, project.code, project, found)
            for project, found in services._candidates(rule, self.today)
        )
        if not due:
            return None
        _day, _code, project, found = due[0]
        self._late_case(world, project, found)
        return project.pk, rule.pk

    def _rules(self, world, rules, held) -> None:
        opened = []
        for rule in rules:
            self._history(rule)
            for project, found in services._candidates(rule, self.today):
                raised_on = _raised_on(project, rule, found)
                told = (self.today - raised_on).days <= NOTIFY_DAYS
                self.line.add(self._scan_at(raised_on), self._raise, project, rule, told)
                if rule.is_government:
                    continue
                opened.append((raised_on, project.code, rule.months, project, rule))
                if (project.pk, rule.pk) == held and world is self.worlds[0]:
                    officer = world.role_users[Role.SUPERVISOR]
                    confirm = (self._confirm, officer, project.pk, rule.pk)
                    self.line.add(moment(raised_on, 15, 30), *confirm)  # the day it is raised
        officer = world.role_users.get(Role.SUPERVISOR)
        plans = DATA["plans"].get(world.spec.code, {})
        if officer is None or not plans:
            return
        # Under each rule the oldest open warnings went furthest (a step after today waits).
        by_rule = defaultdict(list)
        for row in sorted(opened):
            by_rule[row[4].code].append(row)
        for code, rows in by_rule.items():
            for (raised_on, _c, _m, project, rule), target in zip(
                rows, plans.get(code, ()), strict=False
            ):
                self._advance(officer, project, rule, raised_on, target)

    def _scan_at(self, day: datetime.date) -> datetime.datetime:
        return moment(day, 6, self.rng.randint(0, 4))  # the daily scan runs at six

    def _raise(self, project, rule, notify_people: bool = False) -> None:
        warning = services.raise_warning(project, rule, notify_people=notify_people)
        self.warnings[project.pk, rule.pk]["it"] = warning

    def _clear(self, project, rule) -> None:
        note = services._fact_text(rule, project)
        services.clear_warning(self.warnings[project.pk, rule.pk]["it"], note=note)

    def _history(self, rule: ExitRule) -> None:
        """Projects that reached the fact after their clock ran out: raised, then cleared."""
        fields = DATA["fact_fields"].get(rule.clears_by, ())
        if not fields:
            return
        projects = Project.objects.filter(
            district_id=rule.district_id, kind=ProjectKind.INVESTMENT
        ).filter(services.fact_met_q(rule))
        if rule.is_government:
            projects = projects.filter(signed_on__isnull=False)
        clocks = services.exit_clocks(rule, projects.order_by("code"), self.today)
        for project in projects.order_by("code"):
            found = clocks[project.pk]
            if found.effective_due_on is None or found.held_since is not None:
                continue
            reached = min(filter(None, (getattr(project, f) for f in fields)), default=None)
            raised_on = _raised_on(project, rule, found)
            if reached is not None and raised_on <= reached and raised_on <= self.today:
                self.line.add(self._scan_at(raised_on), self._raise, project, rule)
                cleared = self._scan_at(min(reached + DAY, self.today))
                self.line.add(cleared, self._clear, project, rule)

    def _advance(self, officer, project, rule, raised_on, target: str) -> None:
        cal, last = self.cal, self.last
        notice_on = cal.on_or_after(raised_on + 3 * DAY)
        if target == "notice":
            notice_on = max(notice_on, cal.before(self.today, 5))
        days = DATA["notice_days_by_rule"].get(rule.code, DATA["notice_days"])
        deadline = notice_on + days * DAY
        if target == "notice_passed":
            deadline = min(deadline, last)
        if notice_on > last or deadline <= notice_on:
            return
        clearance_on = cal.on_or_after(deadline + 3 * DAY)
        days = (notice_on, clearance_on, cal.after(clearance_on, 8))
        steps, held, count = [], self.warnings[project.pk, rule.pk], DATA["targets"][target]
        for day, (name, step) in zip(days[:count], DATA["steps"].items(), strict=False):
            title, code = step["title"], project.code
            note = DATA["notice_notes"].get(rule.code) if name == "notice" else None
            kwargs = {
                "note": note or step["note"],
                "document": pdf(f"{title}-{code}.pdf", title, f"Project {code}"),
            }
            kwargs |= {"deadline": deadline} if name == "notice" else {}
            steps.append((day, act(held, getattr(services, step["service"]), officer, **kwargs)))
        self.chain([s for s in steps if s[0] <= last])

    def _late_case(self, world, project, found) -> None:
        """A problem of the project assigned to a department some weeks before its clock
        would have run out and solved only after it: the days it stayed open hold the
        clock (planned now, before the scans that see it)."""
        text = DATA["held_problem"]
        department = world.departments.get(text["department"]) or next(
            iter(world.departments.values())
        )
        raised = max(self.cal.before(found.effective_due_on, 18), found.anchor_on + DAY)
        solved = self.cal.after(found.effective_due_on, 10)
        bureau, held = world.role_users[Role.BUREAU], {}
        data = {k: text[k] for k in ("category", "title", "description", "due_workdays")}

        def raise_it():
            held["it"] = need_services.raise_need(
                bureau, project, raised_on=raised, department=department, **data
            )

        solve = act(held, need_services.resolve_need, bureau, resolution=text["resolution"])
        self.chain([(raised, raise_it), (solved, solve)])
        self.held_item = department

    def _confirm(self, officer, project_id, rule_id) -> None:
        """The supervision office confirms the held interval on the warning."""
        warning = self.warnings.get((project_id, rule_id), {}).get("it")
        if warning is None:
            return
        days, _causes = services.government_delay(warning)
        if days and self.held_item is not None:
            names = {"department": self.held_item.name, "title": DATA["held_problem"]["title"]}
            reason = DATA["delay_reason"].format(**names)
            services.confirm_delay(officer, warning, reason=reason)


_counts = counter(("exit rules", ExitRule), ("exit warnings", ExitWarning))
_steps = counter(("exit steps", ExitStep), path="warning__district_id")


def exit_counts(district_ids) -> dict[str, int]:
    closed = [WarningStatus.CLEARED, WarningStatus.EXCLUDED]
    open_ones = ExitWarning.objects.filter(district_id__in=district_ids).exclude(status__in=closed)
    return _counts(district_ids) | {"open exit warnings": open_ones.count()} | _steps(district_ids)
