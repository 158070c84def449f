"""Meetings and supervised action items of the demo city (SPEC §10, 联席会议制与督办): a
year of meetings of all five kinds (projects, problems and approval cases on the agendas,
minutes, decisions) whose action items (督办事项) the departments carried — noted, completed,
closed or sent back; a few overdue, escalated and in the ledger; the department account's
worklist of every light. The approvals' joint decision is a joint meeting's; today's joint
meeting takes up the escalated problems. Replayed through ``meetings.services`` with the
nightly scans; the meetings and texts in ``data/meetings.json``."""

from __future__ import annotations

import datetime
from collections import Counter
from functools import partial
from types import SimpleNamespace

from django.db.models import Q

from zhaoshang.approvals.models import ApprovalCase, JointDecision
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, acting_for, counter, pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, MeetingKind, ProgressKind
from zhaoshang.meetings.models import ActionItem, Decision, Meeting
from zhaoshang.projects.choices import EXIT_STAGES
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

DATA = load("meetings")
MINUTES_AFTER_DAYS = 14  # minutes of an older meeting are issued; a younger one is held
OVERDUE = "overdue"  # an open item past its due date
YEAR_END_LATE_BY = 4  # the item due on 31 December is done this many working days after
AWAITING, RETURNED = ActionStatus.AWAITING_CONFIRMATION, ActionStatus.RETURNED
IN_PROGRESS = ActionStatus.IN_PROGRESS
NOTES = {ProgressKind.NOTE: "report_progress", ProgressKind.RETURN: "return_action_item"}
NOTES |= {
    ProgressKind.CLOSURE: "close_action_item",
    ProgressKind.COMPLETION: "complete_action_item",
}


class ItemPlan(SimpleNamespace):
    """An action item of a decision (``meeting``, ``title``, ``owner_department``,
    ``owner_person``, ``project``, ``due_on``, ``due_workdays``), its ``fate`` (``claimed``:
    the one the story needs), ``late_by`` (working days after its due date it is done, for
    the year-end story) and its record to be, ``notes``: (kind, day, text, by)."""

    late_by = 0

    def row(self) -> dict:
        """The action item as ``record_decision`` takes it."""
        due = {"due_workdays": self.due_workdays} if self.due_workdays else {"due_on": self.due_on}
        keys = ("title", "owner_department", "owner_person", "project")
        return {k: getattr(self, k) for k in keys} | due


