"""Land of the demo city (SPEC §11, §18; the work plan's 用地保障 and 园区土地清理).

Every project that has its land gets its parcel (its area, its delivery date, a land contract
agreeing the start of construction six months later); the major projects signed without land
have parcels reserved (预留); each park keeps parcels in the reserve (储备); the project cleared
out for not starting has its land recovered (收回). Two enterprises hold an earlier parcel they
never built on: idle past one year (the idle fee is due) and past two (recoverable without
compensation). The annual land plans of this year and last and the thresholds per district,
park and industry are set in the admin site; the clean-up campaign of the last half-year is
closed with a decision on every entry. The second district has a few parcels and its default
thresholds. Replayed through ``land.services``; the texts are in ``data/land.json``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import DAY, Part, admin_save, chain, tally
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time
from zhaoshang.land import services
from zhaoshang.land.choices import Decision, EntryCategory, Half, LandUse, ParcelStatus
from zhaoshang.land.clock import add_months, idle_dates
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel, LandPlan, LandThreshold
from zhaoshang.projects.choices import Level, ProjectKind, Stage

DATA = load("land")
CENT = Decimal("0.01")


def _area(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _round_to(value: Decimal, step: int) -> Decimal:
    return Decimal(max(step, int((value / step).to_integral_value(ROUND_HALF_UP)) * step))


class LandBuilder(Part):
    """Adds the land to the worlds a DemoBuilder built (after the projects and agreements)."""

    SEED = 2026_12

    def build(self) -> None:
        for world in self.worlds:
            full = world is self.worlds[0]
            self.numbers: Counter = Counter()  # parcels of each year, for their codes
            self.actor = world.role_users.get(Role.ADMIN) or world.role_users[Role.BUREAU]
            projects = sorted((p.project for p in world.plans if p.project), key=lambda p: p.code)
            supplied = self._supplied(world, projects)
            if full:
                self._idle(world, projects)
                for p in projects:  # reserved for the major projects signed without land
                    signed = p.stage in (Stage.SIGNED, Stage.REGISTERED)
                    if p.level == Level.MAJOR and signed and p.land_area:
                        day = p.signed_on or self.last
                        self._parcel(world, day, p, p.park, p.land_area, ParcelStatus.RESERVED)
            parks = sorted(world.parks.values(), key=lambda p: p.code)
            for i in range(8 if full else 2):  # the reserve of every park
                park, uses = parks[i % len(parks)], DATA["reserve_uses"]
                area = _area(self.rng.choice(DATA["reserve_areas"]))
                extra = {"land_use": uses[i % len(uses)], "name": f"{park.name}储备地块{i + 1:02d}"}
                day = self.today - 400 * DAY
                self._parcel(world, day, None, park, area, ParcelStatus.RESERVE, **extra)
            self._thresholds(world, full)
            if full:
                self._plans(world, supplied)
                self._campaign(world)
        self.line.run()

    def _parcel(self, world, day, project, park, area, status, *later, **extra) -> None:
        """Plan a parcel recorded on ``day`` and its later status changes ``(day, change)``."""
        year = extra.get("delivered_on", day).year
        self.numbers[year] += 1
        use = extra.pop("land_use", LandUse.INDUSTRIAL)
        price = None  # 划拨 for infrastructure, else a price per mu
        if use != LandUse.INFRASTRUCTURE:
            price = _area(area * self.rng.choice(DATA["prices"]))
        fields = {
            "code": f"DK-{year}-{self.numbers[year]:03d}",
            "name": f"{project.name}用地" if project else "",
            "location": f"{park.name}{self.rng.choice(DATA['roads'])}",
            "park": park,
            "area": area,
            "land_use": use,
            "project": project,
            "land_price": price,
            **extra,
        }
        held, actor = {}, self.actor

        def create():
            held["it"] = services.create_parcel(
                actor, district=world.district, status=status, **fields
            )

        def change(on, **kwargs):
            return lambda: services.change_parcel_status(actor, held["it"], on=on, **kwargs)

        chain(self.line, self.rng, [(day, create)] + [(on, change(on, **kw)) for on, kw in later])

    def _supplied(self, world, projects) -> list[tuple]:
        """The parcels of the projects that have their land; (delivered_on, area, project)."""
        supplied, rng, district = [], self.rng, world.district
        for project in projects:
            delivered = project.land_delivered_on
            if not delivered or not project.land_area:
                continue
            later = []
            if project.stage == Stage.EXITED and project.started_on is None:
                recovered = min(project.exited_on or self.last, self.last)
                document = f"{district.name[:1]}府土收〔{recovered.year}〕{rng.randint(1, 9)}号"
                recovery = {"reason": DATA["recovery_reason"], "document": document}
                later.append((recovered, {"status": ParcelStatus.RECOVERED, **recovery}))
            infra = project.kind == ProjectKind.INFRASTRUCTURE
            self._parcel(
                world, delivered, project, project.park, project.land_area, ParcelStatus.SUPPLIED,
                *later,
                land_use=LandUse.INFRASTRUCTURE if infra else LandUse.INDUSTRIAL,
                delivered_on=delivered,
                # Land contracts (出让合同) agree the start of construction six months on.
                agreed_start_on=add_months(delivered, 6),
                contract_number=f"{district.name[:1]}土出〔{delivered.year}〕{rng.randint(10, 99)}号",
                plot_ratio=_area(rng.choice([0.8, 1.0, 1.2, 1.5])),
            )  # fmt: skip
            supplied.append((delivered, project.land_area, project))
        return supplied

    def _idle(self, world, projects) -> None:
        """Two enterprises whose projects have their land but have not started hold an
        earlier parcel they never built on: idle past one year, and past two."""
        candidates = [
            p for p in projects
            if p.kind == ProjectKind.INVESTMENT and p.stage == Stage.LAND_DELIVERED
            and p.started_on is None and p.enterprise_id
        ]  # fmt: skip
        for project, days in zip(candidates[:2], (560, 860), strict=False):
            delivered = self.today - (days + self.rng.randint(0, 40)) * DAY
            start = add_months(delivered, 3)
            idle = {"status": ParcelStatus.IDLE, "reason": DATA["idle_reason"]}
            self._parcel(
                world, delivered, project, project.park, _area(self.rng.choice([18, 26, 35, 42])),
                ParcelStatus.SUPPLIED, (idle_dates(start)[0], idle),
                delivered_on=delivered,
                agreed_start_on=start,
                contract_number=f"东土出〔{delivered.year}〕{self.rng.randint(10, 99)}号",
                name=f"{project.enterprise.name}原受让地块",
            )  # fmt: skip

    # -- set in the admin site -------------------------------------------------------------

    def _thresholds(self, world, full: bool) -> None:
        when = moment(self.today - 420 * DAY, 10, 40)
        for park, industry, intensity, tax, ratio in DATA["thresholds"][: None if full else 1]:
            park, industry = world.parks.get(park), world.industries.get(industry)
            values = {"park": park, "industry": industry, "min_plot_ratio": ratio}
            values |= {"min_intensity": intensity, "min_tax_per_mu": tax}
            values["district"] = world.district
            self.line.add(when, admin_save, self.actor, LandThreshold, **values)
            when += datetime.timedelta(minutes=self.rng.randint(2, 6))

    def _plans(self, world, supplied) -> None:
        """This year's and last year's plan, set in January: the quota a little above what
        was supplied and a share reserved for major projects."""
        for year in (self.today.year - 1, self.today.year):
            areas = [(a, p.level == Level.MAJOR) for day, a, p in supplied if day.year == year]
            total = sum((a for a, _major in areas), Decimal("0"))
            to_major = sum((a for a, major in areas if major), Decimal("0"))
            quota = _round_to(max(total * Decimal("1.35"), Decimal("800")), 50)
            reserve = min(quota, _round_to(max(to_major * Decimal("1.3"), quota / 3), 50))
            when = office_time(self.rng, min(datetime.date(year, 1, 15), self.last))
            note = DATA["plan_note"].format(reserve=reserve)
            plan = {"year": year, "quota": quota, "major_reserve": reserve, "note": note}
            self.line.add(when, admin_save, self.actor, LandPlan, district=world.district, **plan)

    # -- the clean-up campaign of the last half-year -----------------------------------------

    def _campaign(self, world) -> None:
        rng, year = self.rng, self.today.year
        if self.today.month > 6:
            half, as_of = Half.H1, datetime.date(year, 6, 30)
        else:
            year, half, as_of = year - 1, Half.H2, datetime.date(year - 1, 12, 31)
        opened = min(as_of + 6 * DAY, self.last - DAY)
        report = min(opened + 35 * DAY, self.last)
        leader = world.role_users.get(Role.SUPERVISOR) or self.actor
        deciders = [u for u in (leader, world.role_users.get(Role.BUREAU)) if u is not None]
        span, held = max((report - opened).days - 1, 1), {}

        def open_it():
            # Stricter than the defaults, as the district decided for this round.
            held["it"] = services.open_campaign(
                leader, district=world.district, year=year, half=half, as_of=as_of,
                signed_months=4, production_years=1, note=DATA["campaign_note"],
            )  # fmt: skip
            entries = CampaignEntry.objects.filter(campaign=held["it"]).select_related("parcel")
            for entry in entries.order_by("pk"):
                day = opened + rng.randint(1, span) * DAY
                self.line.add(office_time(rng, day, late=0), decide, entry, rng.choice(deciders))

        def decide(entry, who):
            decision = rng.choice(DATA["category_decisions"][entry.category])
            idle = getattr(entry.parcel, "status", "") == ParcelStatus.IDLE
            if entry.category == EntryCategory.ENCLOSED and idle:
                decision = Decision.RECOVER
            deadline = add_months(clock.today(), 3) if decision == Decision.RECTIFY else None
            reason = rng.choice(DATA["reasons"][decision])
            services.decide_entry(who, entry, decision=decision, reason=reason, deadline=deadline)

        self.line.add(office_time(rng, opened, late=0), open_it)
        self.line.add(moment(report, 17, 30), lambda: services.close_campaign(leader, held["it"]))


def land_counts(district_ids) -> dict[str, int]:
    """Land records of the demo districts (for the summary and tests)."""
    models = {"parcels": LandParcel, "plans": LandPlan, "thresholds": LandThreshold}
    models |= {"campaigns": LandCampaign}
    rows = [(f"land {label}", model, "district_id") for label, model in models.items()]
    return tally(district_ids, *rows, ("campaign entries", CampaignEntry, "district_id"))
