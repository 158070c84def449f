"""Which thresholds hold for a project (SPEC §11: per park or industry, not in code): the
district's one table, read by the exit rule 三年不见效 (where the agreement sets no benefit
terms) and by the land clean-up's low-efficiency list.

Each measure (minimum investment intensity, per-mu tax, plot ratio) is taken from the most
specific row of the district that sets it: the row for the project's park *and* industry,
then the park's row, then the industry's row, then the district's default (neither). A
measure no row sets is not checked.

For a list, load the district's rows once (:class:`ThresholdBook`) and ask it per project:
no query per row. In SQL (the exit scan's clearing fact), :func:`threshold_expression`
gives the same choice per project row as one expression.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from zhaoshang.exits.models import LandThreshold

MEASURES = ("min_intensity", "min_tax_per_mu", "min_plot_ratio")


@dataclass(frozen=True)
class Threshold:
    """The thresholds in force for one project, and the row each came from."""

    min_intensity: Decimal | None = None
    min_tax_per_mu: Decimal | None = None
    min_plot_ratio: Decimal | None = None
    sources: tuple = ()

    def below(self, intensity: Decimal | None, tax_per_mu: Decimal | None) -> list[str]:
        """The measures a project falls short of (only those that are known)."""
        short = []
        if None not in (self.min_intensity, intensity) and intensity < self.min_intensity:
            short.append("min_intensity")
        if None not in (self.min_tax_per_mu, tax_per_mu) and tax_per_mu < self.min_tax_per_mu:
            short.append("min_tax_per_mu")
        return short


class ThresholdBook:
    """The thresholds of some districts, loaded in one query."""

    def __init__(self, rows: Iterable[LandThreshold]):
        self._rows: dict[tuple, LandThreshold] = {
            (r.district_id, r.park_id, r.industry_id): r for r in rows
        }

    @classmethod
    def load(cls, district_ids) -> ThresholdBook:
        return cls(LandThreshold.objects.filter(district_id__in=list(district_ids)))

    def for_ids(self, district_id, park_id, industry_id) -> Threshold:
        chain = [
            (district_id, park_id, industry_id) if park_id and industry_id else None,
            (district_id, park_id, None) if park_id else None,
            (district_id, None, industry_id) if industry_id else None,
            (district_id, None, None),
        ]
        values: dict[str, Decimal | None] = dict.fromkeys(MEASURES)
        sources: list = []
        for key in chain:
            row = self._rows.get(key) if key else None
            if row is None:
                continue
            used = False
            for measure in MEASURES:
                if values[measure] is None and getattr(row, measure) is not None:
                    values[measure] = getattr(row, measure)
                    used = True
            if used:
                sources.append(row)
        return Threshold(**values, sources=tuple(sources))

    def for_project(self, project) -> Threshold:
        return self.for_ids(project.district_id, project.park_id, project.industry_id)


def threshold_for(project, book: ThresholdBook | None = None) -> Threshold:
    """The thresholds in force for ``project``: park and industry > park > industry >
    district default, per measure. Pass a loaded ``book`` when asking for many projects."""
    book = book or ThresholdBook.load([project.district_id])
    return book.for_project(project)


def threshold_expression(measure: str, project_ref: str = ""):
    """The value of ``measure`` in force for the project row of the outer query (its
    district, park and industry; ``project_ref`` prefixes the outer field names when the
    project is reached through a relation): the same choice as :meth:`ThresholdBook.for_ids`,
    most specific row that sets the measure first, NULL when no row does."""
    if measure not in MEASURES:
        raise ValueError(measure)

    def ref(name):
        return OuterRef(f"{project_ref}{name}")

    rows = LandThreshold.objects.filter(
        district_id=ref("district_id"), **{f"{measure}__isnull": False}
    )
    chain = [
        rows.filter(park_id=ref("park_id"), industry_id=ref("industry_id")),
        rows.filter(park_id=ref("park_id"), industry__isnull=True),
        rows.filter(park__isnull=True, industry_id=ref("industry_id")),
        rows.filter(park__isnull=True, industry__isnull=True),
    ]
    field = LandThreshold._meta.get_field(measure)
    return Coalesce(*(Subquery(q.values(measure)[:1], output_field=field) for q in chain))
