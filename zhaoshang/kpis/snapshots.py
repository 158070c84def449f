"""Per-district KPI snapshots (issue 19): the KPI page, its trends and ``/api/v1/kpis/``
read stored figures instead of computing them on every request.

A ``KpiSnapshot`` holds the numerators and denominators of ``services.Kpis`` for one
district's cohort (signing years ``first_year``–``year``) as of one cut-off. Every figure
is a count or a sum over the district's projects, so a city's figures are the sum of its
districts' rows.

- **Written** by the daily scan (``scan``, a step of ``settings.DAILY_SCAN_STEPS``) for every
  district — the current year's cohort as of today, in ``services.compute_by``'s five
  grouped queries and one bulk upsert; it removes every other row — and, when a row is
  missing or stale, by the request that needed it (``refresh``: the same grouped
  computation for the districts concerned; the trends' month ends, a term, a past year).
- **Stale** when its cut-off is not the one asked for (the current year's cut-off is today:
  yesterday's row does not answer), or once a domain event (``core.DomainEvent``, written by
  every service in the same transaction as its change) about the district's projects
  (stages, funds, monthly reports, investment), agreements (signing, obligations,
  commitments), approval cases or registry (imports, undone imports) has an id above the
  row's ``event_mark`` — the last event id read before its figures were computed. Bulk
  events (``log_events``) count like the others: the check reads the events, it does not
  rely on a signal.
- **At most ``MAX_AGE`` old** (ten minutes): on PostgreSQL an event's id is given when it is
  written, not when its transaction commits, so a long transaction (an import) may commit an
  event below a row computed meanwhile, whose figures did not see it. A row older than
  ``MAX_AGE`` is computed again on its next read, which bounds that window.
- **Served** when the request's projects are exactly districts' whole cohorts: a city user
  (all districts or the one picked) or a district-wide role (``roles.DISTRICT_WIDE_ROLES``)
  without the park, industry, working-group or level filters. Anything else — those
  filters, a park committee's or an enterprise's projects — is computed live
  (``services.compute``), as before.

The live computation stays the definition; ``tests/test_snapshots.py`` checks that a served
read equals it after every kind of change.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, Max
from django.db.models.expressions import RawSQL

from zhaoshang.core import clock, roles
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.querysets import in_districts
from zhaoshang.core.setwise import kept_whole
from zhaoshang.kpis import services
from zhaoshang.kpis.models import KpiSnapshot
from zhaoshang.kpis.services import Kpis, Period
from zhaoshang.org.models import District
from zhaoshang.projects.models import Project

logger = logging.getLogger(__name__)

# The figures a row stores (the fields of ``services.Kpis`` but its period).
FIGURES = (
    "signed_count",
    "signed_investment",
    "registered",
    "started",
    "in_production",
    "at_capacity",
    "performing",
    "funds_in_place",
    "contracted_investment",
    "cases_done",
    "cases_on_time",
)
# The apps whose records the KPIs are computed from: an event about one of their records
# in a district makes the district's rows stale ("core": import batches and their undoing;
# "org": imports logged against the district itself).
SOURCE_APPS = ("projects", "agreements", "approvals", "org", "core", "onboarding")
# How long a row may answer without being computed again (see the module's docstring).
MAX_AGE = datetime.timedelta(minutes=10)


def last_event_id() -> int:
    return DomainEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def _unmoved(model) -> RawSQL:
    """SQL, on a row of ``model`` (the query's table): no event that may move its figures
    came after it. Written out rather than built as ``~Exists(DomainEvent.objects…)``: the
    same statement, without the half millisecond the ORM spent building it on every read
    (issue 19.2); ``tests/test_snapshots.py`` checks what it answers after every change."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    labels = ", ".join(["%s"] * len(SOURCE_APPS))
    # Inside a CASE, so that PostgreSQL probes each row's district (its index on district and
    # id, from the row's mark on) rather than turning a NOT EXISTS into an anti-join that
    # hashes every event of every district (the city's home at a province: 146 ms for 100
    # rows, growing with the events; ``core.parts.probed``). The events after the mark are
    # read in the order of their ids, in a subquery an OFFSET keeps whole: where one
    # district holds most of the events (a district's own deployment), PostgreSQL judged
    # the mark unselective and read the district's every event off the index that also
    # holds their kinds (``event_district_recent``, the mark a filter: a home at 50,000
    # projects, 1.5 million events, 35–60 ms); in the ids' order it reads them from the
    # mark on, as a range (``event_district_after``, or the key's), 0.2 ms.
    fence = kept_whole(connection)
    sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM (SELECT e.{q('content_type_id')} AS kind"
        f" FROM {q(DomainEvent._meta.db_table)} e"
        f" WHERE e.{q('district_id')} = {table}.{q('district_id')}"
        f" AND e.{q('id')} > {table}.{q('event_mark')} ORDER BY e.{q('id')} {fence}) e"
        f" INNER JOIN {q(ContentType._meta.db_table)} t ON e.kind = t.{q('id')}"
        f" WHERE t.{q('app_label')} IN ({labels}))"
        " THEN FALSE ELSE TRUE END"
    )
    return RawSQL(sql, SOURCE_APPS, output_field=BooleanField())


def fresh(rows):
    """``rows`` of a per-district snapshot (a queryset of a model with ``district``,
    ``event_mark`` and ``computed_at``, such as ``KpiSnapshot``) that still answer: computed
    within ``MAX_AGE``, and no event about the district's records since (``_unmoved``)."""
    return rows.filter(computed_at__gte=clock.now() - MAX_AGE).filter(_unmoved(rows.model))


def districts_served(user, filters: dict) -> list[int] | None:
    """The districts whose whole cohorts are the projects ``user`` sees with ``filters``
    (``Project.objects.visible_to`` and ``services.filter_projects``), or None when the
    snapshots cannot answer (a filter narrower than a district, a narrower role)."""
    if not getattr(user, "is_authenticated", False) or set(filters) - {"district"}:
        return None
    district = filters.get("district")
    if roles.sees_all_districts(user):
        if district is not None:
            return [district.pk]
        return list(District.objects.order_by("pk").values_list("pk", flat=True))
    if roles.is_enterprise(user) or not user.district_id:
        return None
    if not roles.roles_of(user) & roles.DISTRICT_WIDE_ROLES:
        return None
    if district is not None and district.pk != user.district_id:
        return None
    return [user.district_id]


def _values(kpis: Kpis) -> dict:
    return {name: getattr(kpis, name) for name in FIGURES}


def _first_year(period: Period) -> int:
    return period.start.year


def read(district_ids: Iterable[int], period: Period, cutoffs: Iterable[datetime.date]) -> dict:
    """{(district id, cut-off): figures} of the fresh rows (one query)."""
    rows = fresh(
        KpiSnapshot.objects.filter(
            district_id__in=list(district_ids),
            first_year=_first_year(period),
            year=period.year,
            cutoff__in=list(cutoffs),
        )
    ).values("district_id", "cutoff", *FIGURES)
    return {(row.pop("district_id"), row.pop("cutoff")): row for row in rows}


def refresh(
    district_ids: Iterable[int], year: int, since: int | None, cutoff: datetime.date
) -> dict[int, dict]:
    """Compute the figures of the districts' cohorts as of ``cutoff`` (``compute_by``: five
    grouped queries whatever the number of districts) and store them; {district id:
    figures}. The event mark is read first, so a change committed while computing leaves
    the row stale rather than wrong."""
    ids = list(district_ids)
    mark = last_event_id()
    by = services.compute_by(
        Project.objects.filter(district_id__in=ids), year, "district", as_of=cutoff, since=since
    )
    period = Period.of(year, cutoff, since)
    out = {pk: _values(by.get(pk) or Kpis(period=period)) for pk in ids}
    now = clock.now()
    rows = [
        KpiSnapshot(
            district_id=pk,
            first_year=_first_year(period),
            year=year,
            cutoff=cutoff,
            event_mark=mark,
            computed_at=now,
            **values,
        )
        for pk, values in out.items()
    ]
    try:
        with transaction.atomic():
            KpiSnapshot.objects.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["district", "first_year", "year", "cutoff"],
                update_fields=[*FIGURES, "event_mark", "computed_at"],
            )
    except DatabaseError:  # a busy database: the figures are right, the next read stores them
        logger.warning("KPI snapshots of districts %s not stored", ids, exc_info=True)
    return out


