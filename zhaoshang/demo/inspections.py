"""Inspection and fee requests of the demo city (SPEC §9, 涉企检查/收费申报审批).

Over the last ten months the departments filed their inspections, ratings and fees before
going to an enterprise: most were approved by the supervision office (督查室), carried out
outside the quiet days (企业宁静日, the 1st to the 20th) and rated by the enterprise; one
visit on a quiet day carries its special reason; two were rejected (one repeating a visit
of the year, one on a quiet day without a reason that holds), one was cancelled; two
emergency inspections were filed the working day after; one enterprise had three
departments merged into one joint inspection (进一次门、查多项事). Today a few requests wait
for the supervision office and a few approved visits are coming up, their codes ready to be
checked on the public verification page. (The reports of visits without a code come with
the complaints that received them.)

Replayed through ``inspections.services`` on a ``replay.Timeline`` with the clock set to
each step's moment; the requests are in ``data/inspections.json``.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar
from zhaoshang.demo.complaints import acting_for, chain, workday_before
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.inspections import services
from zhaoshang.inspections.choices import VISIT_KINDS, Kind, Rating
from zhaoshang.inspections.models import InspectionRequest, InspectionSettings, InspectionVisit

SEED = 2026_12
DATA = json.loads((Path(__file__).parent / "data" / "inspections.json").read_text("utf-8"))
FEES = (86000, 124500, 238000)


class InspectionsBuilder:
    """Adds the inspection and fee requests to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.line = Timeline(self.today)
        # The last day with steps: nothing happens this morning before the demo's present.
        self.last = workday_before(self.cal, self.today - datetime.timedelta(days=1))
        self.visits: Counter = Counter()  # (department, enterprise, year): counting visits

    def build(self) -> None:
        for world, plan in zip(self.builder.worlds, DATA["plans"].values(), strict=False):
            InspectionSettings.objects.create(district=world.district)
            if world is self.builder.worlds[0]:
                self._joint(world)
            for n, row in enumerate(plan):
                self._request(world, n, *row)
        self.line.run()

    # -- helpers ----------------------------------------------------------------------------

    def _quiet_free(self, day: datetime.date) -> datetime.date:
        """The first working day on or after ``day`` outside the quiet days (21st on)."""
        while True:
            if day.day <= 20:
                day = day.replace(day=21)
            found = self.cal.on_or_after(day)
            if found.day > 20:
                return found
            day = found  # the holidays ran into next month's quiet days: its 21st

    def _enterprises(self, world) -> list:
        seen = {
            p.project.enterprise_id: p.project.enterprise
            for p in world.plans
            if p.project.signed_on
        }
        return [seen[pk] for pk in sorted(seen)]

    def _count(self, key, enterprises, day) -> None:
        for enterprise in enterprises:
            self.visits[(key, enterprise.pk, day.year)] += 1

    # -- the requests -----------------------------------------------------------------------

    def _planned(self, how: str, day: datetime.date) -> datetime.date:
        if how == "emergency":
            return workday_before(self.cal, min(day, self.last))
        if how in ("done-quiet", "rejected-quiet"):
            planned = self.cal.on_or_after(day.replace(day=min(day.day, 15)))
            return planned if planned.day <= 20 else self.cal.on_or_after(planned.replace(day=10))
        return self._quiet_free(day)

    def _targets(self, world, n: int, key: str, how: str, kind: str, planned) -> list:
        """The enterprises visited: the first one is where the safety office went on the
        quiet day (and again, refused); the demo enterprise account's is visited too; no
        department goes past the yearly cap of 2 visits to one enterprise."""
        enterprises = self._enterprises(world)
        portal = world.role_users.get(Role.ENTERPRISE)
        if key == "safety" and how in ("done-quiet", "rejected-cap"):
            return [enterprises[0]]
        if portal is not None and n in (3, 14, 18):
            own = [e for e in enterprises if e.pk == portal.enterprise_id]
            if own:
                return own
        free = [e for e in enterprises[1:] if self.visits[(key, e.pk, planned.year)] < 2]
        return self.rng.sample(free, 2 if kind == Kind.INSPECTION and n % 4 == 0 else 1)

    def _request(self, world, n: int, days: int, key: str, how: str) -> None:
        rng, cal = self.rng, self.cal
        if key not in world.departments:
            key = "aic" if "aic" in world.departments else next(iter(world.departments))
        errand = DATA["errands"].get(key, DATA["errands"]["aic"])
        emergency = how == "emergency"
        kind = Kind.INSPECTION if emergency else errand["kind"]
        planned = self._planned(how, self.today - datetime.timedelta(days=days))
        targets = self._targets(world, n, key, how, kind, planned)
        if not emergency and kind in VISIT_KINDS and how not in ("rejected-cap", "cancelled"):
            self._count(key, targets, planned)
        if emergency:
            filed = min(cal.after(planned, 1), self.last)
        else:
            filed = workday_before(self.cal, planned - datetime.timedelta(days=rng.randint(8, 15)))
            filed = min(filed, self.last)
        quiet = {"done-quiet": DATA["quiet_reason"], "rejected-quiet": DATA["weak_quiet_reason"]}
        fee = kind == Kind.FEE
        filer, supervisor = (
            acting_for(world, world.departments[key]),
            world.role_users[Role.SUPERVISOR],
        )
        details = {
            "district": world.district,
            "department": world.departments[key],
            "kind": kind,
            "enterprises": targets,
            "purpose": f"应急检查：{errand['purpose']}" if emergency else errand["purpose"],
            "legal_basis": errand["legal_basis"],
            "planned_on": planned,
            "people": errand["people"],
            "is_emergency": emergency,
            "emergency_reason": DATA["emergency_reasons"][n % 2] if emergency else "",
            "quiet_day_reason": quiet.get(how, ""),
            "fee_amount": Decimal(rng.choice(FEES)) if fee else None,
            "fee_basis": errand.get("fee_basis", ""),
        }
        r = {}

        def file():
            r["r"] = services.file_request(filer, **details)

        steps = [(filed, file)]
        decided = min(cal.after(filed, rng.randint(1, 2)), max(filed, self.last))
        if how.startswith("rejected"):
            reason = DATA["rejections"][how]
            steps.append(
                (decided, lambda: services.reject_request(supervisor, r["r"], reason=reason))
            )
        elif how != "filed":
            steps.append((decided, lambda: services.approve_request(supervisor, r["r"])))
        if how == "cancelled":
            why = DATA["cancel_reason"]
            steps.append(
                (cal.after(decided, 2), lambda: services.cancel_request(filer, r["r"], reason=why))
            )
        if how in ("done", "done-quiet", "emergency", "approved") and kind in VISIT_KINDS:
            rated = cal.after(planned, rng.randint(1, 3)) if how != "approved" else None
            steps.append((max(planned, decided), lambda: self._visits(r, filer, supervisor, rated)))
        chain(self.line, rng, steps)

    def _visits(self, r, filer, supervisor, rated) -> None:
        """The visits took place on their day; the enterprise rates them a few days later."""
        for visit in r["r"].visits.all():
            visit = services.record_visit(
                filer,
                visit,
                carried_out_on=visit.visit_on,
                findings=self.rng.choice(DATA["findings"]),
            )
            if rated is None:
                continue
            rating = self.rng.choices(
                (Rating.SATISFIED, Rating.FAIRLY, Rating.DISSATISFIED), (6, 3, 1)
            )[0]
            comment = self.rng.choice(DATA["comments"])
            self.line.add(
                office_time(self.rng, rated),
                services.rate_visit,
                supervisor,
                visit,
                rating=rating,
                comment=comment,
            )

    def _joint(self, world) -> None:
        """Three departments' approved visits to one enterprise, merged yesterday into one
        joint inspection led by the first of them."""
        keys, days_ahead = DATA["joint"]["departments"], DATA["joint"]["days_ahead"]
        if not all(k in world.departments for k in keys):
            return
        supervisor = world.role_users[Role.SUPERVISOR]
        enterprise = self._enterprises(world)[-1]
        visit_on = self._quiet_free(self.today + datetime.timedelta(days=days_ahead))
        merged_on = self.last
        requests = {}
        filings = []
        for key in keys:
            errand = DATA["errands"][key]
            filed = workday_before(
                self.cal, self.today - datetime.timedelta(days=self.rng.randint(6, 9))
            )
            self._count(key, [enterprise], visit_on)

            def file(key=key, errand=errand):
                requests[key] = services.file_request(
                    acting_for(world, world.departments[key]),
                    district=world.district,
                    department=world.departments[key],
                    kind=errand["kind"],
                    enterprises=[enterprise],
                    purpose=errand["purpose"],
                    legal_basis=errand["legal_basis"],
                    planned_on=visit_on,
                    people=errand["people"],
                )

            filings.append((filed, file))
        filings.sort(key=lambda step: step[0])
        approvals = [
            (merged_on, lambda key=key: services.approve_request(supervisor, requests[key]))
            for key in keys
        ]

        def merge():
            visits = [r.visits.get() for r in requests.values()]
            services.merge_visits(
                supervisor,
                visits[0],
                others=visits[1:],
                visit_on=visit_on,
                lead_department=world.departments[keys[0]],
            )

        chain(self.line, self.rng, [*filings, *approvals, (merged_on, merge)])


def inspection_counts(district_ids) -> dict[str, int]:
    return {
        "inspection requests": InspectionRequest.objects.filter(
            district_id__in=district_ids
        ).count(),
        "inspection visits": InspectionVisit.objects.filter(district_id__in=district_ids).count(),
    }
