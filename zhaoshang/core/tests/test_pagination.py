"""Every paginated list shares ``core/_pagination.html``: Django's elided page range, with
an ellipsis wherever pages are left out (never "1 2 3 4 6")."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _links(number: int, pages: int, query: str = "") -> list[str]:
    request = RequestFactory().get(f"/list/?{query}")
    page = Paginator(range(pages * 10), 10).get_page(number)
    html = render_to_string("core/_pagination.html", {"page": page, "request": request})
    return [
        text.strip()
        for text in re.findall(r'class="page-link"[^>]*>([^<]*)<', html)
        if text.strip().isdigit() or text.strip() == "…"
    ]


def test_a_gap_in_the_pages_shows_an_ellipsis():
    assert _links(1, 6) == ["1", "2", "3", "4", "5", "6"]  # few pages: all of them
    assert _links(1, 20) == ["1", "2", "3", "…", "20"]
    assert _links(10, 20) == ["1", "…", "8", "9", "10", "11", "12", "…", "20"]
    assert _links(20, 20) == ["1", "…", "18", "19", "20"]
    # Every page between two neighbouring links is either linked or stood for by "…".
    for number in range(1, 21):
        links = _links(number, 20)
        for left, right in zip(links, links[1:], strict=False):
            if left != "…" and right != "…":
                assert int(right) == int(left) + 1, (number, links)


def test_the_page_links_keep_the_filters_and_mark_the_current_page():
    request = RequestFactory().get("/list/?q=园区&page=3")
    page = Paginator(range(200), 10).get_page(3)
    html = render_to_string("core/_pagination.html", {"page": page, "request": request})
    assert 'aria-current="page"><span class="page-link">3</span>' in html
    assert "page=20" in html and "q=%E5%9B%AD%E5%8C%BA" in html
    assert html.count('data-testid="page-ellipsis"') == 1


def test_one_page_shows_no_pagination():
    request = RequestFactory().get("/list/")
    page = Paginator(range(5), 10).get_page(1)
    assert (
        render_to_string("core/_pagination.html", {"page": page, "request": request}).strip() == ""
    )
