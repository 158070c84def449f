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

Rows are built directly, dated in the past as the services would have dated them; the
campaign's entries come from ``land.services.build_entries`` itself. Nothing is dated after
today.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.agreements.choices import Term
from zhaoshang.agreements.models import Obligation
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.land import services
from zhaoshang.land.choices import (
    CampaignStatus,
    Clock,
    Decision,
    EntryCategory,
    Half,
    LandUse,
    ParcelStatus,
)
from zhaoshang.land.clock import add_months, clock_state, idle_dates
from zhaoshang.land.models import (
    CampaignEntry,
    LandCampaign,
    LandParcel,
    LandPlan,
    LandThreshold,
)
from zhaoshang.projects.choices import Level, ProjectKind, Stage

SEED = 2026_12
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
# Land contracts (出让合同) agree the start of construction six months after the delivery.
CONTRACT_START_MONTHS = 6
ROADS = [
    "东城大道与经三路交叉口东北侧",
    "工业大道以南、纬二路以东",
    "通航大道以北、经五路以西",
    "物流园路与滨河路交叉口西南侧",
    "化工园区纬一路以北",
    "电子信息产业园经二路东侧",
    "食品产业园创业路南段",
    "装备制造产业园科技路以西",
]
RESERVE_USES = [
    LandUse.INDUSTRIAL,
    LandUse.INDUSTRIAL,
    LandUse.INDUSTRIAL,
    LandUse.WAREHOUSING,
    LandUse.COMMERCIAL,
    LandUse.INFRASTRUCTURE,
]
REASONS = {
    Decision.OBSERVE: [
        "企业已制定开工计划并落实资金，保留观察，按月跟踪",
        "受市场影响暂缓，企业承诺年内启动，保留观察",
    ],
    Decision.RECTIFY: [
        "下达限期整改通知书，责令企业在期限内开工建设",
        "约谈企业负责人，限期补足投资、完善手续",
        "限期提交达产方案并落实设备投入",
    ],
    Decision.RECOVER: ["闲置满一年，依据出让合同约定收回土地使用权"],
    Decision.CLEAR: ["企业明确表示无力继续投资，依投资协议约定依法清退"],
    Decision.REVITALIZE: [
        "引入产业链配套企业二次招商，盘活闲置厂房",
        "支持企业技改扩能，提高亩均效益",
    ],
}
CATEGORY_DECISIONS = {
    EntryCategory.ENCLOSED: [Decision.RECTIFY, Decision.RECTIFY, Decision.OBSERVE],
    EntryCategory.SIGNED: [Decision.RECTIFY, Decision.RECTIFY, Decision.CLEAR, Decision.OBSERVE],
    EntryCategory.BUILT: [Decision.RECTIFY, Decision.OBSERVE, Decision.CLEAR],
    EntryCategory.LOW_EFFICIENCY: [Decision.REVITALIZE, Decision.RECTIFY, Decision.OBSERVE],
}


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
        self.parcel_type = ContentType.objects.get_for_model(LandParcel)
        self.campaign_type = ContentType.objects.get_for_model(LandCampaign)
        self.entry_type = ContentType.objects.get_for_model(CampaignEntry)
        self.events: list[DomainEvent] = []
        self.now = timezone.now()

    # -- entry point ----------------------------------------------------------------------

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            full = index == 0
            parcels = self._parcels(world, full)
            self._thresholds(world, full)
            if full:
                self._plans(world, parcels)
                self._campaign(world)
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)

    # -- helpers --------------------------------------------------------------------------

    def _at(self, day: datetime.date) -> datetime.datetime:
        moment = self.builder._at(min(day, self.today))
        if moment < self.now:
            return moment
        return self.now - datetime.timedelta(minutes=self.rng.randint(5, 60))

    def _event(self, ctype, obj, actor, verb, day, summary="", **data) -> None:
        clean = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
        self.events.append(
            DomainEvent(
                district_id=obj.district_id,
                occurred_at=self._at(day),
                actor=actor,
                verb=verb,
                content_type=ctype,
                object_id=obj.pk,
                summary=summary[:300],
                data=clean,
            )
        )

    def _actor(self, world):
        return world.role_users.get(Role.ADMIN) or world.role_users.get(Role.BUREAU)

    def _price(self, area: Decimal, use: str) -> Decimal | None:
        if use == LandUse.INFRASTRUCTURE:
            return None  # 划拨
        per_mu = self.rng.choice([16, 18, 20, 22, 25, 28, 30])
        return _area(area * per_mu)

    # -- parcels --------------------------------------------------------------------------

    def _parcels(self, world, full: bool) -> list[LandParcel]:
        rng = self.rng
        district = world.district
        actor = self._actor(world)
        projects = sorted(
            (plan.project for plan in world.plans if plan.project is not None),
            key=lambda p: p.code,
        )
        agreement_start = dict(
            Obligation.objects.filter(
                agreement__project__district=district, term=Term.START, waived_on__isnull=True
            ).values_list("agreement__project_id", "due_on")
        )
        numbers: dict[int, int] = {}
        rows: list[tuple[LandParcel, list]] = []  # (parcel, its status story)

        def code(year: int) -> str:
            numbers[year] = numbers.get(year, 0) + 1
            return f"DK-{year}-{numbers[year]:03d}"

        def parcel(project, park, area, use, status, delivered=None, **extra) -> LandParcel:
            return LandParcel(
                district=district,
                code=code((delivered or self.today).year if delivered else self.today.year),
                name=extra.pop("name", None) or f"{project.name}用地",
                location=f"{park.name}{rng.choice(ROADS)}",
                park=park,
                area=area,
                land_use=use,
                status=status,
                project=project,
                delivered_on=delivered,
                land_price=self._price(area, use),
                **extra,
            )

        # Projects that have their land.
        for project in projects:
            if not project.land_delivered_on or not project.land_area:
                continue
            delivered = project.land_delivered_on
            use = (
                LandUse.INFRASTRUCTURE
                if project.kind == ProjectKind.INFRASTRUCTURE
                else LandUse.INDUSTRIAL
            )
            contract = f"{district.name[:1]}土出〔{delivered.year}〕{rng.randint(10, 99)}号"
            story = [(ParcelStatus.SUPPLIED, delivered, "")]
            extra = {
                "agreed_start_on": add_months(delivered, CONTRACT_START_MONTHS),
                "contract_number": contract,
                "plot_ratio": _area(rng.choice([0.8, 1.0, 1.2, 1.5])),
            }
            status = ParcelStatus.SUPPLIED
            if project.stage == Stage.EXITED and project.started_on is None:
                status = ParcelStatus.RECOVERED
                recovered = project.exited_on or self.today
                extra.update(
                    recovered_on=recovered,
                    recovery_document=f"{district.name[:1]}府土收〔{recovered.year}〕"
                    f"{rng.randint(1, 9)}号",
                    status_reason="签约后未按约定开工，依投资协议清退并收回土地",
                )
                story.append((ParcelStatus.RECOVERED, recovered, extra["status_reason"]))
            rows.append(
                (parcel(project, project.park, project.land_area, use, status, delivered, **extra),
                 story)
            )  # fmt: skip

        if full:
            rows += self._idle_parcels(world, projects, agreement_start, parcel)
            # Land reserved (预留) for the major projects that are signed but without land.
            for project in projects:
                if (
                    project.level == Level.MAJOR
                    and project.stage in (Stage.SIGNED, Stage.REGISTERED)
                    and project.land_area
                ):
                    rows.append(
                        (parcel(project, project.park, project.land_area,
                                LandUse.INDUSTRIAL, ParcelStatus.RESERVED),
                         [(ParcelStatus.RESERVED, project.signed_on or self.today, "重大项目预留")])
                    )  # fmt: skip
        # The reserve (储备) of every park.
        parks = sorted(world.parks.values(), key=lambda p: p.code)
        for i in range(8 if full else 2):
            park = parks[i % len(parks)]
            use = RESERVE_USES[i % len(RESERVE_USES)]
            area = _area(rng.choice([25, 40, 60, 85, 120, 150, 210, 300]))
            rows.append(
                (parcel(None, park, area, use, ParcelStatus.RESERVE,
                        name=f"{park.name}储备地块{i + 1:02d}"),
                 [])
            )  # fmt: skip

        saved = bulk_create_with_history([p for p, _story in rows], LandParcel, default_user=actor)
        by_code = {p.code: p for p in LandParcel.objects.filter(district=district)}
        for (row, story), _ in zip(rows, saved, strict=True):
            obj = by_code[row.code]
            first = story[0][1] if story else self.today - datetime.timedelta(days=400)
            self._event(self.parcel_type, obj, actor, "land_parcel.created", first, obj.name)
            before = ParcelStatus.RESERVE
            for status, day, reason in story:
                summary = f"{ParcelStatus(before).label} → {ParcelStatus(status).label}"
                self._event(
                    self.parcel_type, obj, actor, "land_parcel.status_changed", day,
                    f"{summary}{' · ' + reason if reason else ''}", **{"from": before, "to": status},
                )  # fmt: skip
                before = status
        return list(by_code.values())

    def _idle_parcels(self, world, projects, agreement_start, parcel):
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
        rows = []
        for project, days in zip(candidates[:2], (560, 860), strict=False):
            delivered = self.today - datetime.timedelta(days=days + self.rng.randint(0, 40))
            start = add_months(delivered, 3)
            idle_on, recoverable_on = idle_dates(start)
            state = clock_state(True, idle_on, recoverable_on, self.today)
            assert state in (Clock.IDLE, Clock.RECOVERABLE)
            area = _area(self.rng.choice([18, 26, 35, 42]))
            extra = {
                "agreed_start_on": start,
                "contract_number": f"东土出〔{delivered.year}〕{self.rng.randint(10, 99)}号",
                "idle_on": idle_on,
                "status_reason": "超过出让合同约定动工日期满一年未动工开发，认定为闲置土地",
                "name": f"{project.enterprise.name}原受让地块",
            }
            rows.append(
                (parcel(project, project.park, area, LandUse.INDUSTRIAL, ParcelStatus.IDLE,
                        delivered, **extra),
                 [(ParcelStatus.SUPPLIED, delivered, ""),
                  (ParcelStatus.IDLE, idle_on, extra["status_reason"])])
            )  # fmt: skip
        return rows

    # -- thresholds and plans ----------------------------------------------------------------

    def _thresholds(self, world, full: bool) -> None:
        district = world.district
        rows = [LandThreshold(district=district, min_intensity=Decimal("150"),
                              min_tax_per_mu=Decimal("10"), min_plot_ratio=Decimal("1.00"))]  # fmt: skip
        if full:
            parks, industries = world.parks, world.industries
            wanted = [
                (parks.get("P-EQUIP"), None, "220", "15", "1.20"),
                (parks.get("P-AVIA"), None, "180", "12", "0.80"),
                (None, industries.get("food"), "130", "12", None),
                (None, industries.get("logi"), "100", "8", "0.80"),
                (parks.get("P-CHEM"), industries.get("chem"), "260", "20", "1.00"),
            ]
            for park, industry, intensity, tax, ratio in wanted:
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
        bulk_create_with_history(rows, LandThreshold, default_user=self._actor(world))

    def _plans(self, world, parcels) -> None:
        """This year's and last year's plan, the quota a little above what was supplied and
        a share reserved for major projects."""
        rows = []
        major = {p.pk for p in (plan.project for plan in world.plans) if p.level == Level.MAJOR}
        for year in (self.today.year - 1, self.today.year):
            supplied = [
                p
                for p in parcels
                if p.delivered_on
                and p.delivered_on.year == year
                and p.status != ParcelStatus.RESERVE
            ]
            total = sum((p.area for p in supplied), Decimal("0"))
            to_major = sum((p.area for p in supplied if p.project_id in major), Decimal("0"))
            quota = _round_to(max(total * Decimal("1.35"), Decimal("800")), 50)
            reserve = min(quota, _round_to(max(to_major * Decimal("1.3"), quota / 3), 50))
            rows.append(
                LandPlan(
                    district=world.district,
                    year=year,
                    quota=quota,
                    major_reserve=reserve,
                    note=f"按照“有限指标保重点”原则，预留重大项目建设用地指标{reserve}亩。",
                )
            )
        bulk_create_with_history(rows, LandPlan, default_user=self._actor(world))

    # -- the clean-up campaign of the last half-year ----------------------------------------

    def _campaign(self, world) -> None:
        rng = self.rng
        if self.today.month > 6:
            year, half, as_of = self.today.year, Half.H1, datetime.date(self.today.year, 6, 30)
        else:
            year, half = self.today.year - 1, Half.H2
            as_of = datetime.date(self.today.year - 1, 12, 31)
        opened = min(as_of + datetime.timedelta(days=6), self.today)
        report = min(opened + datetime.timedelta(days=35), self.today)
        leader = world.role_users.get(Role.SUPERVISOR) or self._actor(world)
        deciders = [u for u in (leader, world.role_users.get(Role.BUREAU)) if u is not None]
        campaign = LandCampaign.objects.create(
            district=world.district,
            year=year,
            half=half,
            status=CampaignStatus.OPEN,
            as_of=as_of,
            opened_by=leader,
            opened_on=opened,
            # Stricter than the defaults, as the district decided for this round.
            signed_months=4,
            production_years=1,
            note="分管工业副区长牵头，组织国土、住建、经信等部门开展园区土地清理；本轮从严，"
            "签约满4个月未开工、开工满1年未投产的项目一并列入。",
        )
        entries = services.build_entries(campaign)
        span = max((report - opened).days, 1)
        for entry in entries:
            decision = rng.choice(CATEGORY_DECISIONS[entry.category])
            parcel = entry.parcel
            if (
                entry.category == EntryCategory.ENCLOSED
                and parcel is not None
                and parcel.status == ParcelStatus.IDLE
            ):
                decision = Decision.RECOVER
            day = opened + datetime.timedelta(days=rng.randint(1, span))
            entry.decision = decision
            entry.decision_reason = rng.choice(REASONS[decision])
            entry.deadline = add_months(day, 3) if decision == Decision.RECTIFY else None
            entry.decided_by = rng.choice(deciders)
            entry.decided_at = self._at(day)
        bulk_create_with_history(entries, CampaignEntry, default_user=leader)
        campaign.status = CampaignStatus.CLOSED
        campaign.report_on = report
        campaign.closed_by = leader
        campaign.version = 2
        campaign.save()
        self._event(self.campaign_type, campaign, leader, "land_campaign.opened", opened,
                    str(campaign))  # fmt: skip
        self._event(self.campaign_type, campaign, leader, "land_campaign.generated", opened,
                    f"{len(entries)}", added=len(entries))  # fmt: skip
        for entry in CampaignEntry.objects.filter(campaign=campaign).select_related("project"):
            self._event(
                self.entry_type, entry, entry.decided_by, "land_entry.decided",
                timezone.localtime(entry.decided_at).date(),
                f"{entry.project} · {entry.get_decision_display()}", decision=entry.decision,
            )  # fmt: skip
        self._event(self.campaign_type, campaign, leader, "land_campaign.closed", report,
                    str(campaign))  # fmt: skip


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
