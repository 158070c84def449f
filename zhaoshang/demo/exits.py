"""Exit warnings of the demo city (SPEC §11, §18; 三个月不开工、两年不投产、三年不见效): the
rules of each district and what the daily scans left behind (warnings raised after a due
date, cleared once the fact was reached); in the demo district the supervision office's
steps on the oldest (land recovered, a clearance, notices, one past its deadline: the red
one) and one warning excluded for a government delay (a late approval case of the project).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, acting_for, counter, pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment
from zhaoshang.exits import services
from zhaoshang.exits.choices import ANCHOR_FIELDS, RuleCode, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.projects.choices import ProjectKind
from zhaoshang.projects.models import Project

DATA = load("exits")
NOTIFY_DAYS = 14  # warnings raised this recently notify their people (older ones: long ago)


def _due(project, rule) -> datetime.date:
    return services.add_months(getattr(project, ANCHOR_FIELDS[rule.anchor]), rule.months)


class ExitsBuilder(Part):
    """Adds the exit rules and warnings to the worlds a DemoBuilder built."""

    SEED = 2026_13

    def build(self) -> None:
        self.warnings: dict[tuple[int, int], dict] = defaultdict(dict)  # {"it": the warning}
        for world in self.worlds:
            with clock.at(moment(datetime.date(self.today.year - 4, 1, 5), 10, 12)):
                rules = services.ensure_default_rules(world.district)
            self._rules(world, rules)
        self.line.run()
        steps = ExitStep.objects.filter(
            warning__district_id__in=[w.district.pk for w in self.worlds]
        )
        self.builder.written_files += steps.values_list("document", flat=True)

    def _rules(self, world, rules) -> None:
        opened = []
        for rule in rules:
            self._history(rule)
            for project in services._candidates(rule, self.today):
                raised_on = _due(project, rule) + DAY
                told = (self.today - raised_on).days <= NOTIFY_DAYS
                self.line.add(self._scan_at(raised_on), self._raise, project, rule, told)
                opened.append((raised_on, project.code, rule.months, project, rule))
        if world is not self.worlds[0]:
            return
        opened, officer = [o[3:] for o in sorted(opened)], world.role_users[Role.SUPERVISOR]
        not_started = [o for o in opened if o[1].code == RuleCode.NOT_STARTED]
        if not_started:
            self._exclude(world, officer, *not_started[-1])
            opened.remove(not_started[-1])
        # The oldest open warnings went furthest (a step after today waits for later).
        for (project, rule), target in zip(opened, DATA["targets"], strict=False):
            self._advance(officer, project, rule, target)

    def _scan_at(self, day: datetime.date) -> datetime.datetime:
        return moment(day, 6, self.rng.randint(0, 4))  # the daily scan runs at six

    def _raise(self, project, rule, notify_people: bool = False) -> None:
        warning = services.raise_warning(project, rule, notify_people=notify_people)
        self.warnings[project.pk, rule.pk]["it"] = warning

    def _clear(self, project, rule) -> None:
        note = services._fact_text(rule, project)
        services.clear_warning(self.warnings[project.pk, rule.pk]["it"], note=note)

    def _history(self, rule: ExitRule) -> None:
        """Projects that reached the fact after the due date: raised, then cleared."""
        fields = DATA["fact_fields"].get(rule.clears_by, ())
        anchored = {f"{ANCHOR_FIELDS[rule.anchor]}__isnull": False, "kind": ProjectKind.INVESTMENT}
        projects = Project.objects.filter(district_id=rule.district_id, **anchored)
        for project in projects.order_by("code") if fields else ():
            reached = min(filter(None, (getattr(project, f) for f in fields)), default=None)
            due = _due(project, rule)
            if reached is not None and due < reached and due < self.today:
                self.line.add(self._scan_at(due + DAY), self._raise, project, rule)
                cleared = self._scan_at(min(reached + DAY, self.today))
                self.line.add(cleared, self._clear, project, rule)

    def _advance(self, officer, project, rule, target: str) -> None:
        cal, last = self.cal, self.last
        notice_on = cal.on_or_after(_due(project, rule) + 4 * DAY)
        if target == "notice":
            notice_on = max(notice_on, cal.before(self.today, 5))
        deadline = notice_on + DATA["notice_days"] * DAY
        if target == "notice_passed":
            deadline = min(deadline, last)
        if notice_on > last or deadline <= notice_on:
            return
        clearance_on = cal.on_or_after(deadline + 3 * DAY)
        days = (notice_on, clearance_on, cal.after(clearance_on, 8))
        steps, held, count = [], self.warnings[project.pk, rule.pk], DATA["targets"][target]
        for day, (name, step) in zip(days[:count], DATA["steps"].items(), strict=False):
            title, code = step["title"], project.code
            kwargs = {
                "note": step["note"],
                "document": pdf(f"{title}-{code}.pdf", title, f"Project {code}"),
            }
            kwargs |= {"deadline": deadline} if name == "notice" else {}
            steps.append((day, act(held, getattr(services, step["service"]), officer, **kwargs)))
        self.chain([s for s in steps if s[0] <= last])

    def _exclude(self, world, officer, project, rule) -> None:
        """A late approval case in the window: the office confirms the government delay."""
        registered = self.cal.on_or_after(getattr(project, ANCHOR_FIELDS[rule.anchor]) + DAY)
        cases = ApprovalCase.objects.filter(project=project)
        finished = dict(cases.filter(status=CaseStatus.DONE).values_list("item_id", "done_on"))
        items = ApprovalItem.objects.filter(district=world.district, is_active=True)
        items = items.exclude(pk__in=cases.values("item_id")).prefetch_related("prerequisites")
        # A case the project could have started then: its prerequisites were done.
        ready = (
            item
            for item in items.order_by("sort_order", "id")
            if all(
                (finished.get(p.pk) or self.today) <= registered for p in item.prerequisites.all()
            )
        )
        item = next(ready, None)
        if item is None:
            return
        agent, handler = world.role_users[Role.SERVICE_CENTER], acting_for(world, item.department)
        done, c = min(_due(project, rule), self.last), {}

        def register():
            c["it"] = approvals.register_case(agent, project, item, agent=agent)
            approvals.mark_materials_complete(agent, c["it"], on=registered)
            case = c["it"] = approvals.accept_case(handler, c["it"], on=registered)
            if case.due_on and case.due_on < done:  # the night's scan finds it overdue
                overdue = self._scan_at(self.cal.after(case.due_on, 1))
                self.line.add(overdue, approvals.record_overdue, case)

        def confirm():
            warning = self.warnings[project.pk, rule.pk]["it"]
            days, _causes = services.government_delay(warning)
            if days >= self.cal.between(warning.due_on, self.today) + 1:
                names = {"department": item.department.name, "item": item.name}
                reason = DATA["delay_reason"].format(**names)
                services.confirm_delay(officer, warning, reason=reason)

        complete = act(c, approvals.complete_case, handler, on=done)
        self.chain([(registered, register), (done, complete), (self.last, confirm)])


_counts = counter(("exit rules", ExitRule), ("exit warnings", ExitWarning))
_steps = counter(("exit steps", ExitStep), path="warning__district_id")


def exit_counts(district_ids) -> dict[str, int]:
    closed = [WarningStatus.CLEARED, WarningStatus.EXCLUDED]
    open_ones = ExitWarning.objects.filter(district_id__in=district_ids).exclude(status__in=closed)
    return _counts(district_ids) | {"open exit warnings": open_ones.count()} | _steps(district_ids)
