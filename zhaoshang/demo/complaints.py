"""Complaints of the demo city (SPEC §9, 投诉): what enterprises complained about over the
last nine months, received by the supervision office, dispatched to the departments
complained about, accepted, answered and rated — most closed, two reopened after a 不满意,
some waiting for the enterprise's rating, a few being handled now (one extended, one asking
for more time, one refused the extension and now late), two just dispatched, one waiting to
be dispatched; two report a visit or fee without an approval code (with their report rows);
the substantiated ones are in the departments' ledgers. The stories are in
``data/complaints.json``, replayed through ``complaints.services``.

The module also holds what this half of the demo shares: ``Part`` (a builder's seed,
calendar and timeline), ``chain``, ``act``, ``acting_for``, ``workday_before``, ``admin_save``
and ``tally``.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable

from zhaoshang.complaints import services
from zhaoshang.complaints.choices import Outcome, Rating
from zhaoshang.complaints.models import Complaint, ComplaintLimit
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import Timeline, moment, office_time

DATA = load("complaints")
DAY = datetime.timedelta(days=1)
# How far a complaint went; "reopened" is closed after a second answer.
STAGES = ("received", "dispatched", "accepted", "rating", "closed", "reopened")


# -- what this half of the demo shares ---------------------------------------------------------


class Part:
    """One part of the demo's history: its seeded random generator, its working-day calendar
    and its timeline; ``last`` is the last working day before today (nothing happens this
    morning before the demo's present)."""

    SEED = 0

    def __init__(self, builder):
        self.builder, self.worlds, self.today = builder, builder.worlds, builder.today
        self.rng = random.Random(self.SEED)
        year = self.today.year
        self.cal = Calendar(datetime.date(year - 4, 1, 1), datetime.date(year + 2, 12, 31))
        self.line = Timeline(self.today)
        self.last = self.cal.before(self.today, 1)


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


def admin_save(user, model, **values):
    """Reference data (limits, settings, plans) saved as its admin page saves it: through
    the admin's form and its checks, by ``user``, at the clock's moment."""
    from django.contrib import admin
    from django.forms import modelform_factory

    form_class = admin.site.get_model_admin(model).form
    form = modelform_factory(model, form=form_class, fields=list(values))(
        data={k: getattr(v, "pk", v) for k, v in values.items() if v is not None}
    )
    if not form.is_valid():
        raise ValueError(f"{model.__name__}: {form.errors.as_json()}")
    row = form.save(commit=False)
    row._history_user = user
    row.save()
    return row


def act(held: dict, service, user, **kwargs) -> Callable:
    """A step calling ``service(user, held["it"], **kwargs)``; what it returns is kept as
    ``held["it"]`` when it is the same kind of record (a service returns the saved row)."""

    def step():
        done = service(user, held["it"], **kwargs)
        if type(done) is type(held["it"]):
            held["it"] = done

    return step


def tally(district_ids, *rows) -> dict[str, int]:
    """``{label: count}`` of the records of each ``(label, model, district path)`` row."""
    return {
        label: model.objects.filter(**{f"{path}__in": district_ids}).count()
        for label, model, path in rows
    }


# -- the complaints ----------------------------------------------------------------------------


class ComplaintsBuilder(Part):
    """Adds the complaints to the worlds a DemoBuilder built."""

    SEED = 2026_11

    def build(self) -> None:
        world = self.worlds[0]
        when = moment(self.today - datetime.timedelta(days=300), 10, 5)
        for category, accept, answer in DATA["limits"]:
            limit = {"category": category, "accept_workdays": accept, "answer_workdays": answer}
            admin = world.role_users[Role.ADMIN]
            self.line.add(when, admin_save, admin, ComplaintLimit, district=world.district, **limit)
        self.line.run()  # the limits first: the complaints' plans read them
        self.outcomes = itertools.cycle(DATA["outcomes"])
        for world, plan in zip(self.worlds, DATA["plans"].values(), strict=False):
            self._district(world, plan)
        self.line.run()

    @staticmethod
    def _department(world, key: str):
        # The small district has fewer departments: the nearest one it has.
        for nearest in (key, "works", "land", "aic", "center"):
            if nearest in world.departments:
                return world.departments[nearest]
        return next(iter(world.departments.values()))

    def _district(self, world, plan) -> None:
        rng = self.rng
        receiver = world.role_users.get(Role.SUPERVISOR) or world.role_users[Role.BUREAU]
        projects = [p.project for p in world.plans if p.project.signed_on]
        projects.sort(key=lambda p: p.code)
        portal = world.role_users.get(Role.ENTERPRISE)
        own = [p for p in projects if portal and p.enterprise_id == portal.enterprise_id]
        unapproved = iter(DATA["unapproved_stories"])
        for n, (days_ago, story_no, how, *flag) in enumerate(plan):
            flag = "".join(flag)
            story = next(unapproved) if flag == "unapproved" else DATA["stories"][story_no]
            received = workday_before(self.cal, self.today - max(days_ago, 1) * DAY)
            # The demo enterprise account's enterprise complained twice.
            project = own[n % len(own)] if own and n in (5, 17) else rng.choice(projects)
            department = self._department(world, story["department"])
            enterprise = project.enterprise
            details = {
                "district": world.district,
                "enterprise": enterprise,
                "department": department,
                "channel": DATA["channels"][n % len(DATA["channels"])],
                "category": story["category"],
                "text": story["text"],
                "project": project if rng.random() < 0.8 else None,
                "contact_name": enterprise.contact_name or rng.choice(DATA["contacts"]),
                "contact_phone": enterprise.contact_phone or f"139{rng.randint(10**7, 10**8 - 1)}",
                "contact_consent": rng.random() < 0.5,
                "received_on": received,
            }
            if flag == "unapproved":
                details["channel"] = "portal" if n % 2 else "phone"
            h = {"handler": acting_for(world, department), "receiver": receiver}
            steps = [(received, lambda h=h, d=details, f=flag: self._receive(h, d, f))]
            steps += self._later_steps(world, h, story, details, STAGES.index(how), flag)
            chain(self.line, rng, steps)

    def _receive(self, h, details, flag) -> None:
        if flag != "unapproved":
            h["it"] = services.receive_complaint(h["receiver"], **details)
            return
        from zhaoshang.inspections.choices import Kind
        from zhaoshang.inspections.services import report_unapproved_visit

        # A visit or fee without a code, reported by the enterprise: received as a complaint
        # with its report row, by the inspections service.
        visited_on = workday_before(self.cal, details["received_on"] - 2 * DAY)
        h["it"] = report_unapproved_visit(
            h["receiver"],
            district=details["district"],
            enterprise=details["enterprise"],
            department=details["department"],
            kind=Kind.FEE if details["category"] == "fees" else Kind.INSPECTION,
            visited_on=visited_on,
            what_happened=details["text"],
            channel=details["channel"],
        )

    def _later_steps(self, world, h, story, details, stage: int, flag: str) -> list:
        """The complaint's steps after its receipt, up to its ``stage``: (day, fn) each."""
        cal, rng, handler, supervisor = self.cal, self.rng, h["handler"], h["receiver"]
        dispatched = details["received_on"]
        if rng.random() >= 0.6:
            dispatched = cal.after(dispatched, 1)
        accept, answer = services.limits_for(world.district.pk, details["category"])
        accepted = dispatched if rng.random() < 0.5 else cal.after(dispatched, accept)
        steps = [
            (dispatched, act(h, services.dispatch_complaint, supervisor)),
            (accepted, act(h, services.accept_complaint, handler)),
        ][:stage]
        if flag in ("extended", "asked", "refused"):  # the department asks for more time
            asked = cal.after(accepted, 1)
            ask = act(h, services.request_extension, handler, reason=story["extension"])
            steps.append((asked, ask))
            if flag != "asked":
                why, approve = DATA["extension_decisions"][flag], flag == "extended"
                decide = act(h, services.decide_extension, supervisor, approve=approve, reason=why)
                steps.append((cal.after(asked, 1), decide))
        if stage < STAGES.index("rating"):
            return steps
        answered = min(cal.after(accepted, rng.randint(1, 4)), cal.after(dispatched, answer))
        outcome = Outcome.SUBSTANTIATED if flag == "unapproved" else next(self.outcomes)
        text = story["unfounded" if outcome == Outcome.UNFOUNDED else "substantiated"]
        answer_it = services.answer_complaint
        steps.append((answered, act(h, answer_it, handler, outcome=outcome, answer=text)))
        if stage == STAGES.index("rating"):
            return steps
        rated = cal.after(answered, rng.randint(1, 3))
        rate, rating = services.rate_complaint, Rating.FAIRLY
        if stage == STAGES.index("reopened"):
            again = cal.after(rated, rng.randint(2, 4))
            more = f"{text}\n{rng.choice(DATA['reopen_answers'])}"
            steps += [
                (rated, act(h, rate, supervisor, rating=Rating.DISSATISFIED)),
                (again, act(h, answer_it, handler, outcome=outcome, answer=more)),
            ]
            rated = cal.after(again, 2)
        elif rng.random() >= 0.3:
            rating = Rating.SATISFIED
        return [*steps, (rated, act(h, rate, supervisor, rating=rating))]


def complaint_counts(district_ids) -> dict[str, int]:
    return tally(district_ids, ("complaints", Complaint, "district_id"))
