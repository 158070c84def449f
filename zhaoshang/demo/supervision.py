"""The decisions of the demo city's meetings and what became of their action items (SPEC
§10, 督办): who does what by when, and each item's record — progress notes, completion with
its report, closure or return by the supervision office. Those due are closed or await
confirmation, a few were done a little late; running ones are in every status; a district's
two or three overdue items, on one or two projects, are its red lights; the demo department
account's worklist has an item of every light and state. A part of
``meetings.MeetingsBuilder``, replayed on its ``Timeline`` through ``meetings.services``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import acting_for, chain, workday_before
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.names import load
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import ActionStatus, MeetingKind, ProgressKind

DATA = load("meetings")
ONE_DAY = datetime.timedelta(days=1)
OVERDUE = "overdue"  # an open item past its due date
AWAITING, RETURNED = ActionStatus.AWAITING_CONFIRMATION, ActionStatus.RETURNED


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


class ActionItemStories:
    """The action items part of ``MeetingsBuilder`` (its rng, calendar, timeline and the
    nights the overdue scan ran)."""

    def _decisions(self, world, info, points) -> list[tuple]:
        """(text, agenda index, item plans) of each decision: on most points, and one on
        the work as a whole at a leading group meeting."""
        rng, held_on, out = self.rng, info["held_on"], []
        if info.get("joint") is not None:
            return out
        for n, point in enumerate(points):
            if "topic" in point:
                rows = self._leading_group_rows(world, held_on)
            elif n and rng.random() < 0.15:
                continue  # heard only, no decision
            else:  # recent meetings gave the demo department account's department work
                busy = n == 0 and (self.today - held_on).days <= 30
                rows = self._project_rows(world, point, busy)
            if rows:
                out.append(
                    (self._text(rows, DATA["decision_joiners"][0]), n, self._items(info, rows))
                )
        leading = info["kind"] == MeetingKind.LEADING_GROUP
        if leading and (rows := self._leading_group_rows(world, held_on)):
            out.append(
                (self._text(rows, DATA["decision_joiners"][1]), None, self._items(info, rows))
            )
        return out

    @staticmethod
    def _text(rows, joiner: str) -> str:
        numerals = DATA["numerals"]
        return (
            "；".join(
                f"{numerals[i]}{joiner.format(d=d.name)}{t}" for i, (d, t, *_r) in enumerate(rows)
            )
            + "。"
        )

    def _items(self, info, rows) -> list[ItemPlan]:
        rng, start, plans = self.rng, info["held_on"], []
        for department, title, person, project in rows:
            if rng.random() < 0.6:
                workdays = rng.choice([5, 10, 10, 15, 20])
                due = self.cal.after(start, workdays)
            else:
                workdays, later = None, datetime.timedelta(days=rng.choice([20, 30, 45]))
                due = workday_before(self.cal, start + later)
            plans.append(ItemPlan(info, title[:200], department, person, project, due, workdays))
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
        if point["need"] is not None:
            rows.append(
                (point["need"].department, DATA["need_item"].format(title=point["need"].title))
            )
        elif point["case"] is not None:
            case = point["case"]
            title = DATA["case_item"].format(project=project.name, item=case.item.name)
            rows.append((case.department, title))
        keys = [k for k, _t in topics if k in world.departments]
        for _n in range(1 if rows else rng.choice([1, 1, 2])):
            key = keys[
                rng.choices(range(len(keys)), weights=[2 if k == "works" else 1 for k in keys])[0]
            ]
            template = rng.choice([t for k, t in topics if k == key])
            rows.append((world.departments[key], template.format(project=project.name)))
        return [(d, title, self._person_of(world, d), project) for d, title in rows]

    def _leading_group_rows(self, world, held_on) -> list[tuple]:
        return [
            (
                world.departments[key],
                text.format(month=held_on.month),
                self._person_of(world, world.departments[key]),
                None,
            )
            for key, text in self.rng.sample(DATA["leading_group_decisions"], 2)
            if key in world.departments
        ]

    def _person_of(self, world, department):
        """Half of the items name a person in charge: the department's handler."""
        if self.rng.random() < 0.5:
            return None
        person = getattr(world, "handlers", {}).get(department.pk)
        return person if person is not None and person.department_id == department.pk else None

    def _decide(self, world, organiser, info, text, point, plans) -> None:
        rows = [
            {
                "title": p.title,
                "owner_department": p.department,
                "owner_person": p.person,
                "project": p.project,
                **({"due_workdays": p.due_workdays} if p.due_workdays else {"due_on": p.due_on}),
            }
            for p in plans
        ]
        agenda_item = info["agenda"][point] if point is not None else None
        decision = services.record_decision(
            organiser, info["meeting"], text=text, action_items=rows, agenda_item=agenda_item
        )
        supervisor = world.role_users.get(Role.SUPERVISOR)
        for p, item in zip(plans, decision.action_items.order_by("pk"), strict=True):
            chain(self.line, self.rng, [(n[1], self._note(item, *n, supervisor)) for n in p.notes])

    @staticmethod
    def _note(item, kind, day, text, by, supervisor):
        """One step of an item's record (each service re-reads the item under its lock)."""
        by = by or supervisor
        if kind == ProgressKind.NOTE:
            return lambda: services.report_progress(by, item, text, on=day)
        if kind == ProgressKind.RETURN:
            return lambda: services.return_action_item(by, item, text)
        if kind == ProgressKind.CLOSURE:
            return lambda: services.close_action_item(by, item, text, on=day)
        name = DATA["completion_file"].format(number=item.number)
        evidence = SimpleUploadedFile(name, tiny_pdf([item.number, item.title[:40], text]))
        return lambda: services.complete_action_item(by, item, text, evidence, on=day)

    def _fate(self, plan: ItemPlan) -> str:
        """An item due is closed, or done and awaiting confirmation; a running one in any
        status, by the shares of the data."""
        r = self.rng.random()
        if plan.due_on < self.today:
            return (
                ActionStatus.CLOSED
                if r < 0.88 or plan.due_on < self.today - 45 * ONE_DAY
                else AWAITING
            )
        return next(fate for limit, fate in DATA["running_fates"] if r < limit)

    def _assign_fates(self, world, plans: list[ItemPlan]) -> None:
        """Every status appears; the district's few overdue items are on one or two projects;
        the demo department account's worklist has an item of every light and state."""
        rng, cal, today = self.rng, self.cal, self.today
        fates, claimed = {id(p): self._fate(p) for p in plans}, set()

        def give(p, fate):
            fates[id(p)] = fate
            claimed.add(id(p))

        account = world.role_users.get(Role.DEPARTMENT)
        mine = [
            p for p in plans if account is not None and p.department.pk == account.department_id
        ]
        recent = sorted(
            (p for p in mine if (today - p.meeting["held_on"]).days <= 30),
            key=lambda p: (p.meeting["held_on"], p.title),
            reverse=True,
        )
        # The department's items of the last month: one due tomorrow (yellow), one with time
        # left (green), one sent back to be redone, one done and awaiting confirmation.
        for n, p in enumerate(recent[:4]):
            if n < 3 and (n < 2 or p.due_on < today):
                p.due_on, p.due_workdays = (
                    cal.after(today, 1 if n == 0 else rng.randint(6, 12)),
                    None,
                )
            give(p, (ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS, RETURNED, AWAITING)[n])
        late = sorted(
            (p for p in plans if today - 40 * ONE_DAY <= p.due_on < today and id(p) not in claimed),
            key=lambda p: (p not in mine, p.due_on, p.title),
        )
        count, projects = DATA["overdue"].get(world.spec.code, 0), set()
        older = [p for p in recent[4:] if p.meeting["held_on"] < cal.before(today, 2)]
        if count and older and not any(p in mine for p in late):
            older[0].due_on, older[0].due_workdays = cal.before(today, 1), None
            late.insert(0, older[0])
        for p in late:
            key = {p.project.pk} if p.project else set()
            if count and len(projects | key) <= 2:
                count, projects = count - 1, projects | key
                give(p, OVERDUE)
        running = sorted(
            (p for p in plans if p.due_on >= today), key=lambda p: (p.meeting["held_on"], p.title)
        )
        for fate, count in DATA["running_minimum"]:
            have = sum(1 for p in running if fates[id(p)] == fate)
            for p in [p for p in running if id(p) not in claimed and fates[id(p)] != fate][
                : max(0, count - have)
            ]:
                give(p, fate)
        for p in plans:
            self._live(world, p, fates[id(p)])

    def _live(self, world, p: ItemPlan, fate: str) -> None:
        """The item's record for its fate: notes, completion with evidence, return, closure;
        the night after its due date, the daily scan finds an open one overdue."""
        rng, cal, today, last = self.rng, self.cal, self.today, self.yesterday
        start, by = p.meeting["held_on"], p.person or acting_for(world, p.department)
        first_note = None
        if fate not in (ActionStatus.NOT_STARTED, OVERDUE) or (
            fate == OVERDUE and rng.random() < 0.67
        ):
            first_note = min(cal.after(start, rng.randint(1, 4)), last)
            p.notes.append((ProgressKind.NOTE, first_note, rng.choice(DATA["progress_notes"]), by))
        night = min(cal.after(p.due_on, 1), today)
        if fate in (OVERDUE, ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS):
            if p.due_on < today:  # the daily scan finds it overdue that night
                self.nights.add(night)
            return
        earliest = first_note or start  # completed: on time mostly, a little late sometimes
        if fate == AWAITING:
            done = max(earliest, cal.before(today, rng.randint(1, 3)))
        elif p.due_on < today and rng.random() < 0.08:
            done = min(cal.after(p.due_on, rng.randint(1, 6)), last)
        else:
            done = max(earliest, cal.before(min(p.due_on, today), rng.randint(0, 4)))
        done = min(max(done, start), last)
        p.notes.append((ProgressKind.COMPLETION, done, rng.choice(DATA["completions"]), by))
        if done > p.due_on:
            self.nights.add(night)  # still open the night after its due date
        if fate == AWAITING:
            return
        after = min(cal.after(done, rng.randint(1, 2 if fate == RETURNED else 3)), last)
        kind, texts = (
            (ProgressKind.RETURN, "return_reasons")
            if fate == RETURNED
            else (ProgressKind.CLOSURE, "closure_notes")
        )
        p.notes.append((kind, after, rng.choice(DATA[texts]), None))
        if fate == RETURNED and p.due_on < today:  # open again past its due date
            self.nights.add(min(cal.after(max(after, p.due_on), 1), today))
