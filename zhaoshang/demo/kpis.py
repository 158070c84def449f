"""Annual targets of the demo city (SPEC §12, §18; the work plan's "369" 招大引强目标任务).

The demo district has targets for last year and this year: its own (the "369" tiers: 3
projects of at least 100亿, 6 of at least 50亿, 9 of at least 10亿), one for each working
group that leads projects and one for each of the four departments paired with the most
projects. The totals are set around what the scope really signed and received: last year's
a little above or below it (some met, some missed), this year's above it (the year is not
over). The second district has its own target for this year. The bureau set each year's in
the first weeks of January, through ``kpis.services``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import DAY, Part, tally
from zhaoshang.demo.replay import office_time
from zhaoshang.kpis import services
from zhaoshang.kpis.models import DEFAULT_TIERS, AnnualTarget
from zhaoshang.projects.models import FundsEntry, Project

STEP = Decimal("1000")  # targets are set in thousands of 万元
PAIRED_DEPARTMENTS = 4
NOTE = "全面超额完成“369”招大引强目标任务"


def _round(value: Decimal) -> Decimal:
    return max(STEP, (value / STEP).quantize(Decimal("1"), ROUND_HALF_UP) * STEP)


def _tier(amount: Decimal) -> int | None:
    """The "369" tier of a project of ``amount`` (the highest whose minimum it reaches)."""
    return next((i for i, (minimum, _n) in enumerate(DEFAULT_TIERS) if amount >= minimum), None)


class KpisBuilder(Part):
    """Adds the annual targets to the worlds a DemoBuilder built (after the projects)."""

    SEED = 2026_369

    def build(self) -> None:
        for world in self.worlds:
            full = world is self.worlds[0]
            self._targets(world, (self.today.year - 1,) * full + (self.today.year,), full)
        self.line.run()

    def _actuals(self, district, years, paired) -> dict:
        """{(scope, id, year): [signed investment, funds, [tier counts]]} of the district."""
        out: dict = defaultdict(lambda: [Decimal("0"), Decimal("0"), [0, 0, 0]])

        def scopes(project) -> list:
            own = [("district", None), ("group", project.working_group_id)]
            return own + [("department", pk) for pk in paired[project.pk]]

        until = {"district": district, "signed_on__year__in": years, "signed_on__lte": self.today}
        for project in Project.objects.filter(**until).order_by("id"):
            tier = _tier(project.total_investment)
            for scope in scopes(project):
                row = out[(*scope, project.signed_on.year)]
                row[0] += project.total_investment
                if tier is not None:
                    row[2][tier] += 1
        funds = FundsEntry.objects.filter(
            project__district=district, received_on__year__in=years, received_on__lte=self.today
        )
        for entry in funds.select_related("project").order_by("id"):
            for scope in scopes(entry.project):
                out[(*scope, entry.received_on.year)][1] += entry.amount
        return out

    def _scopes(self, world, actual, paired) -> list[tuple[str, object]]:
        """The working groups that lead projects and the departments paired with most."""
        groups = {g.pk: g for g in world.groups.values()}
        led = {key for scope, key, _year in actual if scope == "group"} & set(groups)
        counts = Counter(pk for pks in paired.values() for pk in pks)
        top = sorted(counts, key=lambda pk: (-counts[pk], pk))[:PAIRED_DEPARTMENTS]
        departments = {d.pk: d for d in world.departments.values()}
        return [("group", groups[pk]) for pk in sorted(led)] + [
            ("department", departments[pk]) for pk in sorted(top) if pk in departments
        ]

    def _targets(self, world, years, full: bool) -> None:
        rng, district = self.rng, world.district
        paired = defaultdict(list)
        through = Project.paired_departments.through.objects.filter(project__district=district)
        for project_id, department_id in through.values_list("project_id", "department_id"):
            paired[project_id].append(department_id)
        actual = self._actuals(district, years, paired)
        scopes = [("district", None)] + (self._scopes(world, actual, paired) if full else [])
        actor = world.role_users.get(Role.BUREAU) or world.role_users.get(Role.ADMIN)
        for year in years:
            low, high = (1.05, 1.35) if year == self.today.year else (0.85, 1.15)
            for scope, record in scopes:
                signed, funds, tiers = actual[(scope, getattr(record, "pk", None), year)]
                target = {
                    "year": year,
                    "working_group": record if scope == "group" else None,
                    "department": record if scope == "department" else None,
                    "signed_investment": _round(signed * Decimal(f"{rng.uniform(low, high):.2f}")),
                    "funds_in_place": _round(funds * Decimal(f"{rng.uniform(low, high):.2f}")),
                    "note": NOTE if scope == "district" else "",
                }
                for n, (minimum, count) in enumerate(DEFAULT_TIERS, start=1):
                    # Another scope's: a share of the district's, what it did give or take one.
                    share = max(0, tiers[n - 1] + rng.choice((0, 1)))
                    target[f"tier{n}_min"] = minimum
                    target[f"tier{n}_count"] = count if scope == "district" else share
                target["district"] = district
                day = datetime.date(year, 1, 1) + rng.randint(7, 20) * DAY
                self.line.add(office_time(rng, day), services.create_target, actor, **target)


def kpi_counts(district_ids) -> dict[str, int]:
    """Targets of the demo districts (for the summary and tests)."""
    return tally(district_ids, ("annual targets", AnnualTarget, "district_id"))
