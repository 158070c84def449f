"""Complaints of the demo city (SPEC §9, 投诉): what enterprises complained about over the
last nine months, received by the supervision office, dispatched to the departments
complained about, accepted, answered and rated — most closed, one reopened after a
不满意, some answered and waiting for the enterprise's rating, a few being handled now
(two of them late), one waiting to be dispatched; two report a visit or fee without an
approval code (their report rows come with them); substantiated ones are in the
departments' assessment ledger.

Replayed through ``complaints.services`` on a ``replay.Timeline``: each complaint's steps
are played with the clock set to their moment, so numbers, deadlines, events, history,
notifications and ledger entries are the ones the product wrote that day. The stories
are in ``data/complaints.json``.

This module also holds the replay helpers the other parts of this half of the demo share:
``chain`` (a record's steps one after the other), ``acting_for``, ``workday_before``.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable
from pathlib import Path

from zhaoshang.complaints import services
from zhaoshang.complaints.choices import Channel, Outcome, Rating
from zhaoshang.complaints.models import Complaint, ComplaintLimit
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.replay import Timeline, moment, office_time

SEED = 2026_11
DATA = json.loads((Path(__file__).parent / "data" / "complaints.json").read_text("utf-8"))
# The demo district answers policy complaints (政策兑现) within 10 working days.
DEMO_LIMITS = [("policy", 1, 10)]
# Findings of the answered ones, in turn (some not substantiated, most partly or fully).
OUTCOMES = [
    Outcome.SUBSTANTIATED,
    Outcome.UNFOUNDED,
    Outcome.PARTLY,
    Outcome.SUBSTANTIATED,
    Outcome.UNFOUNDED,
]
CHANNELS = [Channel.PHONE, Channel.HOTLINE, Channel.VISIT, Channel.LETTER, Channel.PHONE]


# -- replay helpers shared by this half of the demo -------------------------------------------


def chain(line: Timeline, rng: random.Random, steps: list[tuple[datetime.date, Callable]]):
    """Plan a record's steps ``[(day, fn), ...]`` one after the other: each at an office
    time of its day, after the step before (a later step of the same day comes later that
    day). A step that falls after the present is dropped, and the story stops there."""
    steps = [s for s in steps if s is not None]

    def play(i: int) -> None:
        steps[i][1]()
        if i + 1 < len(steps):
            line.add(next_moment(rng, steps[i + 1][0]), play, i + 1)

    if steps:
        first = steps[0][0]
        line.add(next_moment(rng, first) if clock.is_set() else office_time(rng, first), play, 0)


def next_moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """A moment on ``day`` after the clock's present moment (office hours if it allows)."""
    now = clock.now()
    if day > clock.today():
        return office_time(rng, day)
    later = now + datetime.timedelta(minutes=rng.randint(10, 90))
    if later.date() != now.date():  # never past midnight: the last minute of the day
        later = moment(now.date(), 23, 59)
    return max(later, now + datetime.timedelta(seconds=1))


def acting_for(world, department):
    """Who acts for a department: the demo department account when it is of it, else its
    handler (the approvals demo's), its head, or anyone of it."""
    from zhaoshang.org.models import User

    account = world.role_users.get(Role.DEPARTMENT)
    if account is not None and account.department_id == department.pk:
        return account
    handler = getattr(world, "handlers", {}).get(department.pk)
    if handler is not None:
        return handler
    key = next((k for k, d in world.departments.items() if d.pk == department.pk), None)
    if key in world.heads:
        return world.heads[key]
    return User.objects.filter(department=department, is_active=True).order_by("pk").first()


def workday_before(cal, day: datetime.date) -> datetime.date:
    """The working day on or before ``day``."""
    return day if cal.work[day] else cal.before(day, 1)


# -- the complaints ---------------------------------------------------------------------------


