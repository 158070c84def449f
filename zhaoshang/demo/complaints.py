"""Complaints of the demo city (SPEC §9, 投诉) over the last nine months, replayed through
``complaints.services`` from ``data/complaints.json``: most closed (two reopened after a 不满意),
some waiting for the enterprise's rating, a few being handled (one extended, one asking for
more time, one refused it and now late: the one red light), one answered by its department
and waiting for the supervision office's verification, the newest waiting to be dispatched;
two report a visit or fee without an approval code. Each department answers with the facts
and its view; the supervision office records the finding — once overruling the department
(建设局 said 不属实, the office found 属实 from the review records). The substantiated
findings are in the departments' ledgers.
"""

from __future__ import annotations

import functools
import itertools

from zhaoshang.complaints import services
from zhaoshang.complaints.choices import Outcome, Rating
from zhaoshang.complaints.models import Complaint, ComplaintLimit
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, acting_for, counter, first_of, signed_projects
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment
from zhaoshang.inspections.choices import Kind
from zhaoshang.inspections.services import report_unapproved_visit

DATA = load("complaints")
# How far a complaint went; "reopened" is closed after a second answer.
STAGES = ("received", "dispatched", "accepted", "verifying", "rating", "closed")
STAGE = {s: n for n, s in enumerate(STAGES)}
STAGE["reopened"] = len(STAGE)


