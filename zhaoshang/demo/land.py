"""Land of the demo city (SPEC §11, §18; 用地保障, 园区土地清理), replayed through
``land.services`` from ``data/land.json``: the parcels of the projects that have their land
(recovered for the one cleared out), reserved for the major projects signed without land, in
each park's reserve, and two left idle (past one year, past two); the land plans and the
thresholds and the clean-up lead (分管工业副区长) set in the admin site; the last
half-year's clean-up campaign, opened by that leader, each decision carried into its
follow-up (a rectification confirmed, a deadline missed, idle land under recovery), closed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, counter, first_of
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.exits.models import LandThreshold
from zhaoshang.land import services
from zhaoshang.land.choices import Decision, EntryCategory, Half, LandUse, ParcelStatus
from zhaoshang.land.clock import add_months, idle_dates
from zhaoshang.land.models import (
    CampaignEntry,
    CleanupLead,
    LandCampaign,
    LandParcel,
    LandPlan,
)
from zhaoshang.projects.choices import Level, ProjectKind, Stage

DATA = load("land")


def _area(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _round_to(value: Decimal, step: int) -> Decimal:
    return Decimal(max(step, int((value / step).to_integral_value(ROUND_HALF_UP)) * step))


class LandBuilder(Part):
    """Adds the land to the worlds a DemoBuilder built (after the projects and agreements)."""

    SEED = 2026_12

    def build(self) -> None:
        for world in self.worlds:
            full = world is self.worlds[0]
            self.numbers: Counter = Counter()  # parcels of each year, for their codes
            self.actor = first_of(world, Role.ADMIN, Role.BUREAU)
            projects = sorted((p.project for p in world.plans if p.project), key=lambda p: p.code)
            supplied = [p for p in projects if p.land_delivered_on and p.land_area]
            for project in supplied:
                self._supplied(world, project)
            parks = sorted(world.parks.values(), key=lambda p: p.code)
            for i in range(8 if full else 2):  # the reserve of every park
                park, use = parks[i % len(parks)], DATA["reserve_uses"][i]
                area = _area(self.rng.choice(DATA["reserve_areas"]))
                extra = {"park": park, "land_use": use, "name": f"{park.name}储备地块{i + 1:02d}"}
                self._parcel(world, self.today - 400 * DAY, ParcelStatus.RESERVE, area, **extra)
            self._thresholds(world, DATA["thresholds"] if full else DATA["thresholds"][:1])
            if not full:
                continue
            self._idle(world, projects)
            signed = (Stage.SIGNED, Stage.REGISTERED)
            for p in projects:  # reserved for the major projects signed without land
                if p.level == Level.MAJOR and p.stage in signed and p.land_area:
                    day = p.signed_on or self.last
                    self._parcel(world, day, ParcelStatus.RESERVED, p.land_area, p)
            self._plans(world, supplied)
            self._campaign(world)
        self.line.run()

    def _parcel(self, world, day, status, area, project=None, later=(), **fields) -> None:
        """Plan a parcel recorded on ``day`` and its later changes ``[(day, change)]``."""
        year = fields.get("delivered_on", day).year
        self.numbers[year] += 1
        fields.setdefault("park", getattr(project, "park", None))
        fields.setdefault("name", f"{getattr(project, 'name', '')}用地")
        use = fields.setdefault("land_use", LandUse.INDUSTRIAL)
        fields |= {"code": f"DK-{year}-{self.numbers[year]:03d}", "area": area, "project": project}
        fields["location"] = f"{fields['park'].name}{self.rng.choice(DATA['roads'])}"
        if use != LandUse.INFRASTRUCTURE:  # else 划拨, without a price
            fields["land_price"] = _area(area * self.rng.choice(DATA["prices"]))
        held, actor, fields["district"] = {}, self.actor, world.district
        create = partial(services.create_parcel, actor, status=status, **fields)
        steps = [(day, lambda: held.update(it=create()))]
        for on, kw in later:
            steps.append((on, act(held, services.change_parcel_status, actor, on=on, **kw)))
        self.chain(steps)

    def _contract(self, world, delivered, start_months: int) -> dict:
        """A land contract (出让合同): the agreed start of construction, its number."""
        number = f"{world.district.name[:1]}土出〔{delivered.year}〕{self.rng.randint(10, 99)}号"
        start = add_months(delivered, start_months)
        return {"delivered_on": delivered, "agreed_start_on": start, "contract_number": number}

    def _supplied(self, world, project) -> None:
        delivered, later = project.land_delivered_on, []
        if project.stage == Stage.EXITED and project.started_on is None:  # the one cleared out
            on = min(project.exited_on or self.last, self.last)
            document = f"{world.district.name[:1]}府土收〔{on.year}〕{self.rng.randint(1, 9)}号"
            recovery = {"document": document, "reason": DATA["recovery_reason"]}
            later = [(on, {"status": ParcelStatus.RECOVERED, **recovery})]
        infra = project.kind == ProjectKind.INFRASTRUCTURE
        fields = {"land_use": LandUse.INFRASTRUCTURE if infra else LandUse.INDUSTRIAL}
        fields["plot_ratio"] = _area(self.rng.choice(DATA["plot_ratios"]))
        fields |= self._contract(world, delivered, 6) | {"later": later}
        self._parcel(world, delivered, ParcelStatus.SUPPLIED, project.land_area, project, **fields)

    def _idle(self, world, projects) -> None:
        """Two enterprises' earlier parcels, never built on: idle past one year, past two."""
        waiting = [p for p in projects if p.stage == Stage.LAND_DELIVERED and not p.started_on]
        waiting = [p for p in waiting if p.kind == ProjectKind.INVESTMENT and p.enterprise_id]
        for project, days in zip(waiting[:2], (560, 860), strict=False):
            delivered = self.today - (days + self.rng.randint(0, 40)) * DAY
            contract = self._contract(world, delivered, 3)
            idle = {"status": ParcelStatus.IDLE, "reason": DATA["idle_reason"]}
            later = [(idle_dates(contract["agreed_start_on"])[0], idle)]
            area = _area(self.rng.choice(DATA["idle_areas"]))
            extra = {"name": f"{project.enterprise.name}原受让地块", **contract}
            self._parcel(world, delivered, ParcelStatus.SUPPLIED, area, project, later, **extra)

    def _thresholds(self, world, rows) -> None:
        when = moment(self.today - 420 * DAY, 10, 40)
        for row in rows:
            row = {**row, "park": world.parks.get(row["park"]), "district": world.district}
            row["industry"] = world.industries.get(row["industry"])
            self.admin_save(when, self.actor, LandThreshold, **row)
            when += datetime.timedelta(minutes=self.rng.randint(2, 6))

    def _plans(self, world, supplied) -> None:
        """Last year's and this year's plans, set in January: above the supply, a major share."""
        for year in (self.today.year - 1, self.today.year):
            of_year = [p for p in supplied if p.land_delivered_on.year == year]
            total = sum((p.land_area for p in of_year), Decimal("0"))
            to_major = sum((p.land_area for p in of_year if p.level == Level.MAJOR), Decimal("0"))
            quota = _round_to(max(total * Decimal("1.35"), Decimal("800")), 50)
            reserve = min(quota, _round_to(max(to_major * Decimal("1.3"), quota / 3), 50))
            note = DATA["plan_note"].format(reserve=reserve)
            plan = {"year": year, "quota": quota, "major_reserve": reserve, "note": note}
            when = office_time(self.rng, min(datetime.date(year, 1, 15), self.last))
            self.admin_save(when, self.actor, LandPlan, district=world.district, **plan)

    def _campaign(self, world) -> None:
        """The clean-up campaign of the last half-year, opened by the leader holding the
        duty (分管工业副区长, set in the admin site), stricter than the defaults for signed
        projects. Every decision starts its follow-up; one rectification is carried through
        (confirmed), one deadline is missed (the morning's scan finds it), the idle parcels
        go into recovery; the campaign closes once every decision has its follow-up."""
        rng, year = self.rng, self.today.year
        if self.today.month > 6:
            half, as_of = Half.H1, datetime.date(year, 6, 30)
        else:
            year, half, as_of = year - 1, Half.H2, datetime.date(year - 1, 12, 31)
        opened = min(as_of + 6 * DAY, self.last - DAY)
        report = min(opened + 35 * DAY, self.last)
        lead = world.leaders["industry"]  # 副区长（分管工业）
        self.admin_save(
            moment(self.today - 400 * DAY, 11, 5), self.actor, CleanupLead,
            district=world.district, leader=lead,
        )  # fmt: skip
        office = world.role_users.get(Role.SUPERVISOR) or self.actor
        deciders = [u for u in (office, world.role_users.get(Role.BUREAU)) if u is not None]
        span, held, story = max((report - opened).days - 1, 1), {}, {}

        def open_it():
            of = {"district": world.district, "year": year, "half": half, "as_of": as_of}
            held["it"] = services.open_campaign(lead, **of, **DATA["campaign"])
            entries = CampaignEntry.objects.filter(campaign=held["it"])
            entries = entries.select_related("parcel", "campaign", "project")
            for entry in entries.order_by("pk"):
                day = opened + rng.randint(1, span) * DAY
                self.line.add(office_time(rng, day, late=0), decide, entry, rng.choice(deciders))

        def decide(entry, who):
            today = clock.today()
            decision = rng.choice(DATA["category_decisions"][entry.category])
            idle = getattr(entry.parcel, "status", "") == ParcelStatus.IDLE
            if entry.category == EntryCategory.ENCLOSED and idle:
                decision = Decision.RECOVER
            months = DATA["deadline_months"][decision]
            if decision == Decision.RECTIFY and "missed" not in story:
                story["missed"], months = entry, 1  # the one the enterprise lets pass
            elif decision == Decision.RECTIFY and "done" not in story:
                story["done"] = entry  # the one carried through
            deadline = add_months(today, months) if months else None
            against = services.contradictions(entry, decision, today)
            services.decide_entry(
                who, entry, decision=decision, reason=rng.choice(DATA["reasons"][decision]),
                deadline=deadline, facts_reason=DATA["facts_reasons"][decision] if against else "",
            )  # fmt: skip
            if story.get("missed") is entry:
                found = add_months(today, 1) + DAY  # the next morning's scan finds it missed
                if found < self.today:
                    self.line.add(moment(found, 6, 2), services.scan, found)
            if story.get("done") is entry:
                on = min(today + rng.randint(30, 50) * DAY, self.last)
                note = DATA["rectified_note"]
                self.line.add(office_time(rng, on, late=0), rectified, entry, office, note)

        def rectified(entry, who, note):
            entry.refresh_from_db()
            services.confirm_rectified(who, entry, note=note)

        self.line.add(office_time(rng, opened, late=0), open_it)
        self.line.add(moment(report, 17, 30), lambda: services.close_campaign(lead, held["it"]))


COUNTED = (LandParcel, LandPlan, LandThreshold, LandCampaign, CampaignEntry)
land_counts = counter(*zip(DATA["counts"], COUNTED, strict=True))
