"""The homes' stored project tallies (``dashboard.tallies``, issue 19.3): the funnel of the
bureau's chart and of the side card, and the city's districts side by side, read from them
equal the live counts after each kind of change made through the services; a tally is
counted again once an event tells of a change, or after ten minutes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.dashboard import tallies
from zhaoshang.dashboard.homes import city
from zhaoshang.dashboard.models import ProjectTally
from zhaoshang.kpis.tests.factories import make_project
from zhaoshang.monitoring.services import daily_scan
from zhaoshang.projects import funnel
from zhaoshang.projects import services as projects
from zhaoshang.projects.choices import STAGE_EVIDENCE, Stage
from zhaoshang.projects.models import Project

D = datetime.date
READERS = ("bureau", "supervisor", "bureau_b", "city", "park")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _live_city(user) -> list[dict]:
    """The city's rows as they were counted live (one grouped query over the projects)."""
    from zhaoshang.monitoring.lights import project_light

    rows = list(
        Project.objects.visible_to(user)
        .annotate(light=project_light())
        .values("district_id", "district__name")
        .annotate(
            total=Count("id"),
            signed=Count("id", filter=Q(signed_on__isnull=False)),
            started=Count("id", filter=Q(started_on__isnull=False)),
            red=Count("id", filter=Q(light=Light.RED)),
            investment=Sum("total_investment"),
            signed_investment=Sum("total_investment", filter=Q(signed_on__isnull=False)),
        )
        .order_by("district_id")
    )
    for row in rows:
        row["url"] = city.list_url("projects:list", {"district": row["district_id"]})
    return rows


def agrees(world) -> dict:
    """Every reader's served funnel equals the live one, and the city's rows theirs."""
    out = {}
    for who in READERS:
        user = getattr(world, f"user_{who}")
        visible = Project.objects.visible_to(user)
        served = tallies.stage_funnel(tallies.of_user(user), visible)
        assert served == funnel.figures(visible), who
        out[who] = served
    assert city.district_rows(world.user_city) == _live_city(world.user_city)
    return out


def _reds(world) -> dict[int, int]:
    """{district id: projects with a red light} of the city's rows."""
    return {row["district_id"]: row["red"] for row in city.district_rows(world.user_city)}


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def test_the_tallies_equal_the_live_counts_after_every_kind_of_change(world):
    from zhaoshang.dashboard.tests.screen_records import red_signal

    tallies.scan(D(2026, 6, 15))
    before = agrees(world)
    before_red = _reds(world)

    # A project registered, then moved on a stage; another signed and started.
    a = make_project(world, signed_on=D(2026, 3, 2))
    projects.change_stage(
        world.user_bureau,
        a,
        Stage.REGISTERED,
        D(2026, 6, 10),
        evidence_files={c: pdf(f"{c}.pdf") for c in STAGE_EVIDENCE[Stage.REGISTERED]},
    )
    after = agrees(world)
    assert after["bureau"].total == before["bureau"].total + 1
    assert after["bureau_b"] == before["bureau_b"]
    make_project(world, "b", signed_on=D(2026, 4, 1), started_on=D(2026, 5, 1))
    agrees(world)

    # The investment revised and the park changed in the registry.
    a.refresh_from_db()
    projects.update_project(
        world.user_bureau,
        a,
        {"total_investment": Decimal("12345.67"), "park": world.park2_a},
        expected_version=a.version,
    )
    after = agrees(world)
    assert after["bureau"][Stage.REGISTERED].amount != before["bureau"][Stage.REGISTERED].amount

    # A red light: the daily scan lights a case of the project overdue (the lights are
    # written without an event) and counts the tallies after the lights.
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        project=a, status=CaseStatus.ACCEPTED, paused=False, due_on=D(2026, 6, 1)
    )
    report = [label for label, _done in daily_scan(D(2026, 6, 15))]
    assert report.index("dashboard.tallies.scan") > report.index("signals")
    red = _reds(world)
    assert red[world.district_a.pk] == before_red[world.district_a.pk] + 1
    agrees(world)
    # A light written as the scan would (without an event) and the tallies counted again
    # by the scan's step: the same.
    red_signal(make_project(world), "逾期", D(2026, 6, 1))
    tallies.scan(D(2026, 6, 15))
    assert _reds(world)[world.district_a.pk] == red[world.district_a.pk] + 1
    agrees(world)

    # A project deleted.
    projects.delete_project(world.user_admin, Project.objects.get(pk=a.pk))
    agrees(world)


