"""Exit warnings of the demo city (SPEC §11, §18; 三个月不开工、两年不投产、三年不见效).

Each district gets the work plan's three rules. The warnings are what the daily scans left
behind: every project that reached a rule's fact late had its warning raised by the scan
the morning after its due date and cleared by the scan after it reached the fact; every
project past a due date without the fact has its open warning. In the demo district the
supervision office has taken the steps on the oldest of them — one project's land
recovered, one clearance decided, rectification notices issued (one past its deadline) —
and one recent 三个月不开工 warning is excluded: an approval case of the project ran late
inside the window, and the office confirmed the government delay.

Replayed through ``exits.services`` (and ``approvals.services`` for the late case) on a
``replay.Timeline``, with the clock set to each scan's or step's moment.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.approvals import services as approvals
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.complaints import chain
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.replay import Timeline, moment
from zhaoshang.exits import services
from zhaoshang.exits.choices import ANCHOR_FIELDS, ClearingFact, RuleCode, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.projects.choices import ProjectKind
from zhaoshang.projects.models import Project

SEED = 2026_13
ONE_DAY = datetime.timedelta(days=1)
# Warnings raised this recently notify their people (older ones were told long ago).
NOTIFY_DAYS = 14
# The time a rectification notice gives the enterprise (限期整改).
NOTICE_DAYS = 20
# The date field that says when a rule's fact was reached (the earliest of them).
FACT_FIELDS = {
    ClearingFact.STARTED: ("started_on", "completed_on", "production_on", "capacity_on"),
    ClearingFact.PRODUCTION: ("production_on", "capacity_on"),
}
NOTES = {
    "notice": "请企业在限期内开工建设，逾期将按投资合同约定处理。",
    "clearance": "整改期满仍未开工，依据投资合同约定予以清退。",
    "recovery": "已与企业签订土地收回协议，土地由园区收储。",
}


class ExitsBuilder:
    """Adds the exit rules and warnings to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 4, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.line = Timeline(self.today)
        self.last = self.cal.before(self.today, 1)
        self.warnings: dict[tuple[int, int], ExitWarning] = {}

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            with clock.at(moment(datetime.date(self.today.year - 4, 1, 5), 10, 12)):
                rules = services.ensure_default_rules(world.district)
            opened = []
            for rule in rules:
                self._history(rule)
                opened += self._open(rule)
            if index == 0:
                self._steps(world, rules, sorted(opened, key=lambda o: (o[0], o[1].code)))
        self.line.run()
        for name in ExitStep.objects.filter(
            warning__district__in=[w.district for w in self.builder.worlds]
        ).values_list("document", flat=True):
            self.builder.written_files.append(name)

    # -- what the scans left behind ---------------------------------------------------------

    def _scan_at(self, day: datetime.date) -> datetime.datetime:
        """The daily scan's moment on ``day`` (it runs at six)."""
        return moment(day, 6, self.rng.randint(0, 4))

    def _raise(self, project, rule, notify_people: bool = False) -> None:
        warning = services.raise_warning(project, rule, notify_people=notify_people)
        self.warnings[(project.pk, rule.pk)] = warning

    def _clear(self, project, rule) -> None:
        note = services._fact_text(rule, project)
        services.clear_warning(self.warnings[(project.pk, rule.pk)], note=note)

    def _history(self, rule: ExitRule) -> None:
        """Projects that reached the fact after the due date: raised, then cleared."""
        fields = FACT_FIELDS.get(rule.clears_by)
        if fields is None:
            return
        anchor = ANCHOR_FIELDS[rule.anchor]
        projects = Project.objects.filter(
            district_id=rule.district_id,
            kind=ProjectKind.INVESTMENT,
            **{f"{anchor}__isnull": False},
        ).order_by("code")
        for project in projects:
            reached = min((d for d in (getattr(project, f) for f in fields) if d), default=None)
            due = services.add_months(getattr(project, anchor), rule.months)
            if reached is None or reached <= due or due >= self.today:
                continue
            self.line.add(self._scan_at(due + ONE_DAY), self._raise, project, rule)
            cleared = min(reached + ONE_DAY, self.today)
            self.line.add(self._scan_at(cleared), self._clear, project, rule)

    def _open(self, rule: ExitRule) -> list:
        opened = []
        for project in services._candidates(rule, self.today):
            due = services.add_months(getattr(project, ANCHOR_FIELDS[rule.anchor]), rule.months)
            raised_on = due + ONE_DAY
            told = (self.today - raised_on).days <= NOTIFY_DAYS
            self.line.add(self._scan_at(raised_on), self._raise, project, rule, told)
            opened.append((raised_on, project, rule))
        return opened

    # -- the steps the supervision office took ---------------------------------------------------

    def _document(self, title: str, project) -> SimpleUploadedFile:
        lines = [title, f"Project {project.code}", f"Warning {project.code}"]
        return SimpleUploadedFile(f"{title}-{project.code}.pdf", tiny_pdf(lines))

    def _steps(self, world, rules, opened) -> None:
        officer = world.role_users[Role.SUPERVISOR]
        not_started = [o for o in opened if o[2].code == RuleCode.NOT_STARTED]
        if not_started:
            excluded = not_started[-1]
            self._exclude(world, officer, *excluded)
            opened.remove(excluded)
        # The oldest open warnings went furthest; a step that would fall after today is
        # left for later (the warning stays at the step before).
        plan = ["recovered", "clearance", "notice_passed", "notice"]
        for (raised_on, project, rule), target in zip(opened, plan, strict=False):
            self._advance(officer, raised_on, (project.pk, rule.pk), project, target)

    def _advance(self, officer, raised_on, key, project, target: str) -> None:
        cal, last = self.cal, self.last
        notice_on = cal.on_or_after(raised_on + datetime.timedelta(days=3))
        if target == "notice":
            notice_on = max(notice_on, cal.before(self.today, 5))
        deadline = notice_on + datetime.timedelta(days=NOTICE_DAYS)
        if target == "notice_passed":
            deadline = min(deadline, last)
        if notice_on > last or deadline <= notice_on:
            return
        clearance_on = cal.on_or_after(deadline + datetime.timedelta(days=3))

        def step(service, title, note, **kwargs):
            document = self._document(title, project)
            return lambda: service(
                officer, self.warnings[key], document=document, note=note, **kwargs
            )

        steps = [
            (
                notice_on,
                step(
                    services.issue_notice,
                    "Rectification notice",
                    NOTES["notice"],
                    deadline=deadline,
                ),
            )
        ]
        if target in ("recovered", "clearance"):
            steps.append(
                (
                    clearance_on,
                    step(services.decide_clearance, "Clearance decision", NOTES["clearance"]),
                )
            )
        if target == "recovered":
            steps.append(
                (
                    cal.after(clearance_on, 8),
                    step(services.recover_land, "Land recovery", NOTES["recovery"]),
                )
            )
        chain(self.line, self.rng, [s for s in steps if s[0] <= last])

    def _exclude(self, world, officer, raised_on, project, rule) -> None:
        """An approval case of the project ran late through most of the window; the
        supervision office confirmed it, and the moved due date is still ahead."""
        from zhaoshang.org.models import User

        anchor_on = getattr(project, ANCHOR_FIELDS[rule.anchor])
        due_on = services.add_months(anchor_on, rule.months)
        used = ApprovalCase.objects.filter(project=project).values("item_id")
        finished = dict(
            ApprovalCase.objects.filter(project=project, status=CaseStatus.DONE).values_list(
                "item_id", "done_on"
            )
        )
        registered = self.cal.on_or_after(anchor_on + ONE_DAY)
        # A case the project could have started then: its prerequisites were done.
        item = next(
            (
                i
                for i in ApprovalItem.objects.filter(district=world.district, is_active=True)
                .exclude(pk__in=used)
                .prefetch_related("prerequisites")
                .order_by("sort_order", "id")
                if all(
                    finished.get(p.pk) and finished[p.pk] <= registered
                    for p in i.prerequisites.all()
                )
            ),
            None,
        )
        if item is None:
            return
        agent = world.role_users[Role.SERVICE_CENTER]
        handler = (
            User.objects.filter(department=item.department, is_active=True).order_by("pk").first()
        )
        done = min(due_on, self.last)
        c = {}

        def register():
            c["case"] = approvals.register_case(agent, project, item, agent=agent)
            approvals.mark_materials_complete(agent, c["case"], on=registered)

        def confirm():
            warning = self.warnings[(project.pk, rule.pk)]
            days, _causes = services.government_delay(warning)
            if days >= self.cal.between(warning.due_on, self.today) + 1:
                reason = f"{item.department.name}办理“{item.name}”超期，项目无法按期开工，非企业自身原因。"
                services.confirm_delay(officer, warning, reason=reason)

        def accept():
            case = c["case"] = approvals.accept_case(handler, c["case"], on=registered)
            if case.due_on and case.due_on < done:  # the night's scan finds it overdue
                overdue = self._scan_at(self.cal.after(case.due_on, 1))
                self.line.add(overdue, approvals.record_overdue, case)

        steps = [
            (registered, register),
            (registered, accept),
            (done, lambda: approvals.complete_case(handler, c["case"], on=done)),
            (self.last, confirm),
        ]
        chain(self.line, self.rng, steps)


def exit_counts(district_ids) -> dict[str, int]:
    warnings = ExitWarning.objects.filter(district_id__in=district_ids)
    return {
        "exit rules": ExitRule.objects.filter(district_id__in=district_ids).count(),
        "exit warnings": warnings.count(),
        "open exit warnings": warnings.exclude(
            status__in=[WarningStatus.CLEARED, WarningStatus.EXCLUDED]
        ).count(),
        "exit steps": ExitStep.objects.filter(warning__district_id__in=district_ids).count(),
    }
