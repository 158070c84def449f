"""Meetings and supervised action items of the demo city (SPEC §10, 联席会议制与督办).

Over the last year the district held meetings of all five kinds, with projects, problems of
the problem list and approval cases on their agendas, minutes, and decisions whose action
items (督办事项) the owner departments carried: those due are closed by the supervision
office or wait for its confirmation, a few were done a little late; the running ones are
in every status (one sent back, 退回重办); a district's two or three overdue items, on one
or two projects, are escalated and in the assessment ledger. The approvals demo's joint
decision (互为前置) is a joint meeting's decision; today's joint meeting has the problems
escalated to it on its agenda.

Replayed through ``meetings.services`` on a ``replay.Timeline`` with the clock set to each
step's moment, and the nightly scans (``scan_overdue``) that found items overdue, each the
night it ran. The meetings and texts are in ``data/meetings.json``.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from zhaoshang.approvals.models import ApprovalCase, JointDecision
from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.complaints import workday_before
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.demo.supervision import ActionItemStories, ItemPlan
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import MeetingKind
from zhaoshang.meetings.models import ActionItem, Decision, Meeting
from zhaoshang.projects.choices import EXIT_STAGES
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

SEED = 2026_10
DATA = load("meetings")
ONE_DAY = datetime.timedelta(days=1)
MINUTES_AFTER_DAYS = 14  # minutes of an older meeting are issued; a younger one is held


class MeetingsBuilder(ActionItemStories):
    """Adds the meetings, their decisions and the action items to the worlds a DemoBuilder
    built (after the approvals and the project service)."""

    def __init__(self, builder):
        self.builder, self.today = builder, builder.today
        self.rng = random.Random(SEED)
        year = self.today.year
        self.cal = Calendar(datetime.date(year - 2, 1, 1), datetime.date(year + 2, 12, 31))
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

    def _projects_at(self, world, day: datetime.date) -> list:
        """Projects signed at least a month before ``day`` and not gone by then."""
        return sorted(
            (
                p.project
                for p in world.plans
                if p.project.signed_on
                and p.project.signed_on <= day - datetime.timedelta(30)
                and not (
                    p.stage in EXIT_STAGES
                    and (p.project.exited_on or p.project.terminated_on or day) <= day
                )
            ),
            key=lambda p: p.code,
        )

    # -- meetings -------------------------------------------------------------------------

    def _district(self, world, schedule) -> None:
        organiser = world.role_users.get(Role.BUREAU) or world.heads["bureau"]
        per_year: dict[tuple, int] = {}
        meetings = [m for row in schedule if (m := self._info(world, row, per_year))]
        meetings += [m for m in [self._joint_meeting(world)] if m]
        plans, numbers, short = [], {}, world.district.name.rstrip("区")[:2]
        for info in sorted(meetings, key=lambda m: (m["held_on"], m["title"])):
            held_on = info["held_on"]
            if (self.today - held_on).days >= MINUTES_AFTER_DAYS:
                n = numbers[held_on.year] = numbers.get(held_on.year, 0) + 1
                number = DATA["minutes_number"].format(short=short, year=held_on.year, n=n)
                info.setdefault("minutes_number", number)
                days = self.rng.randint(2, 5)
                info["minutes_on"] = min(self.cal.after(held_on, days), self.yesterday)
            plans += self._plan_meeting(world, info, organiser)
        self._assign_fates(world, plans)

    def _info(self, world, row, per_year) -> dict | None:
        """A meeting of the district's calendar: on a project in focus and a few others."""
        rng, kind = self.rng, row["kind"]
        held_on = workday_before(self.cal, self.today - datetime.timedelta(days=row["days_ago"]))
        projects = self._projects_at(world, held_on)
        if not projects:
            return None
        focus = rng.choice(projects)
        n = per_year[(kind, held_on.year)] = per_year.get((kind, held_on.year), 0) + 1
        others = [p for p in projects if p != focus]
        on_agenda = [focus] + rng.sample(others, min(len(others), rng.randint(1, 3)))
        return {
            "kind": kind,
            "title": row["title"].format(
                year=held_on.year, n=n, month=held_on.month, project=focus.name
            ),
            "held_on": held_on,
            "place": row["place"].format(project=focus.name),
            "chair": world.leaders.get(row["chair"]) or world.role_users[Role.LEADER],
            "projects": [focus] if kind == MeetingKind.ON_SITE else on_agenda,
        }

    def _joint_meeting(self, world) -> dict | None:
        """The approvals demo's joint decision (互为前置) was the decision of a joint meeting."""
        joint = (
            JointDecision.objects.filter(district=world.district, meeting_decision__isnull=True)
            .select_related("project")
            .order_by("decided_on", "pk")
            .first()
        )
        if joint is None:
            return None
        spec = DATA["joint"]
        return {
            "kind": MeetingKind.JOINT,
            "title": spec["title"].format(project=joint.project.name),
            "held_on": joint.decided_on,
            "starts_at": datetime.time(15, 0),
            "place": spec["place"],
            "chair": world.leaders.get(spec["chair"]) or world.role_users[Role.LEADER],
            "minutes_number": joint.document_number,
            "projects": [joint.project],
            "joint": joint,
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
                Need.objects.filter(
                    project=project, raised_on__lt=held_on, agenda_items__isnull=True
                )
                .exclude(status__in=(NeedStatus.PENDING, NeedStatus.ESCALATED))
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
        if topic := DATA["special_topics"].get(info["kind"]):
            points.append({"topic": topic})
        chosen = ["bureau", "perf"] + rng.sample(DATA["attending"][2:7], rng.randint(2, 4))
        people = [world.heads[k] for k in chosen if k in world.heads]
        people += [u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u]
        starts_at = info.get("starts_at") or datetime.time(
            rng.choice([9, 10, 14, 15]), rng.choice([0, 30])
        )
        details = {
            "district": world.district,
            "kind": info["kind"],
            "title": info["title"],
            "held_on": held_on,
            "chair": info["chair"],
            "starts_at": starts_at,
            "place": info["place"],
            "needs": [],
            "departments": [world.departments[k] for k in chosen if k in world.departments],
            "attendees": list({u.pk: u for u in people}.values()),
            "minutes_number": info.get("minutes_number", "") if joint is not None else "",
        }
        scheduled = max(self.cal.before(held_on, rng.randint(2, 6)), held_on - 10 * ONE_DAY)
        decisions = self._decisions(world, info, points)

        def schedule():
            info["meeting"] = meeting = services.schedule_meeting(organiser, **details)
            info["agenda"] = [services.add_agenda_item(organiser, meeting, **p) for p in points]

        def hold():
            meeting = services.mark_held(organiser, info["meeting"])
            if joint is not None:
                self._joint_decision(meeting, info["agenda"][0], joint)
            for text, point, rows in decisions:
                self._decide(world, organiser, info, text, point, rows)

        self.line.add(office_time(rng, scheduled, late=0), schedule)
        self.line.add(moment(held_on, (starts_at.hour + 2) % 24, starts_at.minute), hold)
        if "minutes_on" in info:
            self.line.add(office_time(rng, info["minutes_on"], late=0), self._minutes(info, points))
        return [p for _text, _point, rows in decisions for p in rows]

    @staticmethod
    def _joint_decision(meeting, agenda_item, joint) -> None:
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

    def _minutes(self, info, points):
        heard = "、".join(p["project"].name if "project" in p else p["topic"] for p in points)
        with_file = self.rng.random() < 0.6

        def issue():
            meeting, number = info["meeting"], info["minutes_number"]
            decided = "\n".join(
                f"{d.number}. {d.text}" for d in meeting.decisions.order_by("number")
            )
            text = DATA["minutes"].format(
                date=meeting.held_on,
                chair=meeting.chair.display_name,
                kind=meeting.get_kind_display(),
                heard=heard,
                decided=decided,
            )
            pdf = tiny_pdf([meeting.title, number, heard[:60]])
            upload = SimpleUploadedFile(f"{number}.pdf", pdf) if with_file else None
            services.issue_minutes(
                meeting.created_by,
                meeting,
                minutes=text,
                minutes_number=number,
                issued_on=clock.today(),
                minutes_file=upload,
            )

        return issue

    def _today(self, world) -> None:
        """Today's joint meeting, scheduled two working days ago: the problems escalated to
        a meeting are on its agenda."""
        organiser, spec = world.role_users.get(Role.BUREAU), DATA["today"]
        if organiser is None:
            return
        details = {
            "district": world.district,
            "kind": spec["kind"],
            "held_on": self.today,
            "title": spec["title"].format(month=self.today.month),
            "starts_at": datetime.time(14, 30),
            "place": spec["place"],
            "chair": world.leaders.get(spec["chair"]) or world.role_users[Role.LEADER],
            "departments": [
                world.departments[k] for k in spec["departments"] if k in world.departments
            ],
            "attendees": [u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u],
            "projects": [p for p in self._projects_at(world, self.today) if p.is_green_channel][:1],
        }
        when = office_time(self.rng, self.cal.before(self.today, 2), late=0)
        self.line.add(when, services.schedule_meeting, organiser, **details)


def meeting_counts(district_ids) -> dict[str, int]:
    """Meeting and supervision records of the demo districts (for the summary and tests)."""
    mine = Q(district_id__in=district_ids)
    return {
        "meetings": Meeting.objects.filter(mine).count(),
        "decisions": Decision.objects.filter(meeting__district_id__in=district_ids).count(),
        "action items": ActionItem.objects.filter(mine).count(),
    }