def _total(period: Period, parts: list[dict]) -> Kpis:
    totals = {name: sum((part[name] for part in parts), start=0) for name in FIGURES}
    for name in ("signed_investment", "funds_in_place", "contracted_investment"):
        totals[name] = services.ZERO + totals[name]
    return Kpis(period=period, **totals)


def _rows(districts: list[int], year: int, since, periods: list[Period]) -> dict:
    """{(district id, cut-off): figures} for every district and period: the fresh rows
    read in one query, the missing or stale ones computed (per cut-off, for those districts
    only) and stored."""
    found = read(districts, periods[0], [p.cutoff for p in periods]) if districts else {}
    for period in periods:
        missing = [pk for pk in districts if (pk, period.cutoff) not in found]
        if missing:
            fresh = refresh(missing, year, since, period.cutoff)
            found.update({(pk, period.cutoff): values for pk, values in fresh.items()})
    return found


def compute_at(
    user, projects, filters: dict, year: int, cutoffs: list[datetime.date], since=None
) -> list[Kpis]:
    """``services.compute(projects, year, as_of=cutoff, since)`` for each cut-off (each at
    most the period's own cut-off), from the snapshots when they can answer (missing or
    stale rows are computed and stored first), live otherwise. ``projects`` are the
    projects ``user`` sees with ``filters`` (what the live computation needs)."""
    districts = districts_served(user, filters)
    if districts is None:
        return [services.compute(projects, year, as_of=cut, since=since) for cut in cutoffs]
    periods = [Period.of(year, cut, since) for cut in cutoffs]
    if not periods:
        return []
    found = _rows(districts, year, since, periods)
    return [_total(p, [found[pk, p.cutoff] for pk in districts]) for p in periods]