class ComplaintsBuilder(Part):
    """Adds the complaints to the worlds a DemoBuilder built."""

    SEED = 2026_11

    def build(self) -> None:
        world, when = self.worlds[0], moment(self.today - 300 * DAY, 10, 5)
        for limit in DATA["limits"]:
            limit = {**limit, "district": world.district}
            self.admin_save(when, world.role_users[Role.ADMIN], ComplaintLimit, **limit)
        self.line.run()  # the limits first: the complaints' plans read them
        self.outcomes = itertools.cycle(DATA["outcomes"])
        self.limits = functools.cache(services.limits_for)  # set above, read by every plan
        for world, plan in zip(self.worlds, DATA["plans"].values(), strict=False):
            for n, row in enumerate(plan):
                self._complaint(world, signed_projects(world), n, *row)
        self.line.run()

    def _complaint(self, world, projects, n, days_ago, story_no, how, flag="") -> None:
        rng, unapproved = self.rng, flag == "unapproved"
        story = DATA["unapproved_stories" if unapproved else "stories"][story_no]
        received = self.workday_before(self.today - max(days_ago, 1) * DAY)
        # The demo enterprise account's enterprise complained twice.
        portal = world.role_users.get(Role.ENTERPRISE)
        own = [p for p in projects if portal and p.enterprise_id == portal.enterprise_id]
        project = own[n % len(own)] if own and n in (5, 17) else rng.choice(projects)
        # The small district has fewer departments: the nearest one it has.
        nearest = (story["department"], "works", "land", "aic", "center")
        department = next(world.departments[k] for k in nearest if k in world.departments)
        enterprise, channels = (
            project.enterprise,
            ("phone", "12345") if unapproved else DATA["channels"],
        )
        details = {"district": world.district, "enterprise": enterprise, "department": department}
        details |= {"channel": channels[n % len(channels)], "category": story["category"]}
        details |= {"received_on": received, "project": project if rng.random() < 0.8 else None}
        details["contact_name"] = enterprise.contact_name or rng.choice(DATA["contacts"])
        details["contact_phone"] = enterprise.contact_phone or f"139{rng.randint(10**7, 10**8 - 1)}"
        details |= {"contact_consent": rng.random() < 0.5, "text": story["text"]}
        held = {"handler": acting_for(world, department)}
        held["receiver"] = first_of(world, Role.SUPERVISOR, Role.BUREAU)
        steps = [(received, lambda: self._receive(held, details, unapproved))]
        self.chain(steps + self._later_steps(world, held, story, details, STAGE[how], flag))

    def _receive(self, held, details, unapproved: bool) -> None:
        if not unapproved:
            held["it"] = services.receive_complaint(held["receiver"], **details)
            return
        # A visit or fee without a code: received as a complaint with its report row.
        keep = {k: details[k] for k in ("district", "enterprise", "department", "channel")}
        keep["kind"] = Kind.FEE if details["category"] == "fees" else Kind.INSPECTION
        keep["visited_on"] = self.workday_before(details["received_on"] - 2 * DAY)
        what = details["text"]
        held["it"] = report_unapproved_visit(held["receiver"], what_happened=what, **keep)

    def _later_steps(self, world, held, story, details, stage: int, flag: str) -> list:
        """The complaint's steps after its receipt, up to its ``stage``: (day, fn) each."""
        cal, rng, handler, supervisor = self.cal, self.rng, held["handler"], held["receiver"]
        dispatched = cal.after(details["received_on"], int(rng.random() >= 0.6))
        accept, answer = self.limits(world.district.pk, details["category"])
        accepted = dispatched if rng.random() < 0.5 else cal.after(dispatched, accept)
        steps = [
            (dispatched, act(held, services.dispatch_complaint, supervisor)),
            (accepted, act(held, services.accept_complaint, handler)),
        ][:stage]
        if flag in ("extended", "asked", "refused"):  # the department asks for more time
            asked, reason = cal.after(accepted, 1), story["extension"]
            steps.append((asked, act(held, services.request_extension, handler, reason=reason)))
            if flag != "asked":
                why, approve = DATA["extension_decisions"][flag], flag == "extended"
                decide = services.decide_extension
                steps.append(
                    (
                        cal.after(asked, 1),
                        act(held, decide, supervisor, approve=approve, reason=why),
                    )
                )
        if stage < STAGE["verifying"]:
            return steps
        answered = min(cal.after(accepted, rng.randint(1, 4)), cal.after(dispatched, answer))
        if stage == STAGE["verifying"]:  # answered yesterday: the office has 5 days left
            answered = self.last
        outcome = Outcome.SUBSTANTIATED if flag == "unapproved" else next(self.outcomes)
        if flag == "overruled":
            outcome = Outcome.SUBSTANTIATED
        answer_it, verify, rate = (
            services.answer_complaint,
            services.verify_complaint,
            services.rate_complaint,
        )
        view, account = self._account(story, outcome, flag)
        steps.append(
            (answered, act(held, answer_it, handler, department_view=view, account=account))
        )
        if stage == STAGE["verifying"]:
            return steps
        found = cal.after(answered, 1)
        finding = self._finding(story, outcome, flag)
        steps.append((found, act(held, verify, supervisor, outcome=outcome, **finding)))
        if stage == STAGE["rating"]:
            return steps
        rated, rating = cal.after(found, rng.randint(1, 3)), Rating.FAIRLY
        if stage == STAGE["reopened"]:
            again = cal.after(rated, rng.randint(2, 4))
            more = f"{account}\n{rng.choice(DATA['reopen_answers'])}"
            steps.append(
                (
                    rated,
                    act(
                        held,
                        rate,
                        supervisor,
                        rating=Rating.DISSATISFIED,
                        reason=DATA["dissatisfied_reason"],
                    ),
                )
            )
            steps.append((again, act(held, answer_it, handler, department_view=view, account=more)))
            found = cal.after(again, 1)
            finding = {**finding, "answer": more}
            steps.append((found, act(held, verify, supervisor, outcome=outcome, **finding)))
            rated = cal.after(found, 2)
        elif rng.random() >= 0.3:
            rating = Rating.SATISFIED
        return [*steps, (rated, act(held, rate, supervisor, rating=rating))]

    @staticmethod
    def _account(story, outcome, flag: str) -> tuple[str, str]:
        """The department's view and account: it states what it found itself — except the
        overruled one, which says 不属实 where the office finds otherwise."""
        view = Outcome.UNFOUNDED if flag == "overruled" else outcome
        return view, story["unfounded" if view == Outcome.UNFOUNDED else "substantiated"]

    @staticmethod
    def _finding(story, outcome, flag: str) -> dict:
        """The supervision office's finding: its reasoning, the answer to the enterprise and,
        when it overrules the department, why."""
        if flag == "overruled":
            return dict(DATA["overruled"]) | {"answer": story["substantiated"]}
        reasons = DATA["finding_reasons"]
        key = "unfounded" if outcome == Outcome.UNFOUNDED else "substantiated"
        return {
            "finding_reason": reasons[key],
            "answer": story[key],
        }


complaint_counts = counter(("complaints", Complaint))
