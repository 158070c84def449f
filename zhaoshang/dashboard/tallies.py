"""Stored per-district tallies of the projects (``ProjectTally``): the homes' funnel (the
bureau's chart, the side card) and the city's districts side by side add these up instead
of counting a district's projects on every request (issue 19.3: a home's time does not grow
with the district).

- **Counted** in one grouped query over the districts' projects, by park and stage: how
  many, their total investment, how many are signed and started, the signed investment,
  and how many are red — the light stored on the project (``Project.light_level``,
  ``monitoring.worst``), read in the same pass rather than a ``COUNT(DISTINCT)`` over the
  districts' red lights (``refresh``) — what ``projects.funnel.figures`` and the city's
  districts side by side (``homes.city``) would otherwise count on every request.
- **Fresh** as a KPI snapshot is, by the same rule (``kpis.snapshots.fresh``): computed
  within ten minutes and no domain event about the district's projects, agreements, cases
  or registry since the last event id read before counting (``event_mark``) — every service
  that changes a project's stage, dates, park or investment logs one. A stale or missing
  district is counted again by the request that needs it and stored. The lights (signals)
  are written by the daily scan alone, without events (or removed with their project, whose
  deletion is one).
- **Written** by the daily scan for every district (``scan``) once it has recomputed the
  lights (``settings.DAILY_SCAN_AFTER_LIGHTS``), so that the morning's first pages find
  them and count today's red projects.
- **Served** to whoever sees whole districts — a district-wide role (its district), the
  city (every district) — and to a park committee (its parks' tallies of its district).

``dashboard/tests/test_tallies.py`` checks that a served funnel and the city's rows equal
the live counts after each kind of change.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import Count, Q, Sum

from zhaoshang.core import clock, roles
from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import in_districts
from zhaoshang.dashboard.models import ProjectTally
from zhaoshang.kpis.snapshots import fresh, last_event_id
from zhaoshang.monitoring.worst import LEVEL
from zhaoshang.org.models import District
from zhaoshang.projects import funnel
from zhaoshang.projects.models import Project

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
# The columns of a tally, in their stored order.
COLUMNS = ("projects", "investment", "signed", "signed_investment", "started", "red")


def refresh(district_ids) -> dict[int, dict]:
    """Count the districts' projects by park and stage, their red ones among them (the
    light stored on each project, ``Project.light_level``: red when one of its signals is,
    ``monitoring.worst``), in one grouped query, and store the tallies; {district id:
    figures}. The event mark is read first, so a change committed while counting leaves
    the tally stale rather than wrong."""
    ids = list(district_ids)
    mark = last_event_id()
    signed = Q(signed_on__isnull=False)
    rows = (
        Project.objects.filter(district_id__in=ids)
        .order_by()
        .values_list("district_id", "park_id", "stage")
        .annotate(
            projects=Count("pk"),
            investment=Sum("total_investment"),
            signed=Count("pk", filter=signed),
            signed_investment=Sum("total_investment", filter=signed),
            started=Count("pk", filter=Q(started_on__isnull=False)),
            red=Count("pk", filter=Q(light_level=LEVEL[Light.RED])),
        )
    )
    found: dict[int, dict] = {pk: {} for pk in ids}
    for district, park, stage, n, amount, n_signed, signed_amount, n_started, n_red in rows:
        found[district].setdefault(str(park), {})[stage] = [
            n,
            str(amount or ZERO),
            n_signed,
            str(signed_amount or ZERO),
            n_started,
            n_red,
        ]
    now = clock.now()
    tallies = [
        ProjectTally(district_id=pk, figures=figures, event_mark=mark, computed_at=now)
        for pk, figures in found.items()
    ]
    try:
        with transaction.atomic():
            ProjectTally.objects.bulk_create(
                tallies,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["district"],
                update_fields=["figures", "event_mark", "computed_at"],
            )
    except DatabaseError:  # a busy database: the figures are right, the next read stores them
        logger.warning("project tallies of districts %s not stored", ids, exc_info=True)
    return found


def read(district_ids) -> dict[int, dict]:
    """{district id: figures} of the districts: the fresh tallies read in one query, the
    missing or stale ones counted and stored."""
    ids = list(district_ids)
    found = dict(
        fresh(ProjectTally.objects.filter(district_id__in=ids)).values_list(
            "district_id", "figures"
        )
    )
    missing = [pk for pk in ids if pk not in found]
    if missing:
        found.update(refresh(missing))
    return found


def districts_of(user) -> list[int] | None:
    """The districts whose every project ``user`` sees (the city: every district; a
    district-wide role: its own), or None when the user sees part of one (counted live)."""
    if roles.sees_all_districts(user):
        return list(District.objects.order_by("pk").values_list("pk", flat=True))
    district = Project.objects.whole_district_of(user)
    return None if district is None else [district]


def _totals(figures: dict) -> dict[str, dict]:
    """{stage: {column: total over the parks}} of one district's figures."""
    totals: dict[str, dict] = {}
    for stages in figures.values():
        for stage, values in stages.items():
            row = totals.setdefault(stage, dict.fromkeys(COLUMNS, 0))
            for column, value in zip(COLUMNS, values, strict=True):
                row[column] += Decimal(value) if "investment" in column else value
    return totals


def of_user(user) -> dict[int, dict] | None:
    """{district id: figures} of the projects ``user`` sees: the districts they see whole
    (``districts_of``), or a park committee's parks of its district (``parks_of``); None
    for anyone else (counted live)."""
    districts = districts_of(user)
    if districts is not None:
        return read(districts)
    parks = Project.objects.parks_of(user)
    if parks is None:
        return None
    keep = {str(pk) for pk in parks.values_list("pk", flat=True)}
    return {
        district: {park: stages for park, stages in figures.items() if park in keep}
        for district, figures in read([user.district_id]).items()
    }


def stage_funnel(counted: dict[int, dict] | None, projects) -> funnel.Funnel:
    """The funnel of ``projects`` (the user's visible projects) from ``counted`` (the
    user's tallies, ``of_user``), or counted live when there are none (a part of a
    district)."""
    if counted is None:
        return funnel.figures(projects)
    by_stage: dict[str, tuple] = {}
    for figures in counted.values():
        for stage, row in _totals(figures).items():
            n, amount = by_stage.get(stage, (0, ZERO))
            by_stage[stage] = (n + row["projects"], amount + row["investment"])
    return funnel.of_counts(by_stage)


def district_rows(counted: dict[int, dict]) -> dict[int, dict]:
    """{district id: projects, signed, started, red, investment, signed_investment} of the
    districts' projects from their tallies (``of_user``: the city's districts side by side);
    a district without projects is left out, as a count grouped by district leaves it out."""
    out = {}
    for pk, figures in counted.items():
        row = dict.fromkeys(COLUMNS, 0)
        for totals in _totals(figures).values():
            for column in COLUMNS:
                row[column] += totals[column]
        if row["projects"]:
            out[pk] = row
    return out


def scan(today: datetime.date, district_ids: list[int] | None = None) -> str:
    """A step of the daily scan after the lights (``settings.DAILY_SCAN_AFTER_LIGHTS``: the
    red projects are today's): every district's tallies counted and stored
    (``district_ids``: only these districts)."""
    ids = list(
        in_districts(District.objects, district_ids, "pk")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return f"written {len(refresh(ids)) if ids else 0}"
