"""Land of the demo city (SPEC §11, §18; the work plan's 用地保障 and 园区土地清理).

Every project that has its land gets its parcel (its land area, its delivery date, a land
contract whose agreed start of construction is six months after the delivery); the major
projects signed but without land have parcels reserved (预留); each park keeps parcels in the
reserve (储备). The project that was cleared out for not starting has its land recovered
(收回). Two enterprises hold an earlier parcel they never built on: one idle past a year (the
idle fee is due), one past two years (it may be recovered without compensation). The annual
land plans of this year and last, thresholds per district, park and industry, and the
clean-up campaign of the last half-year — closed, with a decision on every entry — complete
the demo district; the second district has a few parcels and its default thresholds.

Replayed through ``land.services`` on a ``replay.Timeline`` with the clock set to each
step's moment (the plans and thresholds, set in the admin site, are saved with the clock
set to their day); the texts are in ``data/land.json``.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Q

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import chain
from zhaoshang.demo.replay import Timeline, moment, office_time
from zhaoshang.land import services
from zhaoshang.land.choices import Decision, EntryCategory, Half, LandUse, ParcelStatus
from zhaoshang.land.clock import add_months, idle_dates
from zhaoshang.land.models import CampaignEntry, LandCampaign, LandParcel, LandPlan, LandThreshold
from zhaoshang.projects.choices import Level, ProjectKind, Stage

SEED = 2026_12
DATA = json.loads((Path(__file__).parent / "data" / "land.json").read_text("utf-8"))
CENT = Decimal("0.01")
ONE_DAY = datetime.timedelta(days=1)
# Land contracts (出让合同) agree the start of construction six months after the delivery.
CONTRACT_START_MONTHS = 6


def _area(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _round_to(value: Decimal, step: int) -> Decimal:
    return Decimal(max(step, int((value / step).to_integral_value(ROUND_HALF_UP)) * step))


class LandBuilder:
    """Adds the land to the worlds a DemoBuilder built (after the projects and agreements)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.line = Timeline(self.today)
        self.last = self.today - ONE_DAY

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            full = index == 0
            supplied = self._parcels(world, full)
            self._thresholds(world, full)
            if full:
                self._plans(world, supplied)
                self._campaign(world)
        self.line.run()

    def _actor(self, world):
        return world.role_users.get(Role.ADMIN) or world.role_users.get(Role.BUREAU)

    def _price(self, area: Decimal, use: str) -> Decimal | None:
        if use == LandUse.INFRASTRUCTURE:
            return None  # 划拨
        return _area(area * self.rng.choice([16, 18, 20, 22, 25, 28, 30]))

    # -- parcels --------------------------------------------------------------------------

    def _parcels(self, world, full: bool) -> list[tuple]:
        """Plan the parcels; returns (delivered_on, area, project) of those supplied."""
        rng, district, actor = self.rng, world.district, self._actor(world)
        projects = sorted((p.project for p in world.plans if p.project), key=lambda p: p.code)
        numbers: dict[int, int] = defaultdict(int)
        supplied = []

        def parcel(day, project, park, area, use, status, *later, **extra):
            year = extra.get("delivered_on", day).year
            numbers[year] += 1
            fields = {
                "code": f"DK-{year}-{numbers[year]:03d}",
                "name": extra.pop("name", None) or f"{project.name}用地",
                "location": f"{park.name}{rng.choice(DATA['roads'])}",
                "park": park,
                "area": area,
                "land_use": use,
                "project": project,
                "land_price": self._price(area, use),
                **extra,
            }
            held = {}

            def create():
                held["p"] = services.create_parcel(
                    actor, district=district, status=status, **fields
                )

            def change(**kwargs):
                return lambda: services.change_parcel_status(actor, held["p"], **kwargs)

            steps = [(day, create)] + [(on, change(on=on, **kw)) for on, kw in later]
            chain(self.line, rng, steps)

        # Projects that have their land.
        for project in projects:
            delivered = project.land_delivered_on
            if not delivered or not project.land_area:
                continue
            infra = project.kind == ProjectKind.INFRASTRUCTURE
            use = LandUse.INFRASTRUCTURE if infra else LandUse.INDUSTRIAL
            extra = {
                "delivered_on": delivered,
                "agreed_start_on": add_months(delivered, CONTRACT_START_MONTHS),
                "contract_number": f"{district.name[:1]}土出〔{delivered.year}〕{rng.randint(10, 99)}号",
                "plot_ratio": _area(rng.choice([0.8, 1.0, 1.2, 1.5])),
            }
            later = []
            if project.stage == Stage.EXITED and project.started_on is None:
                recovered = min(project.exited_on or self.last, self.last)
                document = f"{district.name[:1]}府土收〔{recovered.year}〕{rng.randint(1, 9)}号"
                recovery = {"status": ParcelStatus.RECOVERED, "reason": DATA["recovery_reason"]}
                later.append((recovered, {**recovery, "document": document}))
            area = project.land_area
            parcel(
                delivered, project, project.park, area, use, ParcelStatus.SUPPLIED, *later, **extra
            )
            supplied.append((delivered, area, project))
        if full:
            self._idle_parcels(projects, parcel)
            # Land reserved (预留) for the major projects that are signed but without land.
            for project in projects:
                if (
                    project.level == Level.MAJOR
                    and project.stage in (Stage.SIGNED, Stage.REGISTERED)
                    and project.land_area
                ):
                    day = project.signed_on or self.last
                    parcel(
                        day, project, project.park, project.land_area,
                        LandUse.INDUSTRIAL, ParcelStatus.RESERVED,
                    )  # fmt: skip
        # The reserve (储备) of every park.
        parks = sorted(world.parks.values(), key=lambda p: p.code)
        for i in range(8 if full else 2):
            park = parks[i % len(parks)]
            use = DATA["reserve_uses"][i % len(DATA["reserve_uses"])]
            area = _area(rng.choice([25, 40, 60, 85, 120, 150, 210, 300]))
            day = self.today - datetime.timedelta(days=400)
            name = f"{park.name}储备地块{i + 1:02d}"
            parcel(day, None, park, area, use, ParcelStatus.RESERVE, name=name)
        return supplied

    def _idle_parcels(self, projects, parcel) -> None:
        """Two enterprises whose projects have their land but have not started hold an
        earlier parcel they never built on: idle past one year, and past two."""
        candidates = [
            p
            for p in projects
            if p.kind == ProjectKind.INVESTMENT
            and p.stage == Stage.LAND_DELIVERED
            and p.started_on is None
            and p.enterprise_id
        ]
        for project, days in zip(candidates[:2], (560, 860), strict=False):
            delivered = self.today - datetime.timedelta(days=days + self.rng.randint(0, 40))
            start = add_months(delivered, 3)
            idle_on, _recoverable_on = idle_dates(start)
            area = _area(self.rng.choice([18, 26, 35, 42]))
            idle = {"status": ParcelStatus.IDLE, "reason": DATA["idle_reason"]}
            parcel(
                delivered, project, project.park, area, LandUse.INDUSTRIAL, ParcelStatus.SUPPLIED,
                (idle_on, idle),
                delivered_on=delivered,
                agreed_start_on=start,
                contract_number=f"东土出〔{delivered.year}〕{self.rng.randint(10, 99)}号",
                name=f"{project.enterprise.name}原受让地块",
            )  # fmt: skip

    # -- thresholds and plans (set in the admin site) ----------------------------------------

    def _thresholds(self, world, full: bool) -> None:
        district = world.district
        rows = [LandThreshold(district=district, min_intensity=Decimal("150"),
                              min_tax_per_mu=Decimal("10"), min_plot_ratio=Decimal("1.00"))]  # fmt: skip
        for park, industry, intensity, tax, ratio in DATA["thresholds"] if full else ():
            park, industry = world.parks.get(park), world.industries.get(industry)
            if park is None and industry is None:
                continue
            rows.append(
                LandThreshold(
                    district=district,
                    park=park,
                    industry=industry,
                    min_intensity=Decimal(intensity),
                    min_tax_per_mu=Decimal(tax),
                    min_plot_ratio=Decimal(ratio) if ratio else None,
                )
            )
        self.line.add(moment(self.today - datetime.timedelta(days=420), 10, 40), self._save, rows)

    @staticmethod
    def _save(rows) -> None:
        for row in rows:
            row.save()

    def _plans(self, world, supplied) -> None:
        """This year's and last year's plan, set in January: the quota a little above what
        was supplied and a share reserved for major projects."""
        for year in (self.today.year - 1, self.today.year):
            areas = [
                (area, p.level == Level.MAJOR) for day, area, p in supplied if day.year == year
            ]
            total = sum((a for a, _major in areas), Decimal("0"))
            to_major = sum((a for a, major in areas if major), Decimal("0"))
            quota = _round_to(max(total * Decimal("1.35"), Decimal("800")), 50)
            reserve = min(quota, _round_to(max(to_major * Decimal("1.3"), quota / 3), 50))
            row = LandPlan(
                district=world.district,
                year=year,
                quota=quota,
                major_reserve=reserve,
                note=DATA["plan_note"].format(reserve=reserve),
            )
            day = min(datetime.date(year, 1, 15), self.last)
            self.line.add(office_time(self.rng, day), self._save, [row])

    # -- the clean-up campaign of the last half-year ----------------------------------------

    def _campaign(self, world) -> None:
        rng = self.rng
        if self.today.month > 6:
            year, half, as_of = self.today.year, Half.H1, datetime.date(self.today.year, 6, 30)
        else:
            year, half = self.today.year - 1, Half.H2
            as_of = datetime.date(self.today.year - 1, 12, 31)
        opened = min(as_of + datetime.timedelta(days=6), self.last - ONE_DAY)
        report = min(opened + datetime.timedelta(days=35), self.last)
        leader = world.role_users.get(Role.SUPERVISOR) or self._actor(world)
        deciders = [u for u in (leader, world.role_users.get(Role.BUREAU)) if u is not None]
        span = max((report - opened).days - 1, 1)
        held = {}

        def open_it():
            held["c"] = services.open_campaign(
                leader,
                district=world.district,
                year=year,
                half=half,
                as_of=as_of,
                # Stricter than the defaults, as the district decided for this round.
                signed_months=4,
                production_years=1,
                note=DATA["campaign_note"],
            )
            entries = CampaignEntry.objects.filter(campaign=held["c"]).select_related("parcel")
            for entry in entries.order_by("pk"):
                day = opened + datetime.timedelta(days=rng.randint(1, span))
                self.line.add(office_time(rng, day, late=0), decide, entry, rng.choice(deciders))

        def decide(entry, who):
            decision = rng.choice(DATA["category_decisions"][entry.category])
            parcel = entry.parcel
            if (
                entry.category == EntryCategory.ENCLOSED
                and parcel
                and parcel.status == ParcelStatus.IDLE
            ):
                decision = Decision.RECOVER
            deadline = add_months(clock.today(), 3) if decision == Decision.RECTIFY else None
            reason = rng.choice(DATA["reasons"][decision])
            services.decide_entry(who, entry, decision=decision, reason=reason, deadline=deadline)

        close = services.close_campaign
        self.line.add(office_time(rng, opened, late=0), open_it)
        self.line.add(moment(report, 17, 30), lambda: close(leader, held["c"]))


def land_counts(district_ids) -> dict[str, int]:
    """Land records of the demo districts (for the summary and tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "land parcels": LandParcel.objects.filter(in_districts).count(),
        "land plans": LandPlan.objects.filter(in_districts).count(),
        "land thresholds": LandThreshold.objects.filter(in_districts).count(),
        "land campaigns": LandCampaign.objects.filter(in_districts).count(),
        "campaign entries": CampaignEntry.objects.filter(in_districts).count(),
    }