class MeetingsBuilder(Part):
    """Adds the meetings, decisions and action items (after the approvals and the service)."""

    SEED = 2026_10

    def build(self) -> None:
        self.nights: set[datetime.date] = set()
        for world, schedule in zip(self.worlds, DATA["meetings"].values(), strict=False):
            self._district(world, schedule)
        self._today(self.worlds[0])
        for night in sorted(self.nights):
            self.line.add(moment(night, 1, 30), services.scan_overdue)
        self.line.run()

    @staticmethod
    def _projects_at(world, day: datetime.date) -> list:
        """Projects signed at least a month before ``day`` and not gone by then."""
        there = [p.project for p in world.plans if (p.project.signed_on or day) <= day - 30 * DAY]
        gone = {p.project.pk for p in world.plans if p.stage in EXIT_STAGES}
        gone &= {p.pk for p in there if (p.exited_on or p.terminated_on or day) <= day}
        return sorted((p for p in there if p.pk not in gone), key=lambda p: p.code)

    @staticmethod
    def _meeting(world, spec, held_on, keys=(), **words) -> dict:
        """A meeting of the data on ``held_on``: its words filled in, its leader in the chair,
        the departments of ``keys`` the district has."""
        chair = world.leaders.get(spec["chair"]) or world.role_users[Role.LEADER]
        departments = [world.departments[k] for k in keys if k in world.departments]
        info = {**spec, "held_on": held_on, "chair": chair, "departments": departments}
        return info | {k: spec[k].format(**words) for k in ("title", "place")}

    def _district(self, world, schedule) -> None:
        organiser = world.role_users.get(Role.BUREAU) or world.heads["bureau"]
        per_year = Counter()
        meetings = [m for row in schedule if (m := self._info(world, row, per_year))]
        meetings += [m for m in [self._joint_meeting(world)] if m]
        plans, numbers, short = [], Counter(), world.district.name.rstrip("区")[:2]
        for info in sorted(meetings, key=lambda m: (m["held_on"], m["title"])):
            held_on = info["held_on"]
            if (self.today - held_on).days >= MINUTES_AFTER_DAYS:
                numbers[held_on.year] += 1
                words = {"short": short, "year": held_on.year, "n": numbers[held_on.year]}
                info.setdefault("minutes_number", DATA["minutes_number"].format(**words))
                info["minutes_on"] = min(self.cal.after(held_on, self.rng.randint(2, 5)), self.last)
            plans += self._plan_meeting(world, info, organiser)
        self._assign_fates(world, plans)

    def _info(self, world, row, per_year: Counter) -> dict | None:
        """A meeting of the district's calendar: on a project in focus and a few others."""
        rng, kind = self.rng, row["kind"]
        held_on = self.workday_before(self.today - row["days_ago"] * DAY)
        projects = self._projects_at(world, held_on)
        if not projects:
            return None
        focus = rng.choice(projects)
        per_year[kind, held_on.year] += 1
        others = [p for p in projects if p != focus]
        on_agenda = [focus] + rng.sample(others, min(len(others), rng.randint(1, 3)))
        words = {"year": held_on.year, "n": per_year[kind, held_on.year], "month": held_on.month}
        info = self._meeting(world, row, held_on, project=focus.name, **words)
        return info | {"projects": [focus] if kind == MeetingKind.ON_SITE else on_agenda}

    def _joint_meeting(self, world) -> dict | None:
        """The approvals demo's joint decision (互为前置) was the decision of a joint meeting."""
        joints = JointDecision.objects.filter(district=world.district, meeting_decision=None)
        joint = joints.select_related("project").order_by("decided_on", "pk").first()
        if joint is None:
            return None
        info = self._meeting(world, DATA["joint"], joint.decided_on, project=joint.project.name)
        info.update(kind=MeetingKind.JOINT, starts_at=datetime.time(15, 0), joint=joint)
        return info | {"minutes_number": joint.document_number, "projects": [joint.project]}

    def _point(self, project, held_on, joint) -> dict:
        """A project's point on the agenda: with its approval case or a problem of it."""
        case = need = None
        if joint is not None:
            case = joint.cases.order_by("item__sort_order").first()
        elif self.rng.random() < 0.35:
            cases = ApprovalCase.objects.filter(project=project, registered_on__lt=held_on)
            running = Q(done_on__isnull=True) | Q(done_on__gt=held_on)  # that day
            kept = Q(returned_on__isnull=True) | Q(returned_on__gt=held_on)
            case = cases.filter(running, kept).order_by("item__sort_order").first()
        if case is None and joint is None and self.rng.random() < 0.5:
            needs = Need.objects.filter(project=project, raised_on__lt=held_on, agenda_items=None)
            needs = needs.exclude(status__in=(NeedStatus.PENDING, NeedStatus.ESCALATED))
            need = needs.order_by("raised_on", "pk").first()
        note = need.description[:200] if need is not None else ""
        return {"project": project, "case": case, "need": need, "note": note}

    def _plan_meeting(self, world, info, organiser) -> list[ItemPlan]:
        """Scheduled a few working days before, held, its decisions recorded that evening,
        its minutes issued a few days later."""
        rng, held_on, joint = self.rng, info["held_on"], info.get("joint")
        points = [self._point(p, held_on, joint) for p in info["projects"]]
        if topic := DATA["special_topics"].get(info["kind"]):
            points.append({"topic": topic})
        chosen = ["bureau", "perf"] + rng.sample(DATA["attending"][2:7], rng.randint(2, 4))
        people = [world.heads[k] for k in chosen if k in world.heads]
        people += [u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u]
        hour, minute = rng.choice([9, 10, 14, 15]), rng.choice([0, 30])
        starts_at = info.get("starts_at") or datetime.time(hour, minute)
        details = {k: info[k] for k in ("kind", "title", "held_on", "chair", "place")}
        details.update(
            district=world.district,
            starts_at=starts_at,
            needs=[],  # the problems escalated to a meeting go to today's
            departments=[world.departments[k] for k in chosen if k in world.departments],
            attendees=list({u.pk: u for u in people}.values()),
            minutes_number=info.get("minutes_number", "") if joint is not None else "",
        )
        scheduled = max(self.cal.before(held_on, rng.randint(2, 6)), held_on - 10 * DAY)
        decisions = self._decisions(world, info, points)

        def schedule():
            info["meeting"] = meeting = services.schedule_meeting(organiser, **details)
            info["agenda"] = [services.add_agenda_item(organiser, meeting, **p) for p in points]

        def hold():
            meeting = services.mark_held(organiser, info["meeting"])
            if joint is not None:  # the approvals demo's joint decision was this meeting's
                take = services.record_taken_joint_decision
                take(organiser, meeting, joint, agenda_item=info["agenda"][0])
            for text, point, rows in decisions:
                self._decide(world, organiser, info, text, point, rows)

        self.line.add(office_time(rng, scheduled, late=0), schedule)
        self.line.add(moment(held_on, (starts_at.hour + 2) % 24, starts_at.minute), hold)
        if "minutes_on" in info:
            self.line.add(office_time(rng, info["minutes_on"], late=0), self._minutes(info, points))
        return [p for _text, _point, rows in decisions for p in rows]

    def _minutes(self, info, points):
        heard = "、".join(p["project"].name if "project" in p else p["topic"] for p in points)
        with_file = self.rng.random() < 0.6

        def issue():
            meeting, number = info["meeting"], info["minutes_number"]
            decided = [f"{d.number}. {d.text}" for d in meeting.decisions.order_by("number")]
            words = {"chair": meeting.chair.display_name, "kind": meeting.get_kind_display()}
            words.update(date=meeting.held_on, heard=heard, decided="\n".join(decided))
            upload = pdf(f"{number}.pdf", meeting.title, number, heard[:60]) if with_file else None
            minutes = {"minutes": DATA["minutes"].format(**words), "minutes_file": upload}
            services.issue_minutes(meeting.created_by, meeting, minutes_number=number, **minutes)

        return issue

    def _today(self, world) -> None:
        """Today's joint meeting, scheduled two working days ago: the problems escalated to
        a meeting are on its agenda."""
        organiser = world.role_users.get(Role.BUREAU)
        if organiser is None:
            return
        spec, month = DATA["today"], self.today.month
        details = self._meeting(world, spec, self.today, spec["departments"], month=month)
        green = [p for p in self._projects_at(world, self.today) if p.is_green_channel]
        attendees = [u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u]
        details.update(district=world.district, attendees=attendees, projects=green[:1])
        details["starts_at"] = datetime.time(14, 30)
        when = office_time(self.rng, self.cal.before(self.today, 2), late=0)
        self.line.add(when, services.schedule_meeting, organiser, **details)

    def _decisions(self, world, info, points) -> list[tuple]:
        """(text, agenda index, item plans) of each decision: on most points, and one on
        the work as a whole at a leading group meeting."""
        held_on, out = info["held_on"], []

        def decide(n, rows, project=None, joiner=DATA["decision_joiners"][0]):
            if rows:
                items = self._items(world, info, rows, project)
                out.append((self._text(rows, joiner), n, items))

        if info.get("joint") is not None:
            return out
        for n, point in enumerate(points):
            if "topic" in point:
                decide(n, self._leading_group_rows(world, held_on))
            elif not n or self.rng.random() >= 0.15:  # (else heard only, no decision)
                # recent meetings gave the demo department account's department work
                busy = n == 0 and (self.today - held_on).days <= 30
                decide(n, self._project_rows(world, point, busy), point["project"])
        if info["kind"] == MeetingKind.LEADING_GROUP:
            rows = self._leading_group_rows(world, held_on)
            decide(None, rows, joiner=DATA["decision_joiners"][1])
        return out

    @staticmethod
    def _text(rows, joiner: str) -> str:
        numerals = DATA["numerals"]
        said = [f"{numerals[i]}{joiner.format(d=d.name)}{t}" for i, (d, t) in enumerate(rows)]
        return "；".join(said) + "。"

    def _items(self, world, info, rows, project) -> list[ItemPlan]:
        rng, start, plans = self.rng, info["held_on"], []
        for department, title in rows:
            # Half of the items name a person in charge: the department's handler.
            person = getattr(world, "handlers", {}).get(department.pk)
            if rng.random() < 0.5 or person is None or person.department_id != department.pk:
                person = None
            if rng.random() < 0.6:
                workdays = rng.choice([5, 10, 10, 15, 20])
                due = self.cal.after(start, workdays)
            else:
                workdays = None
                due = self.workday_before(start + rng.choice([20, 30, 45]) * DAY)
            item = {"title": title[:200], "owner_department": department, "owner_person": person}
            item |= {"project": project, "due_on": due, "due_workdays": workdays, "fate": ""}
            plans.append(ItemPlan(meeting=info, claimed=False, notes=[], **item))
        return plans

    def _project_rows(self, world, point, busy: bool) -> list[tuple]:
        """One or two action items on a project's point: its problem's or case's department,
        a topic's department; with ``busy``, the demo department account's department."""
        rng, project, topics, rows = self.rng, point["project"], DATA["topics"], []
        account = world.role_users.get(Role.DEPARTMENT)
        if busy and account is not None:
            key = next(k for k, d in world.departments.items() if d.pk == account.department_id)
            templates = [t for k, t in topics if k == key] or [t for _k, t in topics]
            rows.append((account.department, rng.choice(templates).format(project=project.name)))
        if (need := point["need"]) is not None:
            rows.append((need.department, DATA["need_item"].format(title=need.title)))
        elif (case := point["case"]) is not None:
            title = DATA["case_item"].format(project=project.name, item=case.item.name)
            rows.append((case.department, title))
        keys = [k for k, _t in topics if k in world.departments]
        weights = [2 if k == "works" else 1 for k in keys]
        for _n in range(1 if rows else rng.choice([1, 1, 2])):
            key = rng.choices(keys, weights=weights)[0]
            template = rng.choice([t for k, t in topics if k == key])
            rows.append((world.departments[key], template.format(project=project.name)))
        return rows

    def _leading_group_rows(self, world, held_on) -> list[tuple]:
        chosen = self.rng.sample(DATA["leading_group_decisions"], 2)
        departments, month = world.departments, held_on.month
        return [(departments[k], t.format(month=month)) for k, t in chosen if k in departments]

    def _decide(self, world, organiser, info, text, point, plans) -> None:
        agenda_item = info["agenda"][point] if point is not None else None
        rows = [p.row() for p in plans]
        decision = services.record_decision(
            organiser, info["meeting"], text=text, action_items=rows, agenda_item=agenda_item
        )
        supervisor = world.role_users.get(Role.SUPERVISOR)
        for p, item in zip(plans, decision.action_items.all(), strict=True):
            self.chain([(n[1], self._note(item, *n, supervisor)) for n in p.notes])

    @staticmethod
    def _note(item, kind, day, text, by, supervisor):
        """One step of an item's record (each service re-reads the item under its lock)."""
        act, by, more = getattr(services, NOTES[kind]), by or supervisor, {"on": day}
        if kind == ProgressKind.RETURN:
            more = {}
        elif kind == ProgressKind.COMPLETION:
            name = DATA["completion_file"].format(number=item.number)
            more["evidence"] = pdf(name, item.number, item.title[:40], text)
        return partial(act, by, item, text, **more)

    def _assign_fates(self, world, plans: list[ItemPlan]) -> None:
        """Every status appears; the district's few overdue items are on one or two projects;
        the demo department account's worklist has an item of every light and state."""
        rng, cal, today = self.rng, self.cal, self.today
        for p in plans:  # due: closed, or done and awaiting; running: by the data's shares
            r, old = rng.random(), p.due_on < today - 45 * DAY
            p.fate = ActionStatus.CLOSED if r < 0.88 or old else AWAITING
            if p.due_on >= today:
                p.fate = next(fate for limit, fate in DATA["running_fates"] if r < limit)
        account = world.role_users.get(Role.DEPARTMENT)
        mine = [p for p in plans if account and p.owner_department.pk == account.department_id]
        recent = [p for p in mine if (today - p.meeting["held_on"]).days <= 30]
        recent.sort(key=lambda p: (p.meeting["held_on"], p.title), reverse=True)
        # The department's items of the last month: one due tomorrow (yellow), one with time
        # left (green), one sent back to be redone, one done and awaiting confirmation.
        for n, p in enumerate(recent[:4]):
            if n < 2 or (n == 2 and p.due_on < today):
                later = cal.after(today, 1 if n == 0 else rng.randint(6, 12))
                p.due_on, p.due_workdays = later, None
            p.fate, p.claimed = (IN_PROGRESS, IN_PROGRESS, RETURNED, AWAITING)[n], True
        late = [p for p in plans if today - 40 * DAY <= p.due_on < today and not p.claimed]
        late.sort(key=lambda p: (p not in mine, p.due_on, p.title))
        count, projects = DATA["overdue"].get(world.spec.code, 0), set()
        older = [p for p in recent[4:] if p.meeting["held_on"] < cal.before(today, 2)]
        if count and older and not any(p in mine for p in late):
            older[0].due_on, older[0].due_workdays = cal.before(today, 1), None
            late.insert(0, older[0])
        self._year_end(plans)
        for p in late:
            key = {p.project.pk} if p.project else set()
            if count and len(projects | key) <= 2:
                count, projects = count - 1, projects | key
                p.fate, p.claimed = OVERDUE, True
        running = [p for p in plans if p.due_on >= today]
        running.sort(key=lambda p: (p.meeting["held_on"], p.title))
        for fate, count in DATA["running_minimum"]:
            have = sum(1 for p in running if p.fate == fate)
            others = [p for p in running if not p.claimed and p.fate != fate]
            for p in others[: max(0, count - have)]:
                p.fate, p.claimed = fate, True
        for p in plans:
            self._live(world, p)

    def _year_end(self, plans: list[ItemPlan]) -> None:
        """A breach that belongs to last year (issue 16, point 7): an item of a December
        meeting due on 31 December, done only in January. The nightly scan on the first
        working day of January writes its entry, dated that day, to last year's ledger."""
        year_end = datetime.date(self.today.year - 1, 12, 31)
        december = [
            p
            for p in plans
            if year_end - 30 * DAY <= p.meeting["held_on"] <= year_end - 5 * DAY
            and not p.claimed
            and p.fate == ActionStatus.CLOSED
        ]
        if not december:
            return
        p = min(december, key=lambda p: (p.meeting["held_on"], p.title))
        p.due_on, p.due_workdays, p.late_by, p.claimed = year_end, None, YEAR_END_LATE_BY, True

    def _live(self, world, p: ItemPlan) -> None:
        """The item's record for its fate: notes, completion with evidence, return, closure;
        the night after its due date, the daily scan finds an open one overdue."""
        rng, cal, today, last, fate = self.rng, self.cal, self.today, self.last, p.fate
        start, by = p.meeting["held_on"], p.owner_person or acting_for(world, p.owner_department)
        first_note = None
        if fate != ActionStatus.NOT_STARTED and (fate != OVERDUE or rng.random() < 0.67):
            first_note = min(cal.after(start, rng.randint(1, 4)), last)
            p.notes.append((ProgressKind.NOTE, first_note, rng.choice(DATA["progress_notes"]), by))
        if p.due_on < today:  # the daily scan looks the night after (an open one is overdue)
            self.nights.add(min(cal.after(p.due_on, 1), today))
        if fate in (OVERDUE, ActionStatus.NOT_STARTED, IN_PROGRESS):
            return
        earliest = first_note or start  # completed: on time mostly, a little late sometimes
        if fate == AWAITING:
            done = max(earliest, cal.before(today, rng.randint(1, 3)))
        elif p.due_on < today and rng.random() < 0.08:
            done = min(cal.after(p.due_on, rng.randint(1, 6)), last)
        else:
            done = max(earliest, cal.before(min(p.due_on, today), rng.randint(0, 4)))
        done = min(max(done, start), last)
        if p.late_by:  # (after the same draws: the rest of the demo stays as it was)
            done = min(cal.after(p.due_on, p.late_by), last)
        p.notes.append((ProgressKind.COMPLETION, done, rng.choice(DATA["completions"]), by))
        if fate == AWAITING:
            return
        after = min(cal.after(done, rng.randint(1, 2 if fate == RETURNED else 3)), last)
        kind = ProgressKind.RETURN if fate == RETURNED else ProgressKind.CLOSURE
        texts = DATA["return_reasons" if fate == RETURNED else "closure_notes"]
        p.notes.append((kind, after, rng.choice(texts), None))
        if fate == RETURNED and p.due_on < today:  # open again past its due date
            self.nights.add(min(cal.after(max(after, p.due_on), 1), today))


def meeting_counts(ids) -> dict[str, int]:
    """Meeting and supervision records of the demo districts (for the summary and tests)."""
    counts = counter(("meetings", Meeting))(ids)
    counts |= counter(("decisions", Decision), path="meeting__district_id")(ids)
    return counts | counter(("action items", ActionItem))(ids)
