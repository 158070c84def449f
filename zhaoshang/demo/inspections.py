"""Inspection and fee requests of the demo city (SPEC §9, 涉企检查/收费申报审批) over the last
ten months, replayed through ``inspections.services`` from ``data/inspections.json``: most
approved, carried out outside the quiet days (企业宁静日) and rated; one on a quiet day with its
reason; two rejected, one cancelled; two emergency inspections filed the day after; three
departments' visits merged into one joint inspection; a few waiting for the supervision
office and a few coming up, their codes ready for the public verification page.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from functools import partial

from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, acting_for, counter, first_of, signed_projects
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.inspections import services
from zhaoshang.inspections.choices import VISIT_KINDS, Kind, Rating
from zhaoshang.inspections.models import InspectionRequest, InspectionSettings, InspectionVisit

DATA = load("inspections")
QUIET_TO = DATA["settings"]["quiet_to_day"]
RATINGS = (Rating.SATISFIED, Rating.FAIRLY, Rating.DISSATISFIED)
ERRAND_FIELDS = ("kind", "purpose", "legal_basis", "people", "fee_basis")


class InspectionsBuilder(Part):
    """Adds the inspection and fee requests to the worlds a DemoBuilder built."""

    SEED = 2026_12

    def build(self) -> None:
        self.visits: Counter = Counter()  # (department, enterprise, year): counting visits
        for world, plan in zip(self.worlds, DATA["plans"].values(), strict=False):
            # The administrator (the bureau, without one) set the guards a year ago.
            admin = first_of(world, Role.ADMIN, Role.BUREAU)
            settings = {"district": world.district, **DATA["settings"]}
            when = moment(self.today - 400 * DAY, 10, 20)
            self.admin_save(when, admin, InspectionSettings, **settings)
            ids = {p.enterprise_id for p in signed_projects(world)}  # the enterprises visited
            self.enterprises = list(Enterprise.objects.filter(pk__in=ids).order_by("pk"))
            if world is self.worlds[0]:
                self._joint(world)
            for n, row in enumerate(plan):
                self._request(world, n, *row)
        self.line.run()

    def _quiet_free(self, day: datetime.date) -> datetime.date:
        """The first working day on or after ``day`` outside the quiet days."""
        while day.day <= QUIET_TO or not self.cal.work[day]:
            day = day.replace(day=QUIET_TO + 1) if day.day <= QUIET_TO else day + DAY
        return day

    def _planned(self, how: str, day: datetime.date) -> datetime.date:
        if how == "emergency":
            return self.workday_before(min(day, self.last))
        if how in ("done-quiet", "rejected-quiet"):  # a quiet day of the month
            planned = self.cal.on_or_after(day.replace(day=min(day.day, 15)))
            if planned.day > QUIET_TO:  # the holidays ran past the quiet days
                planned = self.cal.on_or_after(planned.replace(day=10))
            return planned
        return self._quiet_free(day)

    def _targets(self, world, n: int, key: str, how: str, kind: str, planned) -> list:
        """The enterprises visited: the first one is where the safety office went on the
        quiet day (and again, refused); the demo enterprise account's is visited too; no
        department goes past the yearly cap of visits to one enterprise."""
        enterprises = self.enterprises
        portal = world.role_users.get(Role.ENTERPRISE)
        if key == "safety" and how in ("done-quiet", "rejected-cap"):
            return enterprises[:1]
        own = [e for e in enterprises if portal and e.pk == portal.enterprise_id]
        if own and n in (3, 14, 18):
            return own
        cap = DATA["settings"]["yearly_cap"]
        free = [e for e in enterprises[1:] if self.visits[(key, e.pk, planned.year)] < cap]
        return self.rng.sample(free, 2 if kind == Kind.INSPECTION and n % 4 == 0 else 1)

    def _request(self, world, n: int, days: int, key: str, how: str) -> None:
        rng, cal = self.rng, self.cal
        if key not in world.departments:
            key = "aic" if "aic" in world.departments else next(iter(world.departments))
        errand, emergency = DATA["errands"].get(key, DATA["errands"]["aic"]), how == "emergency"
        kind = Kind.INSPECTION if emergency else errand["kind"]
        planned = self._planned(how, self.today - days * DAY)
        targets = self._targets(world, n, key, how, kind, planned)
        if not emergency and kind in VISIT_KINDS and how not in ("rejected-cap", "cancelled"):
            self.visits.update((key, e.pk, planned.year) for e in targets)
        extra = {"kind": kind, "quiet_day_reason": DATA["quiet_reasons"].get(how, "")}
        if kind == Kind.FEE:
            extra["fee_amount"] = Decimal(rng.choice(DATA["fees"]))
        if emergency:  # filed the working day after
            filed = cal.after(planned, 1)
            extra |= {"is_emergency": True, "purpose": f"应急检查：{errand['purpose']}"}
            extra["emergency_reason"] = DATA["emergency_reasons"][n % 2]
        else:
            filed = self.workday_before(planned - rng.randint(8, 15) * DAY)
        filed, r = min(filed, self.last), {}
        filer = acting_for(world, world.departments[key])
        supervisor = world.role_users[Role.SUPERVISOR]
        decided = min(cal.after(filed, rng.randint(1, 2)), max(filed, self.last))
        steps = [(filed, self._filing(world, key, r, targets, planned, **extra))]
        if how.startswith("rejected"):
            reason = DATA["rejections"][how]
            steps.append((decided, act(r, services.reject_request, supervisor, reason=reason)))
        elif how != "filed":
            steps.append((decided, act(r, services.approve_request, supervisor)))
        if how == "cancelled":
            cancel = act(r, services.cancel_request, filer, reason=DATA["cancel_reason"])
            steps.append((cal.after(decided, 2), cancel))
        if how in ("done", "done-quiet", "emergency", "approved") and kind in VISIT_KINDS:
            rated = cal.after(planned, rng.randint(1, 3)) if how != "approved" else None
            visits = partial(self._visits, r, filer, supervisor, rated)
            steps.append((max(planned, decided), visits))
        self.chain(steps)

    def _filing(self, world, key: str, r: dict, targets, planned, **extra):
        """The step of the department filing its request (kept as ``r["it"]``)."""
        errand = DATA["errands"].get(key, DATA["errands"]["aic"])
        details = {k: errand.get(k, "") for k in ERRAND_FIELDS}
        details |= {"district": world.district, "department": world.departments[key]}
        details |= {"enterprises": targets, "planned_on": planned, **extra}
        filer = acting_for(world, world.departments[key])
        return lambda: r.update(it=services.file_request(filer, **details))

    def _visits(self, r, filer, supervisor, rated) -> None:
        """The visits took place on their day; the enterprise rates them a few days later."""
        rng = self.rng
        for visit in r["it"].visits.all():
            done = {"carried_out_on": visit.visit_on, "findings": rng.choice(DATA["findings"])}
            visit = services.record_visit(filer, visit, **done)
            if rated is not None:
                rating, comment = rng.choices(RATINGS, (6, 3, 1))[0], rng.choice(DATA["comments"])
                rate = partial(services.rate_visit, rating=rating, comment=comment)
                self.line.add(office_time(rng, rated), rate, supervisor, visit)

    def _joint(self, world) -> None:
        """Three departments' approved visits to one enterprise, merged yesterday into one."""
        keys = DATA["joint"]["departments"]
        if not all(k in world.departments for k in keys):
            return
        supervisor, enterprise = world.role_users[Role.SUPERVISOR], self.enterprises[-1]
        visit_on = self._quiet_free(self.today + DATA["joint"]["days_ahead"] * DAY)
        held, filings = [{} for _key in keys], []
        for key, r in zip(keys, held, strict=True):
            self.visits[(key, enterprise.pk, visit_on.year)] += 1
            filed = self.workday_before(self.today - self.rng.randint(6, 9) * DAY)
            filings.append((filed, self._filing(world, key, r, [enterprise], visit_on)))

        def approve_and_merge():
            visits = [services.approve_request(supervisor, r["it"]).visits.get() for r in held]
            lead = {"visit_on": visit_on, "lead_department": world.departments[keys[0]]}
            services.merge_visits(supervisor, visits[0], others=visits[1:], **lead)

        filings.sort(key=lambda step: step[0])
        self.chain([*filings, (self.last, approve_and_merge)])


inspection_counts = counter(
    ("inspection requests", InspectionRequest), ("inspection visits", InspectionVisit)
)
