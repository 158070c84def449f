"""Annual targets of the demo city (SPEC §12, §18; the work plan's "369" 招大引强目标任务).

The demo district has targets for last year and this year: its own (the "369" tiers: 3
projects of at least 100亿, 6 of at least 50亿, 9 of at least 10亿), one for each working
group that leads projects and one for each of the four departments paired with the most
projects. The totals are set around what the scope really signed and received: last year's
a little above or below it (some met, some missed), this year's above it (the year is not
over). The second district has its own target for this year.

Deterministic (a seeded random generator, the records sorted by id); built once inside the
demo's transaction (``load_demo`` is idempotent).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.replay import office_time
from zhaoshang.kpis import services
from zhaoshang.kpis.models import DEFAULT_TIERS, AnnualTarget
from zhaoshang.projects.models import FundsEntry, Project

SEED = 2026_369
STEP = Decimal("1000")  # targets are set in thousands of 万元
PAIRED_DEPARTMENTS = 4


def _round(value: Decimal) -> Decimal:
    return max(STEP, (value / STEP).quantize(Decimal("1"), ROUND_HALF_UP) * STEP)


class KpisBuilder:
    """Adds the annual targets to the worlds a DemoBuilder built (after the projects)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            years = (self.today.year - 1, self.today.year) if index == 0 else (self.today.year,)
            self._targets(world, years, full=index == 0)

    def _actuals(self, district, years) -> dict:
        """{(scope, id, year): [signed investment, funds, [tier counts]]} of the district."""
        out: dict = defaultdict(lambda: [Decimal("0"), Decimal("0"), [0, 0, 0]])
        projects = Project.objects.filter(
            district=district, signed_on__year__in=years, signed_on__lte=self.today
        ).prefetch_related("paired_departments")
        for project in projects.order_by("id"):
            year = project.signed_on.year
            scopes = [("district", None), ("group", project.working_group_id)]
            scopes += [("department", d.pk) for d in project.paired_departments.all()]
            for scope, key in scopes:
                row = out[(scope, key, year)]
                row[0] += project.total_investment
                for i, (minimum, _count) in enumerate(DEFAULT_TIERS):
                    upper = DEFAULT_TIERS[i - 1][0] if i else None
                    if project.total_investment >= minimum and (
                        upper is None or project.total_investment < upper
                    ):
                        row[2][i] += 1
        funds = FundsEntry.objects.filter(
            project__district=district, received_on__year__in=years, received_on__lte=self.today
        ).select_related("project")
        paired = defaultdict(list)
        for project_id, department_id in Project.paired_departments.through.objects.filter(
            project__district=district
        ).values_list("project_id", "department_id"):
            paired[project_id].append(department_id)
        for entry in funds.order_by("id"):
            year = entry.received_on.year
            scopes = [("district", None), ("group", entry.project.working_group_id)]
            scopes += [("department", d) for d in paired[entry.project_id]]
            for scope, key in scopes:
                out[(scope, key, year)][1] += entry.amount
        return out

    def _targets(self, world, years, full: bool) -> None:
        rng = self.rng
        district = world.district
        actual = self._actuals(district, years)
        scopes: list[tuple[str, object]] = [("district", None)]
        if full:
            groups = sorted(
                {g for (s, g, _y) in actual if s == "group" and g is not None}
                & {g.pk for g in world.groups.values()}
            )
            by_pk = {g.pk: g for g in world.groups.values()}
            scopes += [("group", by_pk[pk]) for pk in groups]
            counts = defaultdict(int)
            for department_id in Project.paired_departments.through.objects.filter(
                project__district=district
            ).values_list("department_id", flat=True):
                counts[department_id] += 1
            top = sorted(counts, key=lambda pk: (-counts[pk], pk))[:PAIRED_DEPARTMENTS]
            by_pk = {d.pk: d for d in world.departments.values()}
            scopes += [("department", by_pk[pk]) for pk in sorted(top) if pk in by_pk]
        rows = []
        for year in years:
            this_year = year == self.today.year
            for scope, record in scopes:
                key = getattr(record, "pk", None)
                signed, funds, tiers = actual[(scope, key, year)]
                low, high = (1.05, 1.35) if this_year else (0.85, 1.15)
                target = {
                    "year": year,
                    "working_group": record if scope == "group" else None,
                    "department": record if scope == "department" else None,
                    "signed_investment": _round(
                        signed * Decimal(str(round(rng.uniform(low, high), 2)))
                    ),
                    "funds_in_place": _round(
                        funds * Decimal(str(round(rng.uniform(low, high), 2)))
                    ),
                    "note": "全面超额完成“369”招大引强目标任务" if scope == "district" else "",
                }
                for n, (minimum, count) in enumerate(DEFAULT_TIERS, start=1):
                    target[f"tier{n}_min"] = minimum
                    if scope == "district":
                        target[f"tier{n}_count"] = count
                    else:  # a share of the district's: what the scope did, give or take one
                        target[f"tier{n}_count"] = max(0, tiers[n - 1] + rng.choice((0, 1)))
                rows.append(target)
        actor = world.role_users.get(Role.BUREAU) or world.role_users.get(Role.ADMIN)
        # Each year's targets were set by the bureau in the first weeks of January.
        for target in rows:
            day = datetime.date(target["year"], 1, 1) + datetime.timedelta(days=rng.randint(7, 20))
            with clock.at(min(office_time(rng, day), clock.now())):
                services.create_target(actor, district=district, **target)


def kpi_counts(district_ids) -> dict[str, int]:
    """Targets of the demo districts (for the summary and tests)."""
    return {"annual targets": AnnualTarget.objects.filter(Q(district_id__in=district_ids)).count()}
