"""The sections of the home page, one module per role (issue 18 point 1).

Each count is computed by the owning list's own filter function, called with the very
query string its link carries: the number on the home and the rows behind its link are the
same by construction (no private copy of a list's rule)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse


@dataclass
class Tile:
    """A count that links to the list showing exactly those rows."""

    label: str
    count: int
    url: str
    tone: str = ""  # "danger", "warning" or "" (a figure that is not a warning)

    @property
    def css(self) -> str:
        return f"text-{self.tone}-emphasis" if self.tone and self.count else ""


@dataclass
class Section:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    template: str = ""  # an extra block the section shows below its tiles
    extra: dict = field(default_factory=dict)


def list_url(url_name: str, params: dict | None = None) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode(params)}" if params else url


def listed_rows(request, filter_fn, params: dict):
    """The rows ``filter_fn`` (the list's own, taking a request and returning the queryset
    second, as the lists' ``filtered_*`` functions do) gives for the query string ``params``."""
    listed = copy.copy(request)
    listed.GET = QueryDict(urlencode(params))
    return filter_fn(listed)[1]


def counted(request, url_name: str, filter_fn, params: dict, label: str, tone: str = "") -> Tile:
    """A tile: the list's own filter run on the link's query string (``listed_rows``)."""
    queryset = listed_rows(request, filter_fn, params)
    return Tile(label, queryset.order_by().count(), list_url(url_name, params), tone)
