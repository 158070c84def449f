"""Exit warnings of the demo city (SPEC §11, §18; 三个月不开工、两年不投产、三年不见效).

Each district gets the work plan's three rules. The warnings are what the daily scans
would have left behind: every project that reached a rule's fact late had a warning raised
the day after its due date and cleared on the day it reached the fact; every project past a
due date without the fact has its open warning, raised the day after the due date. In the
demo district the supervision office has taken the steps on the oldest of them — one
project's land recovered, one clearance decided, rectification notices issued (one past
its deadline) — and one recent 三个月不开工 warning is excluded: an approval case of the
project ran late inside the window, and the office confirmed the government delay.

Warnings are raised and moved through ``exits.services`` with their real dates (never after
today); the late case is written as the approvals demo writes cases, with its ledger entry.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.approvals.services import record_overdue
from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.exits import services
from zhaoshang.exits.choices import ANCHOR_FIELDS, ClearingFact, RuleCode, WarningStatus
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.projects.choices import ProjectKind
from zhaoshang.projects.models import Project

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

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


class ExitsBuilder:
    """Adds the exit rules and warnings to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.cal = Calendar(
            datetime.date(self.today.year - 4, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            rules = services.ensure_default_rules(world.district)
            for rule in rules:
                self._history(rule)
                self._open(rule)
            if index == 0:
                self._steps(world, rules)

    # -- what the scans left behind ---------------------------------------------------------

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
            warning = services.raise_warning(
                project, rule, today=self.today, raised_on=due + ONE_DAY, notify_people=False
            )
            services.clear_warning(
                warning, today=self.today, on=reached, note=services._fact_text(rule, project)
            )

    def _open(self, rule: ExitRule) -> None:
        for project in services._candidates(rule, self.today):
            due = services.add_months(getattr(project, ANCHOR_FIELDS[rule.anchor]), rule.months)
            raised_on = due + ONE_DAY
            services.raise_warning(
                project,
                rule,
                today=self.today,
                raised_on=raised_on,
                notify_people=(self.today - raised_on).days <= NOTIFY_DAYS,
            )

    # -- the steps the supervision office took ---------------------------------------------------

    def _document(self, title: str, warning: ExitWarning) -> SimpleUploadedFile:
        lines = [title, f"Project {warning.project.code}", f"Warning {warning.pk}"]
        return SimpleUploadedFile(f"{title}-{warning.project.code}.pdf", tiny_pdf(lines))

    def _keep(self, warning: ExitWarning) -> None:
        for name in ExitStep.objects.filter(warning=warning).values_list("document", flat=True):
            if name not in self.builder.written_files:
                self.builder.written_files.append(name)

    def _steps(self, world, rules) -> None:
        officer = world.role_users[Role.SUPERVISOR]
        by_code = {r.code: r for r in rules}
        open_ = list(
            ExitWarning.objects.filter(district=world.district, status=WarningStatus.WARNING)
            .select_related("project", "rule")
            .order_by("raised_on", "project__code")
        )
        not_started = [w for w in open_ if w.rule_id == by_code[RuleCode.NOT_STARTED].pk]
        if not_started:
            excluded = not_started[-1]
            self._exclude(world, officer, excluded)
            open_.remove(excluded)
        # The oldest open warnings went furthest; a step that would fall after today is
        # left for later (the warning stays at the step before).
        plan = ["recovered", "clearance", "notice_passed", "notice"]
        for warning, target in zip(open_, plan, strict=False):
            self._advance(officer, warning, target)

    def _advance(self, officer, warning: ExitWarning, target: str) -> None:
        last = self.today - ONE_DAY
        notice_on = self.cal.on_or_after(warning.raised_on + datetime.timedelta(days=3))
        if target == "notice":
            notice_on = max(notice_on, self.cal.before(self.today, 5))
        deadline = notice_on + datetime.timedelta(days=NOTICE_DAYS)
        clearance_on = self.cal.on_or_after(deadline + datetime.timedelta(days=3))
        recovery_on = self.cal.after(clearance_on, 8)
        if notice_on > last:
            return
        if target == "notice_passed":
            deadline = min(deadline, last)
            if deadline <= notice_on:
                return
        services.issue_notice(
            officer,
            warning,
            deadline=deadline,
            document=self._document("Rectification notice", warning),
            note="请企业在限期内开工建设，逾期将按投资合同约定处理。",
            on=notice_on,
        )
        if target in ("recovered", "clearance") and clearance_on <= last:
            services.decide_clearance(
                officer,
                warning,
                document=self._document("Clearance decision", warning),
                note="整改期满仍未开工，依据投资合同约定予以清退。",
                on=clearance_on,
            )
            if target == "recovered" and recovery_on <= last:
                services.recover_land(
                    officer,
                    warning,
                    document=self._document("Land recovery", warning),
                    note="已与企业签订土地收回协议，土地由园区收储。",
                    on=recovery_on,
                )
        self._keep(warning)

    def _exclude(self, world, officer, warning: ExitWarning) -> None:
        """An approval case of the project ran late through most of the window; the
        supervision office confirmed it, and the moved due date is still ahead."""
        project = warning.project
        used = ApprovalCase.objects.filter(project=project).values("item_id")
        finished = dict(
            ApprovalCase.objects.filter(project=project, status=CaseStatus.DONE).values_list(
                "item_id", "done_on"
            )
        )
        registered = self.cal.on_or_after(warning.anchor_on + ONE_DAY)
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
        due = self.cal.after(registered, item.time_limit or 3)
        done = min(warning.due_on, self.today - ONE_DAY)
        agent = world.role_users[Role.SERVICE_CENTER]
        from zhaoshang.org.models import User

        handler = (
            User.objects.filter(department=item.department, is_active=True).order_by("pk").first()
        )
        case = ApprovalCase.objects.create(
            district=world.district,
            project=project,
            item=item,
            department=item.department,
            agent=agent,
            handler=handler,
            registered_on=registered,
            registered_by=agent,
            materials_complete_on=registered,
            accepted_on=registered,
            time_limit=item.time_limit,
            time_limit_unit=item.time_limit_unit,
            due_on=due,
            done_on=done,
            status=CaseStatus.DONE,
        )
        when = datetime.datetime.combine(registered, datetime.time(10, 0), tzinfo=SHANGHAI)
        log_event(agent, "case.registered", case, item.name, occurred_at=when)
        log_event(handler or agent, "case.accepted", case, occurred_at=when)
        finish = datetime.datetime.combine(done, datetime.time(16, 0), tzinfo=SHANGHAI)
        log_event(handler or agent, "case.done", case, occurred_at=finish)
        record_overdue(case, self.cal.after(due, 1))
        needed = self.cal.between(warning.due_on, self.today) + 1
        days, _causes = services.government_delay(warning, self.today)
        if days < needed:
            return
        services.confirm_delay(
            officer,
            warning,
            reason=f"{item.department.name}办理“{item.name}”超期，项目无法按期开工，非企业自身原因。",
        )


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
