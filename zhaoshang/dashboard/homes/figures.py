"""Counts the homes share: several tiles of one list in one grouped query, read off the
records' district index (``homes.figures`` of each role's module)."""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from zhaoshang.core import clock
from zhaoshang.core.lights import Light, yellow_workdays
from zhaoshang.dashboard.homes import district_aggregate, district_rows, grouped
from zhaoshang.monitoring.choices import Level
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.querysets import light_q
from zhaoshang.projects.models import Project
from zhaoshang.projects.querysets import served_by
from zhaoshang.workdays.models import Day


def signal_figures(
    user, *, mine_cap: int | None = None, this_month: bool = False
) -> dict[str, int]:
    """The lights board's tiles of a home in one pass over the lights the user sees (the
    board's ``filtered_signals``): ``red`` (light=red), ``meeting`` (level=joint meeting);
    with ``mine_cap``, ``mine`` (the lights of the projects the user serves, my_projects=on)
    counted up to ``mine_cap`` + 1 (``served_lights``) and ``mine_leader`` (those escalated
    to the leader in charge, exact); with ``this_month``, ``red_this_month`` (red and lit
    since the month's first day)."""
    month = clock.today().replace(day=1) if this_month else None
    mine = mine_cap is not None

    def of_district(district_id, person=None):
        signals, figures = _signal_figures(
            Signal.objects.filter(district_id=district_id), person, month
        )
        return grouped(signals, **figures)

    # (A whole district's lights are the district's: compiled once per process and month.)
    names = [
        "red",
        "meeting",
        *(["mine_leader"] if mine else []),
        *(["red_this_month"] if this_month else []),
    ]
    key = ("signal_figures", mine, month)
    found = district_aggregate(
        key, user, of_district, names, uses=("user", "department") if mine else ()
    )
    if found is None:
        signals, figures = _signal_figures(
            Signal.objects.visible_to(user), user if mine else None, month
        )
        found = signals.aggregate(**figures)
    if mine:
        found["mine"] = served_lights(user, mine_cap)
    return found


def _served(user) -> Exists:
    """SQL, on a light: the project it is on is served by ``user`` (``served_by``, checked
    on the light's own project: a few probes by key)."""
    return Exists(Project.objects.filter(served_by(user), pk=OuterRef("project_id")))


def _signal_figures(signals, user, month):
    """(``signals`` to count, {figure: aggregate}) of ``signal_figures``: with ``user``,
    ``mine_leader``; with ``month``, those lit since it."""
    figures = {
        "red": Count("pk", filter=light_q(Light.RED)),
        "meeting": Count("pk", filter=Q(level=Level.MEETING)),
    }
    signals = signals.order_by()
    if user is not None:
        # The level first: the project served is checked on the lights escalated to the
        # leader in charge alone (a few), not on every light of the district.
        figures["mine_leader"] = Count("pk", filter=Q(level=Level.LEADER) & Q(_served(user)))
    if month is not None:
        figures["red_this_month"] = Count("pk", filter=light_q(Light.RED) & Q(since__gte=month))
    return signals, figures


def served_lights(user, cap: int) -> int:
    """How many lights the user sees are on projects they serve (the board's my_projects=on),
    at most ``cap`` + 1: the district's lights walked off the board's index, each checked on
    its own project, the walk stopping at the ``cap`` + 1st found — where a leader serves a
    third of a district of 50,000 projects that is a few hundred lights read, not the
    district's thousands each checked (issue 19.3). A person none of whose projects is lit
    still walks them all. Compiled once per process for whoever sees a whole district."""
    rows = district_rows(
        ("served_lights", cap),
        user,
        lambda district_id, person: _served_lights(
            Signal.objects.filter(district_id=district_id), person, cap
        ),
    )
    if rows is None:
        rows = list(_served_lights(Signal.objects.visible_to(user), user, cap))
    return len(rows)


def _served_lights(signals, user, cap: int):
    return signals.order_by().filter(_served(user)).values_list("pk", flat=True)[: cap + 1]


def lit_before(today: datetime.date, district_id, subject: str) -> datetime.date:
    """A date on or after which no deadline of ``subject`` in the district is yellow or red
    as of ``today``: red is before today, yellow at most the district's window of working
    days ahead (``core.lights``), which never spans more than twice its days and a fortnight
    of holidays — so a count of lights reads the deadlines before it off an index and
    works out the light of those alone."""
    return _lit_before(today, yellow_workdays(district_id, subject))


def _lit_before(today: datetime.date, window: int) -> datetime.date:
    return today + datetime.timedelta(days=2 * (window + 1) + 14)


def lights_by_due_date(rows, today: datetime.date, district_id, subject: str) -> dict:
    """{"red": n, "yellow": n}: the lights ``with_days_left`` gives ``rows`` (open and not
    paused, of one district, by ``due_on``) counted as two ranges of due dates read off an
    index, no row's working days worked out: red is due before today on a day the
    working-day index covers (it is one run of days, ``workdays.services.extend_index``),
    yellow due from today up to the last day within the district's window of working days
    — that day found once, in SQL, by walking the index from today."""
    window = yellow_workdays(district_id, subject)
    return rows_lit_by_due_date(rows, today, window).aggregate(**lit_figures(today, window))


def rows_lit_by_due_date(rows, today: datetime.date, window: int):
    """The rows ``lights_by_due_date`` counts (``lit_figures``), for a district's window
    of ``window`` working days."""
    return rows.filter(due_on__gte=_first_day(), due_on__lt=_lit_before(today, window))


def _first_day():
    days = Day.objects.order_by()
    return Subquery(days.order_by("date").values("date")[:1], output_field=DateField())


def lit_figures(today: datetime.date, window: int) -> dict:
    """{"red": …, "yellow": …}: the aggregates of ``lights_by_due_date``."""
    days = Day.objects.order_by()
    seq = Subquery(days.filter(date=today).values("seq")[:1], output_field=IntegerField())
    last = Subquery(days.order_by("-date").values("date")[:1], output_field=DateField())
    # The first day past the window (none when the index ends within it).
    beyond = Subquery(
        days.filter(date__gte=today, seq__gt=seq + window).order_by("date").values("date")[:1],
        output_field=DateField(),
    )
    bound = _lit_before(today, window)
    yellow = Q(due_on__gte=today, due_on__lte=last) & (
        Q(due_on__lt=Coalesce(beyond, Value(bound, output_field=DateField())))
    )
    # ``COUNT(1)``: the rows counted off the index that finds them (PostgreSQL reads no table
    # row for it, where ``COUNT(id)`` fetched each: a department's 5,000 lit cases at 50,000
    # projects; Django's ``Count("*")`` takes no filter)
    one = Value(1)
    return {"red": Count(one, filter=Q(due_on__lt=today)), "yellow": Count(one, filter=yellow)}


def of_visible_projects(queryset, user, path: str = "project"):
    """The rows of ``queryset`` whose project (at ``path``) ``user`` sees — the rows a
    project-scoped queryset's ``visible_to`` gives — each checked on its own project's key,
    for a count already narrowed on another index (a department's, an addressee's, a
    month's), rather than matched against the list of every project of the district."""
    projects = Project.objects.visible_to(user).filter(pk=OuterRef(f"{path}_id"))
    return queryset.filter(Exists(projects))
