"""The figures of the three reports, as plain JSON-ready data.

The same dictionary is shown on screen, written to the Excel, Word and PDF files, and kept
as the frozen snapshot of an issued report. Every figure is computed in SQL (aggregates and
annotations): a report costs a constant number of queries whatever the number of projects.

Shape::

    {"kind", "period", "period_label", "title", "district", "as_of", "project_count",
     "summary": [[label, value, type], ...],
     "sections": [{"heading", "note", "columns": [[label, type], ...], "rows": [[...]],
                   "total": [...] | None}],
     "labels": {"light": {code: label}}}

Column types: ``text``, ``int``, ``money`` (10k yuan, 2 decimals), ``rate`` (0–1 or None),
``score`` (1 decimal), ``light`` (a light code, shown by its label).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.lights import Light
from zhaoshang.reports.choices import Kind, Period
from zhaoshang.reports.figures.annual import annual
from zhaoshang.reports.figures.common import (
    CHUNK,
    MONEY,
    ZERO,
    Progress,
    _noop,
    as_of,
    money,
    rate,
)
from zhaoshang.reports.figures.monthly import (
    GROUP_AGGREGATES,
    active_projects,
    monthly,
    monthly_queryset,
)
from zhaoshang.reports.figures.quarterly import (
    WEIGHT_COMMITMENTS,
    WEIGHT_COMPLAINTS,
    WEIGHT_TIMELINESS,
    combined_score,
    formula_text,
    quarterly,
    rank_rows,
)

__all__ = [
    "CHUNK",
    "GROUP_AGGREGATES",
    "MONEY",
    "WEIGHT_COMMITMENTS",
    "WEIGHT_COMPLAINTS",
    "WEIGHT_TIMELINESS",
    "ZERO",
    "Progress",
    "active_projects",
    "annual",
    "as_of",
    "build",
    "combined_score",
    "formula_text",
    "light_labels",
    "money",
    "monthly",
    "monthly_queryset",
    "quarterly",
    "rank_rows",
    "rate",
    "title_for",
]


def light_labels() -> dict[str, str]:
    return {
        Light.RED: _("Red"),
        Light.YELLOW: _("Yellow"),
        Light.GREEN: _("Green"),
    }


def title_for(kind: str, period: Period, district) -> str:
    """The document's title, as the district office writes it."""
    if kind == Kind.MONTHLY:
        return _("%(district)s investment projects: monthly summary, %(period)s") % {
            "district": district.name,
            "period": period.label_zh,
        }
    if kind == Kind.QUARTERLY:
        return _("%(district)s investment projects: quarterly bulletin, %(period)s") % {
            "district": district.name,
            "period": period.label_zh,
        }
    return _("%(district)s departments' year-end assessment, %(period)s") % {
        "district": district.name,
        "period": period.label_zh,
    }


def build(kind: str, period: Period, district, *, projects=None, progress: Progress = _noop):
    """The figures of ``kind`` for ``period`` in ``district``. ``projects`` narrows the
    monthly summary (a park committee's live view shows its parks' projects)."""
    builder = {Kind.MONTHLY: monthly, Kind.QUARTERLY: quarterly, Kind.ANNUAL: annual}[kind]
    if kind == Kind.MONTHLY:
        data = builder(period, district, projects=projects, progress=progress)
    else:
        data = builder(period, district, progress=progress)
    data.update(
        kind=kind,
        period=period.code,
        period_label=period.label_zh,
        title=title_for(kind, period, district),
        district=district.name,
        generated_at=timezone.localtime(clock.now()).isoformat(timespec="seconds"),
        labels={"light": light_labels()},
    )
    progress(100)
    return data