def by_district(user, filters: dict, year: int, since=None) -> dict[int, Kpis] | None:
    """{district id: Kpis} of every district the user sees with ``filters`` (today's
    cut-off), from the snapshots — ``services.compute_by(…, "district")`` with the
    districts without signed projects included — or None when they cannot answer."""
    districts = districts_served(user, filters)
    if districts is None:
        return None
    period = Period.of(year, None, since)
    found = _rows(districts, year, since, [period])
    return {pk: Kpis(period=period, **found[pk, period.cutoff]) for pk in districts}


def total(parts: list[Kpis], year: int, since=None) -> Kpis:
    """The sum of districts' figures (``by_district``'s values): the city's, or the one
    district's (today's cut-off)."""
    return _total(Period.of(year, None, since), [_values(kpis) for kpis in parts])


def compute(user, projects, filters: dict, year: int, since=None) -> Kpis:
    """``services.compute(projects, year, since=since)`` (today's cut-off), from the
    snapshots when they can answer."""
    cutoff = Period.of(year, None, since).cutoff
    return compute_at(user, projects, filters, year, [cutoff], since)[0]


# ---------------------------------------------------------------------------------------
# The daily scan


def scan(today: datetime.date, district_ids: list[int] | None = None) -> str:
    """A step of the daily scan (``settings.DAILY_SCAN_STEPS``): every district's figures of
    the year's cohort as of today, in one grouped computation; every other row (earlier
    cut-offs, month ends, terms, past years) is removed, to be computed again by the first
    request that needs it — so a change no domain event told of (an admin's edit, a data
    fix in SQL) is seen by the next morning at the latest. A district whose row of today
    is still fresh (``fresh``: computed within ``MAX_AGE``, no event about its records
    since — a second scan on the day, or a request just before) keeps it: computing it
    again would give the same figures. ``district_ids``: only these districts' rows (None:
    every district)."""
    ids = list(
        in_districts(District.objects, district_ids, "pk")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    kept = _fresh_today(ids, today) if ids else set()
    stale = [pk for pk in ids if pk not in kept]
    written = refresh(stale, today.year, None, today) if stale else {}
    removed = (
        in_districts(KpiSnapshot.objects, district_ids)
        .exclude(cutoff=today, year=today.year, first_year=today.year)
        .delete()[0]
    )
    return f"written {len(written)}, fresh {len(kept)}, removed {removed}"


def _fresh_today(district_ids: list[int], today: datetime.date) -> set[int]:
    """The districts (of ``district_ids``) whose row of the year's cohort as of ``today``
    still answers (``fresh``)."""
    rows = KpiSnapshot.objects.filter(
        district_id__in=district_ids, first_year=today.year, year=today.year, cutoff=today
    )
    return set(fresh(rows).values_list("district_id", flat=True))


def calendar_changed(years: Iterable[int]) -> int:
    """Hook for workdays.load_year (``settings.WORKDAY_RECOMPUTE_HOOKS``, after the apps'
    due dates): a year's working days changed, so provisional due dates moved — and with
    them which done cases were on time. Such a change writes no domain event, so every row
    goes (a calendar is loaded a few times a year); each is computed again when read."""
    deleted, _ = KpiSnapshot.objects.all().delete()
    return deleted
