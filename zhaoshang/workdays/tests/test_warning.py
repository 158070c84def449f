"""From 1 November, admins are warned on every page when next year is not published."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from zhaoshang.testing import SHANGHAI
from zhaoshang.workdays.services import load_year

pytestmark = pytest.mark.django_db
NOVEMBER = datetime.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def _banner(client, url=None) -> bool:
    html = client.get(url or reverse("projects:list")).content.decode()
    return 'data-testid="calendar-warning"' in html


def test_no_warning_before_november(client_for):
    assert not _banner(client_for("admin"))
    with time_machine.travel(datetime.datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI)):
        assert not _banner(client_for("admin"))


def test_admins_are_warned_from_november_on_every_page(client_for):
    with time_machine.travel(NOVEMBER, tick=False):
        client = client_for("admin")
        for url in (reverse("home"), reverse("projects:list"), reverse("workdays:calendar")):
            assert _banner(client, url)
        html = client.get(reverse("home")).content.decode()
        assert "2027" in html[html.index('data-testid="calendar-warning"') :][:400]
        for who in ("bureau", "leader", "city", "supervisor"):
            assert not _banner(client_for(who))


def test_the_warning_goes_once_next_year_is_published(client_for):
    with time_machine.travel(NOVEMBER, tick=False):
        client = client_for("admin")
        assert _banner(client)
        load_year(2027, [(datetime.date(2027, 1, 1), "holiday", "元旦")], notice="", status="draft")
        assert _banner(client)  # a draft is not in force
        load_year(
            2027, [(datetime.date(2027, 1, 1), "holiday", "元旦")], notice="", status="published"
        )
        assert not _banner(client)


def test_the_warning_costs_one_query_then_none(client_for, django_assert_num_queries):
    from zhaoshang.workdays.services import cached_unpublished_next_year

    with time_machine.travel(NOVEMBER, tick=False):
        with django_assert_num_queries(1):
            assert cached_unpublished_next_year() == 2027
        with django_assert_num_queries(0):
            assert cached_unpublished_next_year() == 2027
