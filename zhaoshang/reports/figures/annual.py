"""年终考核: the departments' year-end assessment, from the ledger (``assessment.scoring``)."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import RuleCode
from zhaoshang.reports.choices import Period
from zhaoshang.reports.figures.common import ZERO, Progress, _noop, as_of


def annual(period: Period, district, *, progress: Progress = _noop) -> dict:
    settings = scoring.assessment_year(district, period.year)
    standings = scoring.standings(district, period.year, settings)
    progress(50)
    rules = dict(RuleCode.choices)
    names = {s.department.pk: s.department.name for s in standings}
    breakdown = (
        scoring.counted_entries(district, period.year, settings)
        .order_by()
        .values("department_id", "department__name", "rule_code")
        .annotate(n=Count("pk"), points=Coalesce(Sum("points"), ZERO))
    )
    order = {s.department.pk: i for i, s in enumerate(standings)}
    detail = sorted(
        breakdown,
        key=lambda r: (order.get(r["department_id"], 10**6), r["rule_code"] or "~"),
    )
    progress(80)
    return {
        "as_of": as_of(period).isoformat(),
        "project_count": 0,
        "year_status": getattr(settings, "status", "") or "",
        "summary": [
            [_("Departments assessed"), len(standings), "int"],
            [_("Ledger entries"), sum(s.entry_count for s in standings), "int"],
        ],
        "sections": [
            {
                "heading": _("Scores and ranks"),
                "note": _(
                    "Score = base score + the year's ledger entries (deductions are negative, "
                    "additions positive); derived from the ledger, never typed."
                ),
                "columns": [
                    [_("Rank"), "int"],
                    [_("Department"), "text"],
                    [_("Base score"), "score"],
                    [_("Deductions"), "score"],
                    [_("Additions"), "score"],
                    [_("Score"), "score"],
                    [_("Entries"), "int"],
                ],
                "rows": [
                    [
                        s.rank,
                        s.department.name,
                        float(s.base),
                        float(s.deductions),
                        float(s.additions),
                        float(s.score),
                        s.entry_count,
                    ]
                    for s in standings
                ],
                "total": None,
            },
            {
                "heading": _("Entries by department and rule"),
                "note": "",
                "columns": [
                    [_("Department"), "text"],
                    [_("Rule"), "text"],
                    [_("Entries"), "int"],
                    [_("Points"), "score"],
                ],
                "rows": [
                    [
                        names.get(r["department_id"], r["department__name"]),
                        str(rules.get(r["rule_code"], _("Hand entry by the supervision office")))
                        if r["rule_code"]
                        else _("Hand entry by the supervision office"),
                        r["n"],
                        float(r["points"]),
                    ]
                    for r in detail
                ],
                "total": None,
            },
        ],
    }
