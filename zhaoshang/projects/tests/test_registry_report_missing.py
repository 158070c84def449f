"""The registry's "monthly report missing" and "mine" filters (issue 18 point 1): the
projects owing last month's report (``Project.objects.owing_report``, the reminder's rule)
and those I manage or serve as secretary; the team's home counts them with the registry's
own filter, so its tile and the list agree."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.portal.reporting import remind_monthly_reports
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import MonthlyReport, Project

TILE = re.compile(r'class="zs-tile[^"]*" href="([^"]+)" data-count="(\d+)"')
MISSING = {"mine": "on", "report_missing": "on"}


def _codes(client, **params) -> set[str]:
    html = client.get(reverse("projects:list"), params).content.decode()
    return set(re.findall(r"ZS-2025-000\d", html))


def _report(project, month: datetime.date) -> None:
    MonthlyReport.objects.create(
        project=project,
        month=month,
        investment_this_month=Decimal("10"),
        investment_cumulative=Decimal("10"),
        image_progress="进场施工",
        submitted_by=project.team_members.first().user,
        submitted_at=clock.now(),
    )


def _owing(world) -> None:
    """project1_a (signed in March) reports; project2_a does too, but signed this month."""
    MonthlyReport.objects.filter(project__district=world.district_a).delete()
    Project.objects.filter(pk=world.project2_a.pk).update(
        stage=Stage.SIGNED, signed_on=clock.today().replace(day=1)
    )


def test_the_projects_owing_last_months_report(world, client_for):
    _owing(world)
    bureau = client_for("bureau")
    # A project signed this month owes this month's report, not last month's.
    assert _codes(bureau, report_missing="on") == {"ZS-2025-0001"}
    _report(world.project1_a, datetime.date(2026, 5, 1))
    assert _codes(bureau, report_missing="on") == set()
    # A report of another month does not stand for last month's.
    MonthlyReport.objects.all().delete()
    _report(world.project1_a, datetime.date(2026, 4, 1))
    assert _codes(bureau, report_missing="on") == {"ZS-2025-0001"}
    # A project not reporting (a lead) never owes one.
    Project.objects.filter(pk=world.project1_a.pk).update(stage=Stage.NEGOTIATING)
    assert _codes(bureau, report_missing="on") == set()


def test_the_filter_is_the_reminders_rule(world):
    _owing(world)
    today = clock.today().replace(day=3)  # in the reminder's days (the 2nd to the 5th)
    owing = set(Project.objects.owing_report(today).values_list("pk", flat=True))
    assert world.project1_a.pk in owing and world.project2_a.pk not in owing
    assert remind_monthly_reports(today).startswith("reminded")


def test_mine_is_the_projects_i_manage_or_serve_as_secretary(world, client_for):
    assert _codes(client_for("secretary"), mine="on") == {"ZS-2025-0001"}
    assert _codes(client_for("manager"), mine="on") == {"ZS-2025-0001"}
    assert _codes(client_for("bureau"), mine="on") == set()  # on no team


def test_the_team_homes_tile_is_the_registrys_rows(world, client_for):
    _owing(world)
    client = client_for("secretary")
    url = reverse("projects:list") + "?mine=on&amp;report_missing=on"
    tiles = dict(TILE.findall(client.get(reverse("home")).content.decode()))
    assert tiles[url] == "1"
    response = client.get(reverse("projects:list"), MISSING)
    assert response.context["count"] == 1
    _report(world.project1_a, datetime.date(2026, 5, 1))
    tiles = dict(TILE.findall(client.get(reverse("home")).content.decode()))
    assert tiles[url] == "0" and client.get(url.replace("&amp;", "&")).context["count"] == 0


def test_the_filter_costs_no_query_per_row(world, client_for):
    _owing(world)
    client = client_for("bureau")

    def count(params) -> int:
        client.get(reverse("projects:list"), params)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("projects:list"), params)
        return len(ctx.captured_queries)

    plain = count({})
    few = count({"report_missing": "on"})
    template = Project.objects.get(pk=world.project1_a.pk)
    for n in range(20):
        template.pk, template.code, template.name = None, f"GROW{n:04d}", f"扩容项目{n}"
        template.save()
    assert count({"report_missing": "on"}) == few == plain