def test_a_fresh_tally_answers_without_counting_the_projects(world):
    user = world.user_bureau
    visible = Project.objects.visible_to(user)
    tallies.stage_funnel(tallies.of_user(user), visible)  # counted and stored
    with CaptureQueriesContext(connection) as ctx:
        tallies.stage_funnel(tallies.of_user(user), visible)
    assert not [q for q in ctx.captured_queries if "projects_project" in q["sql"]]
    assert len(ctx.captured_queries) == 1


def test_the_city_reads_its_red_projects_from_the_tallies(world):
    from zhaoshang.dashboard.tests.screen_records import red_signal

    red_signal(world.project1_a, "逾期", D(2026, 6, 1))
    tallies.scan(D(2026, 6, 15))
    with CaptureQueriesContext(connection) as ctx:
        rows = city.district_rows(world.user_city)
    assert {row["district_id"]: row["red"] for row in rows}[world.district_a.pk] >= 1
    assert rows == _live_city(world.user_city)
    # The stored tallies (and who the user is, the districts): no light, no project read.
    assert not [q for q in ctx.captured_queries if "monitoring_signal" in q["sql"]]
    assert not [q for q in ctx.captured_queries if "projects_project" in q["sql"]]


def test_a_write_without_an_event_is_seen_within_ten_minutes(world):
    user = world.user_bureau
    visible = Project.objects.visible_to(user)
    tallies.stage_funnel(tallies.of_user(user), visible)
    Project.objects.filter(pk=world.project1_a.pk).update(total_investment=Decimal("1"))
    assert tallies.stage_funnel(tallies.of_user(user), visible) != funnel.figures(
        visible
    )  # not yet seen
    later = datetime.datetime(2026, 6, 15, 2, 11, tzinfo=datetime.UTC)  # 10:11 Shanghai
    with time_machine.travel(later):
        assert tallies.stage_funnel(tallies.of_user(user), visible) == funnel.figures(visible)


def test_an_event_elsewhere_leaves_the_tally_fresh(world):
    from zhaoshang.core.audit import log_event

    tallies.scan(D(2026, 6, 15))
    marks = dict(ProjectTally.objects.values_list("district_id", "event_mark"))
    log_event(world.user_bureau_b, "project.updated", world.project1_b)
    tallies.read([world.district_a.pk, world.district_b.pk])
    after = dict(ProjectTally.objects.values_list("district_id", "event_mark"))
    assert after[world.district_a.pk] == marks[world.district_a.pk]  # not counted again
    assert after[world.district_b.pk] > marks[world.district_b.pk]


def test_the_daily_scan_writes_every_district(world):
    from django.conf import settings

    from zhaoshang.org.models import District

    # After the lights are recomputed: the red projects are today's.
    assert "zhaoshang.dashboard.tallies.scan" in settings.DAILY_SCAN_AFTER_LIGHTS
    assert "zhaoshang.dashboard.tallies.scan" not in settings.DAILY_SCAN_STEPS
    assert tallies.scan(D(2026, 6, 15)) == f"written {District.objects.count()}"
    assert ProjectTally.objects.count() == District.objects.count()


def test_who_is_served_from_the_tallies(world):
    assert tallies.districts_of(world.user_city) == sorted(
        [world.district_a.pk, world.district_b.pk]
    )
    assert tallies.districts_of(world.user_bureau) == [world.district_a.pk]
    assert tallies.districts_of(world.user_park) is None  # a part of the district …
    assert set(tallies.of_user(world.user_park)) == {world.district_a.pk}  # … its parks'
    assert tallies.of_user(world.user_enterprise) is None  # counted live
