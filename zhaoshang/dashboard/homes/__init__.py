"""The sections of the home page, one module per role (issue 18 point 1).

Each tile is declared as a ``Figure``: the list it opens (its URL name and its own filter
function) and the query string its link carries; the tile's definition is the number of
rows that list shows for it (``Figure.live``: the list's own filter run on the link).

A home does not run every list's whole filter to draw its tiles (a form, the list's
annotations and a COUNT each, issue 19.2/19.3): each role's module counts its tiles in a few
grouped queries of its own (``figures(request)``), built from the same querysets the lists
start from (``visible_to``, the lights, the overdue rules) and narrowed to what an index
reads; ``dashboard/tests/test_home_figures.py`` checks that every figure equals its
``Figure.live`` after each kind of change, for every role."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Value
from django.http import QueryDict

from zhaoshang.core import statements
from zhaoshang.dashboard.templatetags.zs_nav import fixed_url
from zhaoshang.projects.models import Project
from zhaoshang.projects.querysets import governed_parks


@dataclass
class Tile:
    """A count that links to the list showing exactly those rows; with ``cap``, a count
    above it is shown as "99+" (a badge's figure: the list gives the exact total)."""

    label: str
    count: int
    url: str
    tone: str = ""  # "danger", "warning" or "" (a figure that is not a warning)
    cap: int | None = None

    @property
    def css(self) -> str:
        return f"text-{self.tone}-emphasis" if self.tone and self.count else ""

    @property
    def more(self) -> bool:
        """Above its cap: more rows than the tile tells."""
        return self.cap is not None and self.count > self.cap

    @property
    def shown(self) -> int | str:
        """The figure as the tile shows it: the count, or "99+" above the cap."""
        return f"{self.cap}+" if self.more else self.count


@dataclass
class Section:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    template: str = ""  # an extra block the section shows below its tiles
    extra: dict = field(default_factory=dict)


def list_url(url_name: str, params: dict | None = None) -> str:
    url = fixed_url(url_name)  # reversed once per process: a home links a few dozen lists
    return f"{url}?{urlencode(params)}" if params else url


def listed_rows(request, filter_fn, params: dict):
    """The rows ``filter_fn`` (the list's own, taking a request and returning the queryset
    second, as the lists' ``filtered_*`` functions do) gives for the query string ``params``."""
    listed = copy.copy(request)
    listed.GET = QueryDict(urlencode(params))
    return filter_fn(listed)[1]


@dataclass(frozen=True)
class Figure:
    """A tile's definition: the list at ``url_name`` filtered by its own ``filter_fn``
    (taking a request, returning the queryset second) on the query string ``params``;
    ``key`` names its figure in the home's ``figures``; with ``cap``, the home counts at
    most ``cap + 1`` of those rows (``capped``: the count stops there) and the tile shows
    "99+" above ``cap``."""

    key: str
    url_name: str
    filter_fn: Callable
    params: dict
    label: str
    tone: str = ""
    cap: int | None = None

    def live(self, request) -> int:
        """The rows the list shows for the tile's link (the definition of its figure)."""
        return listed_rows(request, self.filter_fn, self.params).order_by().count()

    def tile(self, count: int) -> Tile:
        url = list_url(self.url_name, self.params)
        return Tile(self.label, count, url, self.tone, self.cap)

    def capped(self, count: int) -> int:
        """What the home's figure is for ``count`` rows of the list: the count, at most
        ``cap + 1`` with a cap."""
        return count if self.cap is None else min(count, self.cap + 1)


def tiles(declared: list[Figure], values: dict[str, int]) -> list[Tile]:
    """The tiles ``declared`` with their ``values`` (a home's ``figures``, by key)."""
    return [figure.tile(values[figure.key]) for figure in declared]


def live_figures(request, declared: list[Figure]) -> dict[str, int]:
    """Each tile's figure by its list's own filter (the tests' reference), at most its
    cap + 1 for a capped tile."""
    return {figure.key: figure.capped(figure.live(request)) for figure in declared}


def district_rows(
    key, user, build: Callable, *, uses: tuple = ("user", "department")
) -> list | None:
    """``list(build(district_id, person))`` for a ``user`` who sees every project of a
    district (``Project.objects.whole_district_of``: their projects are exactly
    ``Project.objects.filter(district_id=district_id)``), its statement built and compiled
    once per process and ``key`` (``core.statements``); None for anyone else (the caller
    reads as usual).

    ``person`` is an unsaved stand-in for ``user`` carrying only what ``uses`` names — its
    ``pk`` ("user") and its ``department_id`` ("department") — the ids the statement is run
    again with: ``build`` may use them as filter values and nothing else of the user (not
    ``visible_to``: it would see a person without roles); each id named must be used (a
    statement that leaves one out is not kept: compiled every time). Whether the user has a
    department is part of the kept statement's key (``served_by`` has one more way then);
    ``key`` names everything else the read depends on (today, a limit, a value read while
    building). With ``uses=()``, ``build(district_id)``: a read of the district's alone."""
    district = Project.objects.whole_district_of(user)
    if district is None:
        return None
    if not uses:
        return statements.rows(("dashboard.homes", key), build, district)
    names = [n for n in ("user", "department") if n in uses]
    values = {"user": user.pk, "department": user.department_id}
    if not values["department"]:
        names = [n for n in names if n != "department"]
    ids = (district, *(values[n] for n in names))

    def run(district_id, *found):
        given = dict(zip(names, found, strict=True))
        person = get_user_model()(pk=given.get("user"), department_id=given.get("department"))
        return build(district_id, person)

    return statements.rows(("dashboard.homes", key, tuple(names)), run, *ids)


def projects_rows(key, user, build: Callable) -> list | None:
    """``list(build(projects, district_id))`` for ``projects`` the projects ``user`` sees
    (``visible_to``) when that is a whole district's (``whole_district_of``) or a park
    committee's parks of their district (``parks_of``, ``governed_parks``): its statement
    compiled once per process and ``key`` and kind of scope (``core.statements``), run
    again with the district's, the park's and the committee's keys; None for anyone else
    (the caller reads as usual). ``build`` may read nothing of the user but ``projects``
    and their district's key."""
    district = Project.objects.whole_district_of(user)
    if district is not None:

        def of_district(district_id):
            return build(Project.objects.filter(district_id=district_id), district_id)

        return statements.rows(("dashboard.homes.projects", key), of_district, district)
    if not user.district_id or Project.objects.parks_of(user) is None:
        return None
    names = [n for n, v in (("park", user.park_id), ("department", user.department_id)) if v]
    values = {"park": user.park_id, "department": user.department_id}

    def of_parks(district_id, *found):
        given = dict(zip(names, found, strict=True))
        parks = governed_parks(given.get("park"), given.get("department"))
        projects = Project.objects.filter(district_id=district_id, park_id__in=parks.values("pk"))
        return build(projects, district_id)

    ids = (user.district_id, *(values[n] for n in names))
    return statements.rows(("dashboard.homes.parks", key, tuple(names)), of_parks, *ids)


def grouped(queryset, **aggregates):
    """``queryset``'s ``aggregates`` as a read of one row (none when no row matches), for
    ``district_aggregate``: a kept statement is a read of rows, not an ``aggregate()``."""
    one = queryset.order_by().annotate(_one=Value(1)).values("_one")
    return one.annotate(**aggregates).values(*aggregates)


def district_aggregate(key, user, build: Callable, names, **kwargs) -> dict | None:
    """``district_rows`` of a ``grouped`` read: {name: count} (0 each when no row matched),
    or None for a person who does not see a whole district. For counts alone (a sum over
    no row would be None, not 0)."""
    found = district_rows(key, user, build, **kwargs)
    if found is None:
        return None
    return found[0] if found else dict.fromkeys(names, 0)
