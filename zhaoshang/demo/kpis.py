"""Annual targets of the demo city (SPEC §12, §18; "369" 招大引强目标任务), set in January
through ``kpis.services`` around what each scope signed and received: the demo district's own,
its working groups' and its four most-paired departments' for last year (some met, some
missed) and this year; the second district's own for this year."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, counter, first_of
from zhaoshang.demo.replay import office_time
from zhaoshang.kpis import services
from zhaoshang.kpis.models import DEFAULT_TIERS, AnnualTarget
from zhaoshang.projects.models import FundsEntry, Project

STEP = Decimal("1000")  # targets are set in thousands of 万元
NOTE = "全面超额完成“369”招大引强目标任务"
SCOPES = {"district": "district", "group": "working_group", "department": "paired_departments"}
FIELDS = {"district": "district", "group": "working_group", "department": "department"}


def _round(value, factor: float) -> Decimal:
    """``value`` times ``factor`` (to two decimals), rounded to thousands of 万元."""
    value = Decimal(value) * Decimal(f"{factor:.2f}")
    return max(STEP, (value / STEP).quantize(Decimal("1"), ROUND_HALF_UP) * STEP)


class KpisBuilder(Part):
    """Adds the annual targets to the worlds a DemoBuilder built (after the projects)."""

    SEED = 2026_369

    def build(self) -> None:
        for world in self.worlds:
            full = world is self.worlds[0]
            for year in (self.today.year - 1,) * full + (self.today.year,):
                self._targets(world, year, full)
        self.line.run()

    def _actuals(self, district, year: int) -> dict:
        """``{(scope, id): {"signed": …, "funds": …, "tier1": …}}`` of the district's year
        (a project counts in the highest tier it reaches)."""
        out: dict = defaultdict(lambda: defaultdict(int))
        signed = Project.objects.filter(district=district, signed_on__year=year)
        signed = signed.filter(signed_on__lte=self.today).order_by()
        funds = FundsEntry.objects.filter(project__district=district, received_on__year=year)
        funds = funds.filter(received_on__lte=self.today).order_by()
        tiers, above = {}, Q()
        for n, (minimum, _count) in enumerate(DEFAULT_TIERS, start=1):
            tiers[f"tier{n}"] = Count("pk", filter=Q(total_investment__gte=minimum) & ~above)
            above = Q(total_investment__gte=minimum)
        for scope, field in SCOPES.items():
            for row in signed.values(field).annotate(signed=Sum("total_investment"), **tiers):
                out[(scope, row.pop(field))].update(row)
            for row in funds.values(f"project__{field}").annotate(funds=Sum("amount")):
                out[(scope, row[f"project__{field}"])]["funds"] = row["funds"]
        return out

    def _scopes(self, world) -> list[tuple[str, object]]:
        """The district, its working groups and its four departments paired with the most."""
        pairs = Project.paired_departments.through.objects.filter(project__district=world.district)
        top = pairs.values("department_id").annotate(n=Count("pk")).order_by("-n", "department_id")
        departments = {d.pk: d for d in world.departments.values()}
        groups = [("group", g) for g in sorted(world.groups.values(), key=lambda g: g.pk)]
        paired = sorted(row["department_id"] for row in top[:4])
        paired = [("department", departments[pk]) for pk in paired if pk in departments]
        return [("district", world.district), *groups, *paired]

    def _targets(self, world, year: int, full: bool) -> None:
        rng, actual = self.rng, self._actuals(world.district, year)
        low, high = (1.05, 1.35) if year == self.today.year else (0.85, 1.15)
        actor = first_of(world, Role.BUREAU, Role.ADMIN)
        for scope, record in self._scopes(world) if full else [("district", world.district)]:
            done, own = actual[(scope, record.pk)], scope == "district"
            if scope == "group" and not done:
                continue  # a working group that leads no project signed that year
            target = {"year": year, "note": NOTE if own else "", "working_group": None}
            target |= {"department": None, "district": world.district, FIELDS[scope]: record}
            target["signed_investment"] = _round(done["signed"], rng.uniform(low, high))
            target["funds_in_place"] = _round(done["funds"], rng.uniform(low, high))
            for n, (minimum, count) in enumerate(DEFAULT_TIERS, start=1):
                share = max(0, done[f"tier{n}"] + rng.choice((0, 1)))  # what it did, ± one
                target |= {f"tier{n}_min": minimum, f"tier{n}_count": count if own else share}
            day = datetime.date(year, 1, 1) + rng.randint(7, 20) * DAY
            self.line.add(office_time(rng, day), services.create_target, actor, **target)


kpi_counts = counter(("annual targets", AnnualTarget))