class ComplaintsBuilder:
    """Adds the complaints to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.line = Timeline(self.today)
        self.outcomes = 0

    def build(self) -> None:
        world = self.builder.worlds[0]
        with clock.at(moment(self.today - datetime.timedelta(days=300), 10, 5)):
            for category, accept, answer in DEMO_LIMITS:
                ComplaintLimit.objects.create(
                    district=world.district,
                    category=category,
                    accept_workdays=accept,
                    answer_workdays=answer,
                )
        plans = (DATA["plans"]["demo"], DATA["plans"]["second"])
        for world, plan in zip(self.builder.worlds, plans, strict=False):
            self._district(world, plan)
        self.line.run()

    def _department(self, world, key: str):
        departments = world.departments
        if key in departments:
            return departments[key]
        # The small district has fewer departments: the nearest one it has.
        for fallback in ("works", "land", "aic", "center"):
            if fallback in departments:
                return departments[fallback]
        return next(iter(departments.values()))

    def _district(self, world, plan) -> None:
        rng = self.rng
        receiver = world.role_users.get(Role.SUPERVISOR) or world.role_users[Role.BUREAU]
        projects = sorted(
            (p.project for p in world.plans if p.project.signed_on is not None),
            key=lambda p: p.code,
        )
        portal = world.role_users.get(Role.ENTERPRISE)
        own = [p for p in projects if portal and p.enterprise_id == portal.enterprise_id]
        unapproved = iter(DATA["unapproved_stories"])
        for n, (days_ago, story_no, how, *flags) in enumerate(plan):
            story = next(unapproved) if "unapproved" in flags else DATA["stories"][story_no]
            # Nothing happens this morning before the demo's present: "today" is yesterday.
            received = workday_before(
                self.cal, self.today - datetime.timedelta(days=max(days_ago, 1))
            )
            # The demo enterprise account's enterprise complained twice.
            project = own[n % len(own)] if own and n in (5, 17) else rng.choice(projects)
            department = self._department(world, story["department"])
            enterprise = project.enterprise
            details = {
                "district": world.district,
                "enterprise": enterprise,
                "department": department,
                "channel": CHANNELS[n % len(CHANNELS)],
                "category": story["category"],
                "text": story["text"],
                "project": project if rng.random() < 0.8 else None,
                "contact_name": enterprise.contact_name or rng.choice(DATA["contacts"]),
                "contact_phone": enterprise.contact_phone or f"139{rng.randint(10**7, 10**8 - 1)}",
                "contact_consent": rng.random() < 0.5,
                "received_on": received,
            }
            if "unapproved" in flags:
                details["channel"] = Channel.PORTAL if n % 2 else Channel.PHONE
            holder = {"receiver": receiver, "handler": acting_for(world, department)}
            steps = [(received, lambda d=details, h=holder, f=flags: self._receive(h, d, f))]
            steps += self._later_steps(world, holder, story, details, how, flags)
            chain(self.line, rng, steps)

    def _receive(self, holder, details, flags) -> None:
        receiver = holder["receiver"]
        if "unapproved" not in flags:
            holder["c"] = services.receive_complaint(receiver, **details)
            return
        from zhaoshang.inspections.choices import Kind
        from zhaoshang.inspections.services import report_unapproved_visit

        # A visit or fee without a code, reported by the enterprise: received as a complaint
        # with its report row, by the inspections service.
        fee = details["category"] == "fees"
        holder["c"] = report_unapproved_visit(
            receiver,
            district=details["district"],
            enterprise=details["enterprise"],
            department=details["department"],
            kind=Kind.FEE if fee else Kind.INSPECTION,
            visited_on=workday_before(
                self.cal, details["received_on"] - datetime.timedelta(days=2)
            ),
            what_happened=details["text"],
            channel=details["channel"],
        )

    def _later_steps(self, world, h, story, details, how, flags) -> list:
        """The complaint's steps after its receipt: (day, fn) each."""
        if how == "received":
            return []
        supervisor = h["receiver"]
        cal, rng = self.cal, self.rng
        late = how.startswith("late-")
        how = how.removeprefix("late-")
        received = details["received_on"]
        dispatched = received if rng.random() < 0.6 else cal.after(received, 1)
        accept, answer = services.limits_for(world.district.pk, details["category"])
        steps = [(dispatched, lambda: self._do(h, services.dispatch_complaint, supervisor))]
        if how == "dispatched":
            return steps
        accepted = dispatched if late or rng.random() < 0.5 else cal.after(dispatched, accept)
        steps.append((accepted, lambda: self._do(h, services.accept_complaint, h["handler"])))
        if "extended" in flags or "extension-asked" in flags:
            asked = cal.after(accepted, 1)
            reason = DATA["extension_reasons"][details["category"]]
            steps.append(
                (asked, lambda: services.request_extension(h["handler"], h["c"], reason=reason))
            )
            if "extended" in flags:
                why = DATA["extension_approval"]
                decide = services.decide_extension
                steps.append(
                    (
                        cal.after(asked, 1),
                        lambda: decide(supervisor, h["c"], approve=True, reason=why),
                    )
                )
        if how == "accepted":
            return steps
        answer_by = cal.after(dispatched, answer)
        answered = min(cal.after(accepted, rng.randint(1, 4)), answer_by)
        if "unapproved" in flags:  # the department came without an approval code
            outcome = Outcome.SUBSTANTIATED
        else:
            outcome = OUTCOMES[self.outcomes % len(OUTCOMES)]
            self.outcomes += 1
        text = story["unfounded"] if outcome == Outcome.UNFOUNDED else story["substantiated"]

        def answer_it(text=text):
            self._do(h, services.answer_complaint, h["handler"], outcome=outcome, answer=text)

        steps.append((answered, answer_it))
        if how == "rating":
            return steps
        rated = cal.after(answered, rng.randint(1, 3))
        rate = services.rate_complaint
        if how == "reopened":
            again = cal.after(rated, rng.randint(2, 4))
            more = f"{text}\n{rng.choice(DATA['reopen_answers'])}"
            steps += [
                (rated, lambda: self._do(h, rate, supervisor, rating=Rating.DISSATISFIED)),
                (again, lambda: answer_it(more)),
            ]
            rated = cal.after(again, 2)
        rating = Rating.FAIRLY if how == "reopened" or rng.random() < 0.3 else Rating.SATISFIED
        steps.append((rated, lambda: self._do(h, rate, supervisor, rating=rating)))
        return steps

    @staticmethod
    def _do(holder, service, user, **kwargs) -> None:
        holder["c"] = service(user, holder["c"], **kwargs)


def complaint_counts(district_ids) -> dict[str, int]:
    return {"complaints": Complaint.objects.filter(district_id__in=district_ids).count()}
