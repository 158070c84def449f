"""Meetings and supervised action items of the demo city (SPEC §10, 联席会议制与督办).

Over the last year the district held meetings of all five kinds — leading group, joint,
coordination, on-site office and special-topic meetings — with projects, problems of the
problem list and approval cases on their agendas, minutes, and decisions whose action items
(督办事项) the owner departments carried: most are closed by the supervision office, some
wait for its confirmation, some were sent back (退回重办), some run now and several are
overdue, escalated and in the assessment ledger. The joint decision of the approvals demo
(互为前置, 同时审批) is the decision of a joint meeting; a joint meeting is on today's
calendar with the problems escalated to it on its agenda.

Replayed through ``meetings.services`` on a ``replay.Timeline`` with the clock set to each
step's moment — scheduled, held, decided, minuted; each item reported on, completed, sent
back or closed — and the nightly scans (``scan_overdue``) that found items overdue, each the
night it ran. The meetings and texts are in ``data/meetings.json``.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from zhaoshang.approvals.models import ApprovalCase, JointDecision
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.complaints import acting_for, chain, workday_before
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, MeetingKind, ProgressKind
from zhaoshang.meetings.models import ActionItem, Decision, Meeting
from zhaoshang.projects.choices import EXIT_STAGES
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

SEED = 2026_10
DATA = json.loads((Path(__file__).parent / "data" / "meetings.json").read_text("utf-8"))
ONE_DAY = datetime.timedelta(days=1)
# Meetings whose minutes are older than this are issued; younger ones are held, not yet.
MINUTES_AFTER_DAYS = 14
OVERDUE = "overdue"  # an open item past its due date
ATTENDING = ["bureau", "center", "works", "land", "planning", "power", "eco", "perf"]


@dataclass
class ItemPlan:
    """An action item of a decision, with its record to be: (kind, day, text, by)."""

    meeting: dict
    title: str
    department: object
    person: object
    project: object
    due_on: datetime.date
    due_workdays: int | None
    notes: list = field(default_factory=list)


class MeetingsBuilder:
    """Adds the meetings, their decisions and the action items to the worlds a DemoBuilder
    built (after the approvals and the project service)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.yesterday = self.cal.before(self.today, 1)
        self.line = Timeline(self.today)
        self.nights: set[datetime.date] = set()

    def build(self) -> None:
        for world, schedule in zip(self.builder.worlds, DATA["meetings"].values(), strict=False):
            self._district(world, schedule)
        self._today(self.builder.worlds[0])
        for night in sorted(self.nights):
            self.line.add(moment(night, 1, 30), services.scan_overdue)
        self.line.run()

    # -- helpers --------------------------------------------------------------------------

    def _projects_at(self, world, day: datetime.date) -> list:
        """Projects signed at least a month before ``day`` and not gone by then."""
        out = []
        for plan in world.plans:
            project = plan.project
            if project.signed_on is None or project.signed_on > day - datetime.timedelta(days=30):
                continue
            if plan.stage in EXIT_STAGES:
                gone = project.exited_on or project.terminated_on
                if gone is None or gone <= day:
                    continue
            out.append(project)
        return sorted(out, key=lambda p: p.code)

    # -- meetings -------------------------------------------------------------------------

    def _district(self, world, schedule) -> None:
        rng = self.rng
        organiser = world.role_users.get(Role.BUREAU) or world.heads["bureau"]
        meetings = []
        per_year: dict[tuple[str, int], int] = {}
        for row in schedule:
            held_on = workday_before(
                self.cal, self.today - datetime.timedelta(days=row["days_ago"])
            )
            projects = self._projects_at(world, held_on)
            if not projects:
                continue
            focus = rng.choice(projects)
            kind = row["kind"]
            per_year[(kind, held_on.year)] = per_year.get((kind, held_on.year), 0) + 1
            n = per_year[(kind, held_on.year)]
            on_agenda = [focus] + rng.sample(
                [p for p in projects if p != focus], min(len(projects) - 1, rng.randint(1, 3))
            )
            meetings.append(
                {
                    "kind": kind,
                    "title": row["title"].format(
                        year=held_on.year, n=n, month=held_on.month, project=focus.name
                    ),
                    "held_on": held_on,
                    "place": row["place"].format(project=focus.name),
                    "chair": world.leaders.get(row["chair"]) or world.role_users[Role.LEADER],
                    "projects": [focus] if kind == MeetingKind.ON_SITE else on_agenda,
                }
            )
        joint = self._joint_meeting(world)
        if joint is not None:
            meetings.append(joint)
        meetings.sort(key=lambda m: (m["held_on"], m["title"]))
        plans = []
        short = world.district.name.rstrip("区")[:2]
        minutes_numbers: dict[int, int] = {}
        for info in meetings:
            held_on = info["held_on"]
            if (self.today - held_on).days >= MINUTES_AFTER_DAYS:
                minutes_numbers[held_on.year] = minutes_numbers.get(held_on.year, 0) + 1
                info.setdefault(
                    "minutes_number",
                    f"{short}府纪〔{held_on.year}〕{minutes_numbers[held_on.year]}号",
                )
                info["minutes_on"] = min(self.cal.after(held_on, rng.randint(2, 5)), self.yesterday)
            plans += self._plan_meeting(world, info, organiser)
        self._assign_fates(world, plans)

    def _joint_meeting(self, world) -> dict | None:
        """The approvals demo's joint decision (互为前置) was the decision of a joint meeting."""
        decision = (
            JointDecision.objects.filter(district=world.district, meeting_decision__isnull=True)
            .select_related("project")
            .order_by("decided_on", "pk")
            .first()
        )
        if decision is None:
            return None
        return {
            "kind": MeetingKind.JOINT,
            "title": f"{decision.project.name}审批事项联席会议",
            "held_on": decision.decided_on,
            "starts_at": datetime.time(15, 0),
            "place": "区政务服务中心三楼会议室",
            "chair": world.leaders.get("construction") or world.role_users[Role.LEADER],
            "minutes_number": decision.document_number,
            "projects": [decision.project],
            "joint": decision,
        }

    def _point(self, project, held_on, joint) -> dict:
        """A project's point on the agenda: with its approval case or a problem of it."""
        case = need = None
        if joint is not None:
            case = joint.cases.order_by("item__sort_order").first()
        elif self.rng.random() < 0.35:
            case = (
                ApprovalCase.objects.filter(project=project, registered_on__lt=held_on)
                .filter(Q(done_on__isnull=True) | Q(done_on__gt=held_on))
                .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=held_on))
                .order_by("item__sort_order")
                .first()
            )
        if case is None and joint is None and self.rng.random() < 0.5:
            need = (
                Need.objects.filter(project=project, raised_on__lt=held_on)
                .exclude(status__in=(NeedStatus.PENDING, NeedStatus.ESCALATED))
                .exclude(agenda_items__isnull=False)
                .order_by("raised_on", "pk")
                .first()
            )
        note = need.description[:200] if need is not None else ""
        return {"project": project, "case": case, "need": need, "note": note}

    def _plan_meeting(self, world, info, organiser) -> list[ItemPlan]:
        """Scheduled a few working days before, held, its decisions recorded that evening,
        its minutes issued a few days later."""
        rng, held_on, joint = self.rng, info["held_on"], info.get("joint")
        points = [self._point(p, held_on, joint) for p in info["projects"]]
        topic = DATA["special_topics"].get(info["kind"])
        if topic:
            points.append({"topic": topic})
        chosen = ["bureau", "perf"] + rng.sample(ATTENDING[2:7], rng.randint(2, 4))
        people = [world.heads[k] for k in chosen if k in world.heads]
        people += [u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u]
        details = {
            "district": world.district,
            "kind": info["kind"],
            "title": info["title"],
            "held_on": held_on,
            "chair": info["chair"],
            "starts_at": info.get("starts_at")
            or datetime.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30])),
            "place": info["place"],
            "departments": [world.departments[k] for k in chosen if k in world.departments],
            "attendees": list({u.pk: u for u in people}.values()),
            "minutes_number": info.get("minutes_number", "") if joint is not None else "",
            "needs": [],
        }
        scheduled = max(self.cal.before(held_on, rng.randint(2, 6)), held_on - 10 * ONE_DAY)
        decisions = self._decisions(world, info, points)
        plans = [p for _text, _point, rows in decisions for p in rows]

        def schedule():
            meeting = services.schedule_meeting(organiser, **details)
            info["meeting"] = meeting
            info["agenda"] = [services.add_agenda_item(organiser, meeting, **p) for p in points]

        def hold():
            meeting = services.mark_held(organiser, info["meeting"])
            if joint is not None:
                self._joint_decision(meeting, info["agenda"][0], joint)
            for text, point, rows in decisions:
                self._decide(world, organiser, info, text, point, rows)

        end = datetime.datetime.combine(held_on, details["starts_at"]) + datetime.timedelta(hours=2)
        self.line.add(office_time(rng, scheduled, late=0), schedule)
        self.line.add(moment(held_on, end.hour, end.minute), hold)
        if "minutes_on" in info:
            minutes = self._minutes(info, points, decisions)
            self.line.add(office_time(rng, info["minutes_on"], late=0), minutes)
        return plans

    def _decisions(self, world, info, points) -> list[tuple]:
        """(text, agenda index, item plans) of each decision: on most points, and one on
        the work as a whole at a leading group meeting."""
        rng, held_on = self.rng, info["held_on"]
        if info.get("joint") is not None:
            return []
        out = []
        for n, point in enumerate(points):
            if "topic" in point:
                rows = self._leading_group_rows(world, held_on)
            elif n == 0 and (self.today - held_on).days <= 30:
                # Recent meetings gave the demo department account's department work.
                rows = self._project_rows(world, point, busy=True)
            elif n and rng.random() < 0.15:
                continue  # heard only, no decision
            else:
                rows = self._project_rows(world, point)
            if rows:
                out.append((self._text(rows, "、由{d}牵头，"), n, self._items(info, rows)))
        if info["kind"] == MeetingKind.LEADING_GROUP:
            rows = self._leading_group_rows(world, held_on)
            if rows:
                out.append((self._text(rows, "、由{d}"), None, self._items(info, rows)))
        return out

    @staticmethod
    def _text(rows, joint: str) -> str:
        parts = [
            f"{'一二三四五'[i]}{joint.format(d=d.name)}{t}" for i, (d, t, *_r) in enumerate(rows)
        ]
        return "；".join(parts) + "。"

    def _items(self, info, rows) -> list[ItemPlan]:
        rng, start = self.rng, info["held_on"]
        plans = []
        for department, title, person, project in rows:
            if rng.random() < 0.6:
                days = rng.choice([5, 10, 10, 15, 20])
                due, workdays = self.cal.after(start, days), days
            else:
                due = workday_before(
                    self.cal, start + datetime.timedelta(days=rng.choice([20, 30, 45]))
                )
                workdays = None
            plans.append(ItemPlan(info, title[:200], department, person, project, due, workdays))
        return plans

    def _project_rows(self, world, point, busy: bool = False) -> list[tuple]:
        """One or two action items on a project's point: its problem's or case's department,
        a topic's department; the demo department account's department often (with
        ``busy``, always)."""
        rng, project = self.rng, point["project"]
        rows = []
        account = world.role_users.get(Role.DEPARTMENT)
        topics = DATA["topics"]
        if busy and account is not None:
            key = next(k for k, d in world.departments.items() if d.pk == account.department_id)
            templates = [t for k, t in topics if k == key] or [t for _k, t in topics]
            rows.append((account.department, rng.choice(templates).format(project=project.name)))
        if point["need"] is not None:
            rows.append((point["need"].department, f"协调解决{point['need'].title}"))
        elif point["case"] is not None:
            case = point["case"]
            rows.append((case.department, f"加快办理{project.name}{case.item.name}"))
        keys = [k for k, _t in topics if k in world.departments]
        weights = [2 if k == "works" else 1 for k in keys]
        for _n in range(1 if rows else rng.choice([1, 1, 2])):
            key = keys[rng.choices(range(len(keys)), weights=weights)[0]]
            template = rng.choice([t for k, t in topics if k == key])
            rows.append((world.departments[key], template.format(project=project.name)))
        return [(d, title, self._person_of(world, d), project) for d, title in rows]

    def _leading_group_rows(self, world, held_on) -> list[tuple]:
        rows = []
        for key, template in self.rng.sample(DATA["leading_group_decisions"], 2):
            department = world.departments.get(key)
            if department is not None:
                title = template.format(month=held_on.month)
                rows.append((department, title, self._person_of(world, department), None))
        return rows

    def _person_of(self, world, department):
        """Half of the items name a person in charge: the department's handler."""
        if self.rng.random() < 0.5:
            return None
        person = getattr(world, "handlers", {}).get(department.pk)
        return person if person is not None and person.department_id == department.pk else None

    def _joint_decision(self, meeting, agenda_item, joint) -> None:
        """The joint decision was recorded by the approvals' own service (the approvals
        demo): the meeting's decision points to it (no service links an existing one)."""
        decision = Decision.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            number=1,
            text=joint.note,
            joint_decision=joint,
            recorded_by=joint.recorded_by,
        )
        log_event(
            joint.recorded_by,
            "decision.recorded",
            meeting,
            summary=decision.text,
            decision=decision.pk,
            joint_decision=joint.pk,
        )

    def _decide(self, world, organiser, info, text, point, plans) -> None:
        rows = [
            {
                "title": p.title,
                "owner_department": p.department,
                "owner_person": p.person,
                **({"due_workdays": p.due_workdays} if p.due_workdays else {"due_on": p.due_on}),
                "project": p.project,
            }
            for p in plans
        ]
        agenda_item = info["agenda"][point] if point is not None else None
        decision = services.record_decision(
            organiser, info["meeting"], text=text, action_items=rows, agenda_item=agenda_item
        )
        items = list(decision.action_items.order_by("pk"))
        supervisor = world.role_users.get(Role.SUPERVISOR)
        for p, item in zip(plans, items, strict=True):
            holder = {"item": item}
            steps = [
                (day, self._note(holder, kind, text, by or supervisor, day))
                for kind, day, text, by in p.notes
            ]
            chain(self.line, self.rng, steps)

    def _note(self, holder, kind, text, by, day):
        def run():
            item = holder["item"]
            if kind == ProgressKind.NOTE:
                services.report_progress(by, item, text, on=day)
            elif kind == ProgressKind.COMPLETION:
                lines = [item.number, item.title[:40], text]
                evidence = SimpleUploadedFile(f"{item.number}办结报告.pdf", tiny_pdf(lines))
                services.complete_action_item(by, item, text, evidence, on=day)
            elif kind == ProgressKind.RETURN:
                services.return_action_item(by, item, text)
            else:
                services.close_action_item(by, item, text, on=day)
            # (each service re-reads the item it is given under its lock: no reload here)

        return run

    def _minutes(self, info, points, decisions):
        heard = "、".join(p["project"].name if "project" in p else p["topic"] for p in points)
        with_file = self.rng.random() < 0.6

        def issue():
            meeting = info["meeting"]
            decided = "\n".join(
                f"{d.number}. {d.text}" for d in meeting.decisions.order_by("number")
            )
            text = (
                f"{meeting.held_on:%Y年%m月%d日}，{meeting.chair.display_name}主持召开"
                f"{meeting.get_kind_display()}，听取了{heard}推进情况汇报，研究了项目推进中的困难和"
                f"问题。\n会议议定：\n{decided}\n请各牵头部门按时限办结，区目标绩效督查室跟踪督办。"
            )
            number = info["minutes_number"]
            upload = None
            if with_file:
                upload = SimpleUploadedFile(
                    f"{number}.pdf", tiny_pdf([meeting.title, number, heard[:60]])
                )
            services.issue_minutes(
                meeting.created_by, meeting, minutes=text, minutes_number=number,
                issued_on=clock.today(), minutes_file=upload,
            )  # fmt: skip

        return issue

    # -- what became of the action items ------------------------------------------------------

    def _fate(self, plan: ItemPlan) -> str:
        """What became of an item, by the time left and a die."""
        r = self.rng.random()
        overdue_days = (self.today - plan.due_on).days
        if overdue_days > 45:
            return ActionStatus.CLOSED if r < 0.97 else OVERDUE
        if overdue_days > 0:
            return (
                ActionStatus.CLOSED
                if r < 0.75
                else ActionStatus.AWAITING_CONFIRMATION
                if r < 0.85
                else OVERDUE
            )
        for limit, fate in (
            (0.2, ActionStatus.NOT_STARTED),
            (0.6, ActionStatus.IN_PROGRESS),
            (0.75, ActionStatus.AWAITING_CONFIRMATION),
            (0.87, ActionStatus.RETURNED),
        ):
            if r < limit:
                return fate
        return ActionStatus.CLOSED

    def _assign_fates(self, world, plans: list[ItemPlan]) -> None:
        """Every status appears, several items are overdue, and the demo department
        account's worklist shows an item of every light and state."""
        rng, cal, today = self.rng, self.cal, self.today
        fates = {id(p): self._fate(p) for p in plans}
        claimed: set[int] = set()

        def ensure(pool, fate, count):
            """At least ``count`` items of the pool with this fate, taking none that an
            earlier call has already given its fate."""
            have = [p for p in pool if fates[id(p)] == fate]
            claimed.update(id(p) for p in have[:count])
            for p in pool:
                if len(have) >= count:
                    break
                if p not in have and id(p) not in claimed:
                    fates[id(p)] = fate
                    claimed.add(id(p))
                    have.append(p)

        busy = world.role_users.get(Role.DEPARTMENT)
        mine = [p for p in plans if busy is not None and p.department.pk == busy.department_id]
        # The department's items of the last month: one due tomorrow (a yellow light), one
        # with time left (green), one overdue (red) when none of its older ones is.
        recent = sorted(
            (p for p in mine if (today - p.meeting["held_on"]).days <= 30),
            key=lambda p: (p.meeting["held_on"], p.title),
            reverse=True,
        )
        for p, days in zip(recent, (1, rng.randint(6, 12)), strict=False):
            p.due_on, p.due_workdays = cal.after(today, days), None
            fates[id(p)] = ActionStatus.IN_PROGRESS
            claimed.add(id(p))
        late = sorted(
            (p for p in plans if today - datetime.timedelta(days=40) <= p.due_on < today),
            key=lambda p: (p.due_on, p.title),
        )
        if not any(p in mine for p in late):
            older = [p for p in recent[2:] if p.meeting["held_on"] < cal.before(today, 2)]
            if older:
                older[0].due_on, older[0].due_workdays = cal.before(today, 1), None
                late.append(older[0])
        ensure([p for p in late if p in mine], OVERDUE, 2)
        ensure(late, OVERDUE, 4)
        running = sorted(
            (p for p in plans if p.due_on >= today), key=lambda p: (p.meeting["held_on"], p.title)
        )
        own_running = [p for p in running if p in mine] + [
            p for p in recent if p.due_on < today and id(p) not in claimed
        ]
        for pool, fate, count in (
            (own_running, ActionStatus.RETURNED, 1),
            (own_running, ActionStatus.AWAITING_CONFIRMATION, 1),
            (running, ActionStatus.NOT_STARTED, 2),
            (running, ActionStatus.RETURNED, 2),
            (running, ActionStatus.AWAITING_CONFIRMATION, 2),
            (running, ActionStatus.IN_PROGRESS, 3),
        ):
            ensure(pool, fate, count)
        supervisor = world.role_users.get(Role.SUPERVISOR)
        for p in plans:
            self._live(world, p, fates[id(p)], supervisor)

    def _live(self, world, p: ItemPlan, fate: str, supervisor) -> None:
        """The item's record for its fate: notes, completion with evidence, return, closure;
        the night after its due date, the daily scan finds an open one overdue."""
        rng, cal, today, last = self.rng, self.cal, self.today, self.yesterday
        start = p.meeting["held_on"]
        by = p.person or acting_for(world, p.department)
        first_note = None
        reported = fate not in (ActionStatus.NOT_STARTED, OVERDUE) or (
            fate == OVERDUE and rng.random() < 0.67
        )
        if reported and start < today:
            first_note = min(cal.after(start, rng.randint(1, 4)), last)
            note = rng.choice(DATA["progress_notes"])
            p.notes.append((ProgressKind.NOTE, first_note, note, by))
        night = min(cal.after(p.due_on, 1), today)
        if fate in (OVERDUE, ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS):
            if p.due_on < today:  # the daily scan finds it overdue that night
                self.nights.add(night)
            return
        # Completed: on time mostly, a little late sometimes (an entry in the ledger).
        earliest = first_note or start
        if fate == ActionStatus.AWAITING_CONFIRMATION:
            done = max(earliest, cal.before(today, rng.randint(1, 3)))
        elif p.due_on < today and rng.random() < 0.08:
            done = min(cal.after(p.due_on, rng.randint(1, 6)), last)
        else:
            done = max(earliest, cal.before(min(p.due_on, today), rng.randint(0, 4)))
        done = min(max(done, start), last)
        p.notes.append((ProgressKind.COMPLETION, done, rng.choice(DATA["completions"]), by))
        if done > p.due_on:
            self.nights.add(night)  # still open the night after its due date
        if fate == ActionStatus.AWAITING_CONFIRMATION:
            return
        after = min(
            cal.after(done, rng.randint(1, 2 if fate == ActionStatus.RETURNED else 3)), last
        )
        if fate == ActionStatus.RETURNED:
            p.notes.append(
                (ProgressKind.RETURN, after, rng.choice(DATA["return_reasons"]), supervisor)
            )
            if p.due_on < today:  # open again past its due date: the next night's scan
                self.nights.add(min(cal.after(max(after, p.due_on), 1), today))
        else:
            p.notes.append(
                (ProgressKind.CLOSURE, after, rng.choice(DATA["closure_notes"]), supervisor)
            )

    # -- today's meeting ---------------------------------------------------------------------

    def _today(self, world) -> None:
        """Today's joint meeting, scheduled two working days ago: the problems escalated to
        a meeting are on its agenda."""
        organiser = world.role_users.get(Role.BUREAU)
        if organiser is None:
            return
        spec = DATA["today"]
        projects = [p for p in self._projects_at(world, self.today) if p.is_green_channel][:1]
        keys = ("bureau", "works", "land", "perf")
        self.line.add(
            office_time(self.rng, self.cal.before(self.today, 2), late=0),
            lambda: services.schedule_meeting(
                organiser,
                district=world.district,
                kind=spec["kind"],
                title=spec["title"].format(month=self.today.month),
                held_on=self.today,
                starts_at=datetime.time(14, 30),
                place=spec["place"],
                chair=world.leaders.get(spec["chair"]) or world.role_users[Role.LEADER],
                departments=[world.departments[k] for k in keys if k in world.departments],
                attendees=[u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u],
                projects=projects,
            ),
        )


def meeting_counts(district_ids) -> dict[str, int]:
    """Meeting and supervision records of the demo districts (for the summary and tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "meetings": Meeting.objects.filter(in_districts).count(),
        "decisions": Decision.objects.filter(meeting__district_id__in=district_ids).count(),
        "action items": ActionItem.objects.filter(in_districts).count(),
    }
